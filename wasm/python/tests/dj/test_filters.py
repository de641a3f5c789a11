"""filter_queryset held to check, row by row: random principals and hostile rows
(NULLs, case, LIKE's metacharacters, unicode, NUL, extreme numbers, microsecond
timestamps) on SQLite and on a real PostgreSQL whose default collation is
linguistic. Plans and decisions both come from the module."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest

from support import DATABASES

HERE = Path(__file__).resolve().parent
UTC = dt.timezone.utc

STRINGS = ["", "a", "A", "ab", "abc", "ABC", "Abc", "b", "MITx", "mitx", "MITX", "a%", "%", "a%c", "_", "a_c", "abc_",
           "\\", "a\\c", "a\\%", "%_\\", "é", "e\u0301", "É", "ß", "日本", "日本語", "😀", "a😀", "\u00a0", " a", "a ", "zz", "~"]
NUL = ["a\x00b", "\x00", "a\x00"]  # SQLite rows may hold NUL; PostgreSQL text cannot (constants still may)
LEVELS = [-(2**63), -1, 0, 1, 2, 5, 10, 2**63 - 1]
SCORES = [0.0, -0.0, 1.5, -1.5, 1e300, -1e300, 5e-324, 2.0]
BASE = [dt.datetime(2026, 1, 1, 10, 0, tzinfo=UTC), dt.datetime(1, 1, 1, tzinfo=UTC), dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)]


def times(r: random.Random) -> dt.datetime:
    b = r.choice(BASE[:1] * 4 + BASE[1:])
    try:
        return b + dt.timedelta(microseconds=r.choice([0, 1, -1, 500000, 123456, -999999]))
    except OverflowError:  # past year 1 or 9999
        return b


def rfc3339(d: dt.datetime, nanos: str = "") -> str:
    s = f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}"
    frac = f"{d.microsecond:06d}" + nanos
    return s + ("." + frac if frac.strip("0") else "") + "Z"


def seed(db: str, r: random.Random) -> None:
    from filterapp.models import Doc, DocTag, Org

    strings = STRINGS + (NUL if db == "default" else [])
    orgs = [Org.objects.using(db).create(slug=s) for s in ["MITx", "mitx", "HarvardX", "a%c", "a_c", "日本", ""]]
    for i in range(140):
        doc = Doc.objects.using(db).create(
            slug=f"{i}{r.choice(strings)}",
            org=r.choice(orgs + [None]),
            owner=r.choice(strings + [None, None]),
            title=r.choice(strings) + r.choice(strings),
            path=r.choice(strings) + r.choice(["", "/x", "%", "_"]),
            level=r.choice(LEVELS),
            score=r.choice(SCORES + [None]),
            created=r.choice([None, times(r), times(r)]),
            public=r.random() < 0.2,
        )
        for _ in range(r.choice([0, 0, 1, 2, 3])):
            DocTag.objects.using(db).create(doc=doc, name=r.choice(strings + ["archived", "archived", None]))


def random_scope(r: random.Random) -> dict[str, Any]:
    s = lambda: r.choice(STRINGS + NUL)  # noqa: E731
    t = lambda: rfc3339(times(r), r.choice(["", "", "000", "500", "999"]))  # noqa: E731
    kind = r.choice(["org", "not_org", "ids", "owners", "own", "prefix", "suffix", "word", "title_below", "title_from",
                     "levels", "score_above", "score_is", "after", "until", "at", "tag", "tag_prefix", "no_tag",
                     "title_starts_with_owner", "title_ends_with_owner", "path_is_title", "path_below_title", "private"])
    params: dict[str, Any] = {
        "org": {"org": r.choice(["MITx", "mitx", "a%c", "a_c", "", "日本", "x\x00"])},
        "not_org": {"org": r.choice(["MITx", "", "a_c"])},
        "ids": {"ids": [f"{r.randrange(140)}{s()}" for _ in range(r.randrange(4))]},
        "owners": {"owners": [s() for _ in range(r.randrange(4))]},
        "prefix": {"p": s()}, "suffix": {"s": s()}, "word": {"w": s()},
        "title_below": {"t": s() + s()}, "title_from": {"t": s()},
        "levels": {"min": r.choice(LEVELS), "max": r.choice(LEVELS)},
        "score_above": {"s": r.choice(SCORES)}, "score_is": {"s": r.choice(SCORES)},
        "after": {"t": t()}, "until": {"t": t()}, "at": {"t": t()},
        "tag": {"tag": r.choice(STRINGS + NUL + ["archived"])}, "tag_prefix": {"p": s()}, "no_tag": {"tag": r.choice(["archived", "a", ""])},
    }.get(kind, {})
    return {"type": kind, **params}


def random_subject(r: random.Random) -> dict[str, Any]:
    roles = [{"role": r.choice(["viewer", "editor"]), "scope": random_scope(r)} for _ in range(r.choice([0, 1, 1, 2, 3]))]
    return {"principal": {"id": r.choice(STRINGS), "attributes": {"orgs": r.sample(["MITx", "mitx", "日本", "a%c", ""], r.randrange(3))},
                          "roles": roles}}


@pytest.fixture(scope="module")
def seeded(django_setup: None) -> None:
    r = random.Random(7)
    for db in DATABASES:
        seed(db, random.Random(r.random()))


_rows: dict[str, list[tuple[str, dict[str, Any]]]] = {}


def allowed_rows(db: str, subject: dict[str, Any], permission: str) -> set[str]:
    """The rows a check allows, each row's resource read as the application would."""
    from filterapp.models import FIELDS, Doc

    from permc.django import get_authorizer, resource

    if db not in _rows:
        _rows[db] = [(d.slug, resource(d, "doc", FIELDS)) for d in Doc.objects.using(db).prefetch_related("tags").select_related("org")]
    rows = _rows[db]
    decisions = get_authorizer().check_batch([{**subject, "resource": res, "permission": permission} for _, res in rows])
    out = set()
    for (slug, _), dec in zip(rows, decisions):
        assert not isinstance(dec, Exception), dec
        if dec.allowed:
            out.add(slug)
    return out


@pytest.fixture(scope="module")
def planner(django_setup: None) -> Any:
    """The module's own planner, with the custom roles in force."""
    from permc.django import get_authorizer

    return get_authorizer()


@pytest.mark.parametrize("db", DATABASES)
def test_filter_is_the_check(db: str, seeded: None, planner: Any) -> None:
    from filterapp.models import FIELDS, Doc

    from permc.django import filter_queryset

    r = random.Random(11)
    kinds: dict[str, int] = {}
    nonempty = 0
    for i in range(70):
        subject = random_subject(r)
        for permission in ("doc.view", "doc.edit"):
            plan = planner.plan(subject, permission)
            kinds[plan.decision] = kinds.get(plan.decision, 0) + 1
            qs = filter_queryset(Doc.objects.using(db).all(), plan, FIELDS)
            got = set(qs.values_list("slug", flat=True))
            want = allowed_rows(db, subject, permission)
            assert got == want, f"{db} {permission} {json.dumps(subject, ensure_ascii=False)}\nplan: {plan.cel}\nonly filter: {got - want}\nonly check: {want - got}"
            nonempty += bool(want)
            if plan.decision == "conditional" and got:
                assert " LIKE " not in str(qs.query).upper()
    assert kinds.get("conditional", 0) > 60 and nonempty > 40, kinds
