from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class PermcConfig(AppConfig):
    name = "permc.django"
    label = "permc"
    verbose_name = "permc"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db import transaction
        from django.db.models.signals import post_delete, post_save

        from .authz import reload_roles
        from .models import CustomRole

        def changed(**kwargs: Any) -> None:
            # After the transaction commits: before, another connection would read
            # the old roles; after a rollback, nothing changed.
            transaction.on_commit(reload_roles, using=kwargs.get("using"))

        post_save.connect(changed, sender=CustomRole, dispatch_uid="permc.reload_roles.save", weak=False)
        post_delete.connect(changed, sender=CustomRole, dispatch_uid="permc.reload_roles.delete", weak=False)
