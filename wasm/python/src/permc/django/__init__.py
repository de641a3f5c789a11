"""permc for Django: authorize views with a permc module, filter QuerySets with query
plans, and keep custom roles in the database.

- :func:`filter_queryset` (``permc.django.filters``): a plan as a QuerySet filter.
- :func:`get_authorizer`, :func:`reload_roles`
  (``permc.django.authz``): the process's Authorizer, configured by ``settings.PERMC``,
  with the custom roles of the ``CustomRole`` model loaded.
- :func:`permc.django.drf.permc_permission`: a DRF permission class;
  :func:`permc.django.views.permission_required`: a decorator for plain views.

Add ``"permc.django"`` to ``INSTALLED_APPS`` for the ``CustomRole`` model, its admin
and the reloading of roles when they change.
"""

from __future__ import annotations

from typing import Any

from .filters import UntranslatableError, filter_queryset, resource, resource_attributes

__all__ = [
    "UntranslatableError",
    "filter_queryset",
    "get_authorizer",
    "reload_roles",
    "resource",
    "resource_attributes",
]


def __getattr__(name: str) -> Any:
    # These read settings and the database: imported when first used, not when
    # Django imports the app.
    if name in ("get_authorizer", "reload_roles"):
        from . import authz

        return getattr(authz, name)
    raise AttributeError(name)
