"""What the DRF permission class and the view decorator share: a request's subject,
a check that fails closed, and the plan filter of a list."""

from __future__ import annotations

import logging
from typing import Any, Callable, Mapping, Optional, TypeVar

from django.db import models
from django.http import HttpRequest

from .. import Authorizer, Decision, PermcError
from .filters import filter_queryset

log = logging.getLogger("permc.django")

#: Reads a Django request into the parts of a permc request that come from it:
#: ``{"principal": ..., "credential": ..., "context": ...}`` (credential and context
#: optional). None means nobody is authenticated.
SubjectFn = Callable[[HttpRequest], Optional[Mapping[str, Any]]]

M = TypeVar("M", bound=models.Model)


def subject_of(request: HttpRequest, subject: SubjectFn) -> Mapping[str, Any] | None:
    """The request's subject, read once and kept on the request."""
    cached = getattr(request, "permc_subject", None)
    if cached is None:
        cached = subject(request)
        request.permc_subject = cached  # type: ignore[attr-defined]
    return cached


def decide(authorizer: Authorizer[Any], subject: Mapping[str, Any], resource: Mapping[str, Any], permission: str) -> Decision | None:
    """The decision, or None when there is none (a malformed request, a failed
    instance): the caller denies."""
    try:
        return authorizer.check({**subject, "resource": resource, "permission": permission})
    except PermcError as e:
        log.warning("permc: no decision for %s on %s: %s", permission, resource.get("type"), e)
        return None


def plan_filter(queryset: models.QuerySet[M], authorizer: Authorizer[Any], subject: Mapping[str, Any], permission: str,
                resource_type: str, fields: Mapping[str, str]) -> models.QuerySet[M]:
    """The rows of queryset the subject has ``permission`` on: the plan of the
    subject's request, as a filter (see :func:`permc.django.filter_queryset`)."""
    plan = authorizer.plan({**subject, "resource": {"type": resource_type}}, permission)
    return filter_queryset(queryset, plan, fields)
