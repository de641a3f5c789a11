"""The process's Authorizer, configured by ``settings.PERMC``::

    PERMC = {
        "MODULE": BASE_DIR / "libauthz.wasm",  # permc build-wasm --spec spec.yaml --out libauthz.wasm
        "INSTANCES": None,                     # the pool's bound (the CPU count)
        "MEMORY_LIMIT": None,                  # bytes per instance (64 MiB)
        "ROLES_MAX_AGE": 5,                    # seconds between checks for roles changed
    }                                          # by other processes

The custom roles of the ``CustomRole`` model are loaded when the Authorizer is made,
again in this process whenever one is saved or deleted (signals, on commit), and in
other processes (other workers) at most ``ROLES_MAX_AGE`` seconds after.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings

from .. import Authorizer, RolesError
from .._host import DEFAULT_MEMORY_LIMIT

log = logging.getLogger("permc.django")

_lock = threading.Lock()  # makes the Authorizer once
_reload_lock = threading.Lock()  # one reload at a time, so an older read never wins
_authz: Authorizer[Any] | None = None
_checked = 0.0  # when the roles were last checked against the database
_fingerprint: tuple[Any, ...] | None = None


def _config() -> dict[str, Any]:
    cfg = dict(getattr(settings, "PERMC", {}))
    if not cfg.get("MODULE"):
        raise RuntimeError('settings.PERMC["MODULE"] must name the permc module (permc build-wasm --out FILE)')
    return cfg


def get_authorizer() -> Authorizer[Any]:
    """The process's Authorizer, made on first use, with the database's custom roles
    in force."""
    global _authz
    a = _authz
    if a is None:
        with _lock:
            if _authz is None:
                cfg = _config()
                _authz = Authorizer(cfg["MODULE"], instances=cfg.get("INSTANCES"),
                                    memory_limit=cfg.get("MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT)
                reload_roles()
            a = _authz
    elif time.monotonic() - _checked > float(getattr(settings, "PERMC", {}).get("ROLES_MAX_AGE", 5)):
        _refresh()
    assert a is not None
    return a


def _roles_and_fingerprint() -> tuple[list[dict[str, Any]], tuple[Any, ...]]:
    from .models import CustomRole

    rows = list(CustomRole.objects.order_by("name"))
    return [r.as_role() for r in rows], (len(rows), max((r.updated_at for r in rows), default=None))


def _refresh() -> None:
    global _checked
    from django.db.models import Count, Max

    from .models import CustomRole

    _checked = time.monotonic()
    agg = CustomRole.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    if (agg["n"], agg["last"]) != _fingerprint:
        reload_roles()


def reload_roles() -> None:
    """Loads the custom roles of the database into the Authorizer (when it has been
    made). Roles the module refuses (say, after the spec changed) grant nothing: each
    valid role is loaded, each invalid one is logged."""
    global _checked, _fingerprint
    a = _authz
    if a is None:
        return
    with _reload_lock:
        roles, fp = _roles_and_fingerprint()
        try:
            a.load_roles(roles)
        except RolesError as e:
            log.error("custom roles in the database are invalid for the module; loading the valid ones: %s", e)
            valid = []
            for r in roles:
                try:
                    a.validate_roles([r])
                    valid.append(r)
                except RolesError as bad:
                    log.error("custom role %r is not loaded: %s", r.get("name"), bad)
            a.load_roles(valid)
        _fingerprint = fp
        _checked = time.monotonic()


def _reset() -> None:
    """Forgets the Authorizer (tests that change settings.PERMC)."""
    global _authz, _fingerprint
    with _lock:
        if _authz is not None:
            _authz.close()
        _authz, _fingerprint = None, None
