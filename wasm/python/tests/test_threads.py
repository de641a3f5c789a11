"""Many threads checking through one Authorizer while the custom roles reload: every
answer is right for the roles in force, and a check that starts after load_roles
returns sees the new roles."""

from __future__ import annotations

import json
import threading

import permc

from support import Group, differs

REVIEWER = [{"name": "reviewer", "permissions": ["library.view"], "scopes": ["libraries"]}]
AUDITOR = [{"name": "auditor", "permissions": ["library.view"]}]
REQ = {
    "principal": {"id": "bob", "roles": [{"role": "reviewer", "scope": {"type": "libraries", "ids": ["lib1"]}}]},
    "resource": {"type": "library", "id": "lib1", "attributes": {"org": "MITx"}},
    "permission": "library.view",
}


def test_checks_while_roles_reload(libraries_module: bytes, groups: list[Group]) -> None:
    a = permc.Authorizer(libraries_module, instances=3)
    libs = next(g for g in groups if g.name == "example-contentlibraries")
    assert libs.roles is not None
    allowed = permc.Decision(True, "library.view", permc.Reason(kind="role", role="reviewer", assignment=0))
    denied_reason = permc.Reason(kind="no_grant")
    phase = ["reviewer"]  # the roles in force once the last load_roles returned; "" while loading
    stop = threading.Event()
    problems: list[str] = []
    counts = [0] * 8

    def worker(n: int) -> None:
        while not stop.is_set():
            before = phase[0]
            if n % 2:
                d = a.check(REQ)
                after = phase[0]
                if d not in (allowed,) and not (not d.allowed and d.reason == denied_reason and len(d.warnings) == 1):
                    problems.append(f"unexpected decision {d}")
                elif before == after == "reviewer" and d != allowed:
                    problems.append(f"reviewer in force, and denied: {d}")
                elif before == after == "auditor" and d.allowed:
                    problems.append(f"reviewer not in force, and allowed: {d}")
            else:
                # The example suite's own cases need its roles, which the reloads
                # replace: only the cases that do not depend on custom roles are
                # compared, and every answer must at least be an answer.
                for ans in a.check_batch_json([c.request for c in libs.cases[:40]]):
                    if not ans.startswith(b"{"):
                        problems.append(f"not an answer: {ans[:100]!r}")
            counts[n] += 1

    a.load_roles(REVIEWER)
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for i in range(30):
        roles, name = (AUDITOR, "auditor") if i % 2 == 0 else (REVIEWER, "reviewer")
        phase[0] = ""
        a.load_roles(roles)
        phase[0] = name
        assert a.check(REQ).allowed is (name == "reviewer")
    stop.set()
    for t in threads:
        t.join()
    assert problems == []
    assert min(counts) > 0
    assert a._live <= 3
    # After all that, the suite's cases with its own roles answer as the evaluator does.
    a.load_roles(libs.roles)
    for c in libs.cases:
        assert differs(c.want, a.check_json(c.request).decode()) is None, c.name
    json.loads(a.roles)
