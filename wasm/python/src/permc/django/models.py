"""Custom roles, defined by admins at run time, validated by the module."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from .. import RolesError


class CustomRole(models.Model):
    """A role defined at run time: a name, the permissions it grants (patterns such as
    ``library.*`` allowed) and the scope types it may be assigned at (null: any)."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True, default="")
    permissions = models.JSONField(default=list, help_text='A JSON list of permissions, e.g. ["library.view", "library.*"].')
    scopes = models.JSONField(null=True, blank=True, help_text="A JSON list of scope types; empty for any.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "permc"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def as_role(self) -> dict[str, Any]:
        """The role as the module reads it."""
        role: dict[str, Any] = {"name": self.name, "permissions": self.permissions}
        if self.description:
            role["description"] = self.description
        if self.scopes is not None:
            role["scopes"] = self.scopes
        return role

    def validate_with_module(self) -> None:
        """Checks the role, with every other role in the database, against the spec:
        a ValidationError with the module's message when it refuses them."""
        from .authz import get_authorizer

        others = [r.as_role() for r in CustomRole.objects.exclude(pk=self.pk).order_by("name")] if self.pk else \
            [r.as_role() for r in CustomRole.objects.exclude(name=self.name).order_by("name")]
        try:
            get_authorizer().validate_roles([*others, self.as_role()])
        except RolesError as e:
            raise ValidationError(e.message) from None

    def clean(self) -> None:
        super().clean()
        self.validate_with_module()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.validate_with_module()
        super().save(*args, **kwargs)
