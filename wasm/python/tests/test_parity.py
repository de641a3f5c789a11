"""Every case of every example suite and corpus group, through the Python host, alone
and in batches, answered as the reference evaluator (and so the generated Go) answers."""

from __future__ import annotations

import json

import pytest

import permc
from permc import _host

from support import Group, differs


def run_group(g: Group) -> None:
    authz = permc.Authorizer(g.module.read_bytes(), instances=2)
    if g.roles is not None:
        authz.load_roles(g.roles)
    failures = []
    for c in g.cases:
        got = authz.check_json(c.request).decode()
        d = differs(c.want, got)
        if d:
            failures.append(f"{c.name}: {c.request}\n{d}")
        want = json.loads(got)
        try:
            decision = authz.check(c.request)
        except permc.RequestError as e:
            assert want == {"error": e.message}, c.name
        else:
            assert decision == permc.Decision.from_dict(want), c.name
            assert decision.allowed is want["allowed"]
    assert failures == []
    requests = [c.request for c in g.cases]
    batch = authz.check_batch_json(requests)
    assert [b.decode() for b in batch] == [authz.check_json(r).decode() for r in requests]
    parsed = authz.check_batch(requests)
    for c, p, raw in zip(g.cases, parsed, batch):
        want = json.loads(raw)
        if isinstance(p, permc.RequestError):
            assert want == {"error": p.message}, c.name
        else:
            assert p == permc.Decision.from_dict(want), c.name
    authz.close()


def test_groups_exist(groups: list[Group]) -> None:
    names = {g.name for g in groups}
    assert {"example-contentlibraries", "example-enterprise", "example-commcare", "example-ilios"} <= names
    assert sum(g.name.startswith("corpus-") for g in groups) >= 5
    assert sum(len(g.cases) for g in groups) > 500


@pytest.mark.parametrize("index", range(10))
def test_parity(groups: list[Group], index: int) -> None:
    # The groups are spread over ten tests so that a failure names a few of them.
    for g in groups[index::10]:
        run_group(g)


def test_parity_without_raw_calls(groups: list[Group], monkeypatch: pytest.MonkeyPatch) -> None:
    """The public wasmtime API, used when its raw C bindings are not there, answers the
    same."""
    assert _host.FAST_CALLS, "this wasmtime should have its raw bindings"
    monkeypatch.setattr(_host, "FAST_CALLS", False)
    for g in groups:
        if g.name in ("example-contentlibraries", "corpus-cel"):
            run_group(g)
