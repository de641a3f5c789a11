"""A Django REST framework permission class made from the application's functions."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from .. import Authorizer
from .access import SubjectFn, decide, subject_of


def permc_permission(
    permissions: str | Mapping[str, str],
    *,
    subject: SubjectFn,
    resource: Callable[[Any], Mapping[str, Any]] | None = None,
    view_resource: Callable[[Request, Any], Optional[Mapping[str, Any]]] | None = None,
    authorizer: Callable[[], Authorizer[Any]] | None = None,
) -> type[BasePermission]:
    """A permission class for DRF views.

    ``permissions`` is the permission checked, or a mapping from the view's action
    (``list``, ``retrieve``, ``partial_update``, ...) or HTTP method (``GET``,
    ``PATCH``, ...) to it; a request none names is refused. ``subject`` reads the
    request's principal, credential and context (see
    :data:`permc.django.access.SubjectFn`).

    ``resource`` turns the view's object into the permc resource
    (``{"type", "id", "attributes"}``, e.g. with :func:`permc.django.resource`): it is
    checked in ``has_object_permission``. ``view_resource`` gives the resource from
    the request and view alone (say, from URL arguments), checked in
    ``has_permission``. Without either, ``has_permission`` only requires a subject:
    a list view filters its queryset with a plan instead.

    ``authorizer`` returns the Authorizer (``permc.django.get_authorizer`` by
    default). A check that cannot be made denies. The decision is kept on the request
    as ``request.permc_decision``.
    """

    def get_authorizer() -> Authorizer[Any]:
        if authorizer is not None:
            return authorizer()
        from .authz import get_authorizer as default

        return default()

    def permission_for(request: Request, view: Any) -> str | None:
        if isinstance(permissions, str):
            return permissions
        action = getattr(view, "action", None)
        if action and action in permissions:
            return permissions[action]
        return permissions.get(request.method or "")

    class PermcPermission(BasePermission):
        message = "permission denied"

        def check(self, request: Request, view: Any, res: Mapping[str, Any]) -> bool:
            subj = subject_of(request, subject)
            perm = permission_for(request, view)
            if subj is None or perm is None:
                return False
            d = decide(get_authorizer(), subj, res, perm)
            request.permc_decision = d  # type: ignore[attr-defined]
            if d is None or not d.allowed:
                self.message = f"{perm} denied" + (f" ({d.reason.kind})" if d is not None else "")
                return False
            return True

        def has_permission(self, request: Request, view: Any) -> bool:
            if subject_of(request, subject) is None or permission_for(request, view) is None:
                return False
            if view_resource is not None:
                res = view_resource(request, view)
                return res is not None and self.check(request, view, res)
            return True

        def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
            if resource is None:
                return view_resource is not None  # decided in has_permission
            return self.check(request, view, resource(obj))

    return PermcPermission
