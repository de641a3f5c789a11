"""The exceptions of package permc. Every one is a PermcError."""

from __future__ import annotations


class PermcError(Exception):
    """An error from permc: the base of every exception this package raises.

    ``status`` is the ABI status of the module's result when there was one: 1 rejected
    input, 2 a bad call, 3 an internal error caught inside the module; -1 when the
    module gave no result (the instance failed, or the host refused the call).
    """

    def __init__(self, message: str, status: int = -1) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class RequestError(PermcError, ValueError):
    """A malformed request: the module's message, as in its ``{"error": ...}`` answer."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 1)


class RolesError(PermcError, ValueError):
    """Custom roles the module refused: every problem, one per line. The roles in
    force stay in force."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 1)


class ModuleError(PermcError):
    """The module cannot be used: not valid Wasm, not a permc module, another ABI
    version, an import no host provides, or it failed to start."""


class InstanceError(PermcError):
    """The call got no answer: the instance trapped, ran out of memory, exited, or
    returned something the ABI does not allow. The instance is replaced (with the
    custom roles reloaded) before the next call. Treat the request as denied."""


class UnsupportedError(PermcError):
    """The module lacks an optional export this call needs (it was built by an older
    permc)."""


class PlanUnavailable(UnsupportedError):
    """The module has no ``permc_plan`` export: it was built by a permc before modules
    could plan, and cannot compute query plans. Rebuild it."""


class ClosedError(PermcError):
    """The Authorizer is closed."""
