"""Fixtures shared by the tests: the modules and cases of permc's examples and decision
corpus (internal/wasmtest/jsfixtures, the same the JavaScript loader's tests run),
and the permc command, both built from the repository this package sits in."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def go(*args: str, cwd: Path = REPO) -> None:
    if shutil.which("go") is None:
        pytest.fail("the Go toolchain is needed to build the test modules (scripts/test.sh has it)")
    subprocess.run(["go", *args], cwd=cwd, check=True)


@pytest.fixture(scope="session")
def fixtures_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PERMC_FIXTURES (or PERMC_JS_FIXTURES) when set, else built here."""
    for var in ("PERMC_FIXTURES", "PERMC_JS_FIXTURES"):
        if os.environ.get(var):
            return Path(os.environ[var])
    out = tmp_path_factory.mktemp("fixtures")
    go("run", "./internal/wasmtest/jsfixtures", "-out", str(out))
    return out


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


@pytest.fixture(scope="session")
def groups(fixtures_dir: Path) -> list[Group]:
    return load_groups(fixtures_dir)


@pytest.fixture(scope="session")
def libraries_module(fixtures_dir: Path) -> bytes:
    return (fixtures_dir / "example-contentlibraries.wasm").read_bytes()


@pytest.fixture(scope="session")
def permc_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PERMC_BIN when set, else permc built here."""
    if os.environ.get("PERMC_BIN"):
        return Path(os.environ["PERMC_BIN"])
    out = tmp_path_factory.mktemp("bin") / "permc"
    go("build", "-o", str(out), "./cmd/permc")
    return out


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

