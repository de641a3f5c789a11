"""The answers of a permc module as Python values: decisions and query plans."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

from ._errors import RequestError


@dataclass(frozen=True)
class Reason:
    """Why a decision (or an ``allowed``/``denied`` plan) came out as it did.

    ``kind`` is one of ``"role"`` (``role`` and ``assignment`` say which),
    ``"allow_rule"`` or ``"deny_rule"`` (``rule`` says which), ``"credential"`` (the
    credential does not allow the permission) and ``"no_grant"``.
    """

    kind: str
    rule: str | None = None
    role: str | None = None
    assignment: int | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Reason:
        return cls(kind=d["kind"], rule=d.get("rule"), role=d.get("role"), assignment=d.get("assignment"))


@dataclass(frozen=True)
class EvalError:
    """An expression that failed to evaluate: it counted as false, or, in a deny rule,
    denied. ``kind`` is ``"rule"``, ``"role"``, ``"scope"`` or ``"filter"``."""

    kind: str
    name: str
    message: str
    assignment: int | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> EvalError:
        return cls(kind=d["kind"], name=d["name"], message=d.get("message", ""), assignment=d.get("assignment"))


@dataclass(frozen=True)
class AssignmentWarning:
    """A role assignment that grants nothing: an unknown role or scope type, a missing
    scope parameter. ``assignment`` is its index in the principal's roles."""

    assignment: int
    message: str

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AssignmentWarning:
        return cls(assignment=d["assignment"], message=d["message"])


@dataclass(frozen=True)
class Decision:
    """The answer to a well-formed request."""

    allowed: bool
    permission: str
    reason: Reason
    errors: tuple[EvalError, ...] = ()
    warnings: tuple[AssignmentWarning, ...] = ()

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Decision:
        """Reads a decision as the module answers it; a ``{"error": ...}`` answer
        raises :class:`RequestError`."""
        if "error" in d:
            raise RequestError(str(d["error"]))
        return cls(
            allowed=d["allowed"] is True,
            permission=d["permission"],
            reason=Reason.from_dict(d["reason"]),
            errors=tuple(EvalError.from_dict(e) for e in d.get("errors") or ()),
            warnings=tuple(AssignmentWarning.from_dict(w) for w in d.get("warnings") or ()),
        )

    @classmethod
    def from_json(cls, answer: bytes | str) -> Decision:
        """Reads a decision from the module's JSON answer (see :meth:`from_dict`)."""
        return cls.from_dict(json.loads(answer))


PlanDecision = Literal["allowed", "denied", "conditional"]


@dataclass(frozen=True)
class Plan:
    """A query plan: the condition a resource of ``resource_type`` must satisfy for
    ``permission`` to be granted, given everything a check knows but the resource.

    ``decision`` is ``"allowed"`` (every resource), ``"denied"`` (none) or
    ``"conditional"``; ``condition`` is the condition tree as docs/query-plans.md
    describes it (``True``/``False`` for the first two), ``cel`` the same in CEL for
    people. :func:`permc.django.filter_queryset` turns a plan into a QuerySet filter.
    """

    permission: str
    resource_type: str
    decision: PlanDecision
    condition: Any
    cel: str
    reason: Reason | None = None
    warnings: tuple[AssignmentWarning, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Plan:
        """Reads a plan as ``permc plan`` prints it (its ``sql`` member, if any, is
        ignored); a ``{"error": ...}`` answer raises :class:`RequestError`."""
        if "error" in d:
            raise RequestError(str(d["error"]))
        decision = d["decision"]
        if decision not in ("allowed", "denied", "conditional"):
            raise ValueError(f"unknown plan decision {decision!r}")
        reason = d.get("reason")
        return cls(
            permission=d["permission"],
            resource_type=d["resource_type"],
            decision=decision,
            condition=d["condition"],
            cel=d.get("cel", ""),
            reason=Reason.from_dict(reason) if reason else None,
            warnings=tuple(AssignmentWarning.from_dict(w) for w in d.get("warnings") or ()),
            raw=d,
        )

    @classmethod
    def from_json(cls, text: bytes | str) -> Plan:
        """Reads a plan from its JSON text (see :meth:`from_dict`)."""
        return cls.from_dict(json.loads(text))
