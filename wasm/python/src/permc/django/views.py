"""A decorator for plain Django views."""

from __future__ import annotations

import functools
from typing import Any, Callable, Mapping, Optional

from django.http import HttpRequest, HttpResponse, JsonResponse

from .. import Authorizer
from .access import SubjectFn, decide, subject_of


def permission_required(
    permission: str,
    *,
    subject: SubjectFn,
    resource: Callable[..., Optional[Mapping[str, Any]]],
    authorizer: Callable[[], Authorizer[Any]] | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Guards a view with a check of ``permission``.

    ``subject`` reads the request's principal, credential and context (None: nobody
    is authenticated, answered 401). ``resource(request, *args, **kwargs)`` gives the
    permc resource from the view's arguments (None: answered 404). A denial, or a
    check that cannot be made, is answered 403 with the reason's kind; an allowed
    request reaches the view with ``request.permc_decision`` set.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            subj = subject_of(request, subject)
            if subj is None:
                return JsonResponse({"detail": "authentication required"}, status=401)
            res = resource(request, *args, **kwargs)
            if res is None:
                return JsonResponse({"detail": "not found"}, status=404)
            if authorizer is not None:
                a = authorizer()
            else:
                from .authz import get_authorizer

                a = get_authorizer()
            d = decide(a, subj, res, permission)
            request.permc_decision = d  # type: ignore[attr-defined]
            if d is None or not d.allowed:
                reason = d.reason.kind if d is not None else "error"
                return JsonResponse({"detail": f"{permission} denied", "reason": reason}, status=403)
            return view(request, *args, **kwargs)

        return guarded

    return decorate
