"""What the tests share: the repository, the fixtures' groups and cases, and the
comparison of answers with the reference evaluator's."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

#: The databases of the Django tests (tests/dj/conftest.py): SQLite and PostgreSQL.
DATABASES = ("default", "pg")


def go(*args: str, cwd: Path = REPO) -> None:
    if shutil.which("go") is None:
        pytest.fail("the Go toolchain is needed to build the test modules (scripts/test.sh has it)")
    subprocess.run(["go", *args], cwd=cwd, check=True)


@dataclass
class Case:
    name: str
    request: str
    want: str


@dataclass
class Group:
    name: str
    module: Path
    roles: str | None
    cases: list[Case]


def load_groups(d: Path) -> list[Group]:
    groups = []
    for g in json.loads((d / "manifest.json").read_text()):
        cases = [Case(**json.loads(line)) for line in (d / g["cases"]).read_text().splitlines() if line.strip()]
        roles = (d / g["roles"]).read_text() if g.get("roles") else None
        groups.append(Group(g["name"], d / g["wasm"], roles, cases))
    return groups


def without_error_messages(answer: str) -> str:
    v = json.loads(answer)
    for e in v.get("errors") or []:
        e.pop("message", None)
    return json.dumps(v, sort_keys=True)


def differs(want: str, got: str) -> str | None:
    """None when got answers as want does: the same bytes, but for the messages of
    evaluation errors, which backends may word differently."""
    if want == got:
        return None
    if '"errors":[{' in want and without_error_messages(want) == without_error_messages(got):
        return None
    return f"want {want}\n got {got}"

