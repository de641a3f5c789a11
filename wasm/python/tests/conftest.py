"""Fixtures shared by the tests: the modules and cases of permc's examples and decision
corpus (internal/wasmtest/jsfixtures, the same the JavaScript loader's tests run),
and the permc command, both built from the repository this package sits in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support import Group, go, load_groups


@pytest.fixture(scope="session")
def fixtures_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PERMC_FIXTURES (or PERMC_JS_FIXTURES) when set, else built here."""
    for var in ("PERMC_FIXTURES", "PERMC_JS_FIXTURES"):
        if os.environ.get(var):
            return Path(os.environ[var])
    out = tmp_path_factory.mktemp("fixtures")
    go("run", "./internal/wasmtest/jsfixtures", "-out", str(out))
    return out


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
