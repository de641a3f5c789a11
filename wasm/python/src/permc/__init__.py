"""permc for Python: run a permc authorization module (``permc build-wasm``) with
wasmtime, and, with the ``django`` extra, authorize Django and DRF views and filter
QuerySets with query plans.

    from permc import Authorizer

    authz = Authorizer("libauthz.wasm")
    decision = authz.check({"principal": ..., "resource": ..., "permission": "library.edit"})
    if decision.allowed: ...

The module's ABI is docs/wasm-abi.md in the permc repository.
"""

from ._errors import (
    ClosedError,
    InstanceError,
    ModuleError,
    PermcError,
    PlanUnavailable,
    RequestError,
    RolesError,
    UnsupportedError,
)
from ._host import ABI_VERSION, DEFAULT_MEMORY_LIMIT, MAX_REQUEST, Authorizer, encode_request
from ._types import AssignmentWarning, Decision, EvalError, Plan, Reason

__all__ = [
    "ABI_VERSION",
    "DEFAULT_MEMORY_LIMIT",
    "MAX_REQUEST",
    "AssignmentWarning",
    "Authorizer",
    "ClosedError",
    "Decision",
    "EvalError",
    "InstanceError",
    "ModuleError",
    "PermcError",
    "Plan",
    "PlanUnavailable",
    "Reason",
    "RequestError",
    "RolesError",
    "UnsupportedError",
    "encode_request",
]
