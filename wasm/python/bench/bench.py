"""Timings of the Python host (no assertions: the tests check answers).

    python bench/bench.py --module libauthz.wasm --example-module example.wasm

1. One check of a principal with 10 role assignments, through Authorizer.check_json
   (JSON bytes in and out) and Authorizer.check (a dict in, a Decision out).
2. The same decision by PyCasbin's enforce, with the policy written as its
   documentation recommends (RBAC with domains, bench/casbin_model.conf).
3. The example's list endpoint over 100,000 libraries: a page through the query plan
   (filter_queryset, paginated by SQLite) against checking every row.

Each figure is the median of several timed loops.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]


def timed(fn: Callable[[], Any], n: int, rounds: int = 7) -> float:
    """Median seconds per call over rounds of n calls."""
    fn()
    per = []
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        per.append((time.perf_counter() - t) / n)
    return statistics.median(per)


def checks(module: str) -> None:
    import permc

    authz = permc.Authorizer(module, instances=1)
    req = {
        "principal": {"id": "alice", "roles": [{"role": "library_author", "scope": {"type": "org", "org": f"org{i}"}} for i in range(10)]},
        "resource": {"type": "library", "id": "lib1", "attributes": {"org": "org7"}},
        "permission": "library.edit",
    }
    body = json.dumps(req).encode()
    assert authz.check(req).allowed
    print(f"check_json, 10 assignments: {timed(lambda: authz.check_json(body), 20000) * 1e6:8.1f} µs")
    print(f"check (dict), 10 assignments: {timed(lambda: authz.check(req), 20000) * 1e6:8.1f} µs")
    batch = [body] * 1000
    print(f"check_batch_json, per request: {timed(lambda: authz.check_batch_json(batch), 20) / 1000 * 1e6:8.1f} µs")

    import casbin

    e = casbin.Enforcer(str(HERE / "casbin_model.conf"))
    e.add_policy("library_author", "*", "library", "view")
    e.add_policy("library_author", "*", "library", "edit")
    for i in range(10):
        e.add_grouping_policy("alice", "library_author", f"org{i}")
    assert e.enforce("alice", "org7", "library", "edit") and not e.enforce("alice", "org11", "library", "edit")
    print(f"PyCasbin enforce, 10 assignments: {timed(lambda: e.enforce('alice', 'org7', 'library', 'edit'), 20000) * 1e6:8.1f} µs")


def listing(module: str, n: int) -> None:
    db = Path(tempfile.mkdtemp(prefix="permc-bench-")) / "bench.sqlite3"
    os.environ.update(DJANGO_SETTINGS_MODULE="libraries_site.settings", DJANGO_SQLITE=str(db), PERMC_MODULE=module,
                      DJANGO_DEBUG="0")
    sys.path.insert(0, str(REPO / "examples/django"))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from rest_framework.test import APIClient

    from libraries.authz import LIBRARY_FIELDS, library_resource, subject
    from libraries.models import Library, Membership, Organization, RoleAssignment, Token
    from permc.django import filter_queryset, get_authorizer

    call_command("migrate", verbosity=0)
    orgs = Organization.objects.bulk_create([Organization(slug=f"org{i}", name=f"org{i}") for i in range(500)])
    Library.objects.bulk_create([Library(slug=f"lib{i:06d}", org=orgs[i % 500], title=f"Library {i}", public=False)
                                 for i in range(n)], batch_size=5000)
    from django.db import connection

    with connection.cursor() as c:
        c.execute("CREATE INDEX IF NOT EXISTS bench_org ON libraries_library (org_id)")
    user = get_user_model().objects.create(username="alice")
    for i in range(10):
        RoleAssignment.objects.create(user=user, role="library_author", scope={"type": "org", "org": f"org{i * 50}"})
    Membership.objects.create(user=user, org=orgs[1])
    _, key = Token.issue(user, "bench", scopes=["libraries:read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    def page() -> Any:
        r = client.get("/api/libraries/", {"limit": 50})
        assert r.status_code == 200
        return r.json()

    count = page()["count"]
    print(f"list endpoint, {n} libraries, {count} visible, first page of 50 (by its plan): {timed(page, 5, 5) * 1e3:8.1f} ms")

    class Req:
        def __init__(self) -> None:
            self.user, self.auth, self.META = user, Token.objects.get(name="bench"), {"REMOTE_ADDR": "127.0.0.1"}

    subj = subject(Req())
    authz = get_authorizer()
    plan = authz.plan({**subj, "resource": {"type": "library"}}, "library.view")
    qs = Library.objects.select_related("org").prefetch_related("tags").order_by("slug")
    print(f"  of which planning (the module's permc_plan): {timed(lambda: authz.plan({**subj, 'resource': {'type': 'library'}}, 'library.view'), 5, 5) * 1e3:8.1f} ms")
    print(f"  of which the filtered query, 50 rows: {timed(lambda: list(filter_queryset(qs, plan, LIBRARY_FIELDS)[:50]), 5, 5) * 1e3:8.1f} ms")

    def every_row() -> list[Any]:
        allowed = []
        libs = list(qs)
        answers = authz.check_batch([{**subj, "resource": library_resource(lib), "permission": "library.view"} for lib in libs])
        for lib, a in zip(libs, answers):
            if not isinstance(a, Exception) and a.allowed:
                allowed.append(lib)
        return allowed[:50]

    assert [l.slug for l in every_row()] == [l["slug"] for l in page()["results"]]
    print(f"the same page by checking each of the {n} rows (check_batch): {timed(every_row, 1, 3) * 1e3:8.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--module", required=True, help="the content-libraries module")
    ap.add_argument("--example-module", required=True, help="the Django example's module")
    ap.add_argument("--libraries", type=int, default=100_000)
    a = ap.parse_args()
    checks(a.module)
    listing(a.example_module, a.libraries)


if __name__ == "__main__":
    main()
