"""Where query plans come from: the seam between an application and the planner.

A :class:`Planner` turns a request without its resource, and a permission, into a
:class:`permc.Plan`. There are two:

- :class:`ModulePlanner`, the module itself (its ``permc_plan`` export), preferred;
- :class:`CommandPlanner`, the ``permc plan`` command, for modules built before
  ``permc_plan`` existed. It needs the spec file and the permc binary, and costs a
  process per plan.

:func:`planner_for` picks the module when it can plan, else the command. Both give
the same JSON, so code written against a Planner does not change when the module
gains ``permc_plan``.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from typing import Any, Mapping, Protocol, Sequence

from ._errors import PermcError, PlanUnavailable
from ._host import Authorizer, encode_request
from ._types import Plan


class Planner(Protocol):
    """Computes query plans."""

    def plan(self, request: Mapping[str, Any], permission: str) -> Plan:
        """The plan of ``request`` (a check request without its resource, or with
        only ``{"type": ...}``) for ``permission``. Raises
        :class:`permc.RequestError` for a malformed request."""
        ...


class ModulePlanner:
    """Plans with the module's ``permc_plan`` export, with the custom roles in force
    in the Authorizer."""

    def __init__(self, authorizer: Authorizer[Any]) -> None:
        if not authorizer.can_plan:
            raise PlanUnavailable("the module has no permc_plan export")
        self.authorizer = authorizer

    def plan(self, request: Mapping[str, Any], permission: str) -> Plan:
        return self.authorizer.plan(request, permission)


class CommandPlanner:
    """Plans with ``permc plan --spec SPEC [--roles ROLES] --permission P -``, one
    process per plan: the way for modules built before ``permc_plan`` existed.

    ``spec`` is the spec file the module was built from. ``authorizer``, when given,
    supplies the custom roles in force. ``command`` is the permc command (``permc``
    on the PATH by default; ``["go", "run", "./cmd/permc"]`` works in a checkout).
    """

    def __init__(
        self,
        spec: str | os.PathLike[str],
        *,
        authorizer: Authorizer[Any] | None = None,
        command: Sequence[str] = ("permc",),
        timeout: float = 60,
    ) -> None:
        self.spec = os.fspath(spec)
        self.authorizer = authorizer
        self.command = list(command)
        self.timeout = timeout
        self._lock = threading.Lock()
        # The custom roles in force, written for the command; the folder goes when the
        # planner does.
        self._dir = tempfile.TemporaryDirectory(prefix="permc-plan-")
        self._path = os.path.join(self._dir.name, "roles.json")
        self._written: bytes | None = None

    def _roles_file(self) -> str | None:
        roles = self.authorizer.roles if self.authorizer is not None else b"[]"
        if roles.strip() == b"[]":
            return None
        with self._lock:
            if self._written != roles:
                # Replaced whole, so that a command running meanwhile reads the old
                # roles or the new, never half of them.
                tmp = self._path + ".new"
                with open(tmp, "wb") as f:
                    f.write(roles)
                os.replace(tmp, self._path)
                self._written = roles
            return self._path

    def plan(self, request: Mapping[str, Any], permission: str) -> Plan:
        args = [*self.command, "plan", "--spec", self.spec, "--permission", permission]
        roles = self._roles_file()
        if roles is not None:
            args += ["--roles", roles]
        try:
            proc = subprocess.run(args + ["-"], input=encode_request(request), capture_output=True, timeout=self.timeout)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise PermcError(f"running {' '.join(self.command)} plan: {e}") from None
        if proc.returncode in (0, 1) and proc.stdout.strip():
            return Plan.from_json(proc.stdout)  # a malformed request raises RequestError
        raise PermcError(f"{' '.join(self.command)} plan exited with status {proc.returncode}: {proc.stderr.decode(errors='replace').strip()}")

    def close(self) -> None:
        """Removes the roles file."""
        self._dir.cleanup()


def planner_for(
    authorizer: Authorizer[Any],
    *,
    spec: str | os.PathLike[str] | None = None,
    command: Sequence[str] = ("permc",),
) -> Planner:
    """The module's own planner when it exports ``permc_plan``; otherwise the
    ``permc plan`` command on ``spec``. Raises :class:`permc.PlanUnavailable` when the
    module cannot plan and no spec is given."""
    if authorizer.can_plan:
        return ModulePlanner(authorizer)
    if spec is None:
        raise PlanUnavailable("the module has no permc_plan export, and no spec was given to plan with the permc command")
    return CommandPlanner(spec, authorizer=authorizer, command=command)
