"""The Python types `permc pyi` writes, checked with mypy --strict on code that uses
them with the Authorizer; and the package itself under mypy --strict."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import REPO

GOOD = '''
import datetime
import permc
from libauthz import Credential, CustomRole, Decision, LibraryRequest, PlanRequest, Request

authz: permc.Authorizer[Request] = permc.Authorizer("libauthz.wasm")
token: Credential = {"scopes": ["libraries:read", "a:scope:the:spec:does:not:know"], "filters": ["org:MITx"]}
req: LibraryRequest = {
    "principal": {"id": "alice", "attributes": {"orgs": ["MITx"], "is_staff": None},
                  "roles": [{"role": "library_author", "scope": {"type": "org_except", "org": "MITx", "except": ["x"]}},
                            {"role": "a_custom_role", "scope": {"type": "libraries", "ids": ["lib1"]}}]},
    "resource": {"type": "library", "id": "lib1", "attributes": {"org": "MITx", "tags": ["archived"]}},
    "permission": "library.edit",
    "credential": token,
    "context": {"time": datetime.datetime.now(datetime.timezone.utc), "ip": "10.0.0.1"},
}
decision: permc.Decision = authz.check(req)
allowed: bool = decision.allowed
answers = authz.check_batch([req, req])
plan_req: PlanRequest = {"principal": req["principal"], "resource": {"type": "library"}}
plan: permc.Plan = authz.plan(plan_req, "library.view")
roles: list[CustomRole] = [{"name": "reviewer", "permissions": ["library.view", "course.*"], "scopes": ["libraries"]}]
authz.load_roles(roles)
import json
raw: Decision = json.loads(authz.check_json(json.dumps(req)))
if raw["reason"]["kind"] == "role":
    role: str = raw["reason"]["role"]
untyped = permc.Authorizer("libauthz.wasm")
untyped.check({"anything": 1})
'''

BAD = '''
import permc
from libauthz import CustomRole, LibraryRequest, Request

authz: permc.Authorizer[Request] = permc.Authorizer("libauthz.wasm")
req: LibraryRequest = {
    "principal": {"id": "alice", "roles": [{"role": "library_author", "scope": {"type": "org", "orgg": "MITx"}}]},
    "resource": {"type": "library", "id": "lib1"},
    "permission": "library.frobnicate",
}
authz.check({"principal": {"id": "a"}, "resource": {"type": "course", "id": "c"}, "permission": "course.edit", "extra": 1})
roles: list[CustomRole] = [{"name": "r", "permissions": ["library.vew"]}]
'''


def mypy(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec("mypy") is None:
        pytest.fail("mypy is needed for this test (scripts/test.sh installs it)")
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-version", "3.10", *args],
                          cwd=cwd, capture_output=True, text=True, env=env)


def test_generated_types_with_mypy(tmp_path: Path, permc_bin: Path) -> None:
    subprocess.run([str(permc_bin), "pyi", "--spec", str(REPO / "examples/contentlibraries/spec.yaml"),
                    "--out", str(tmp_path / "libauthz.py")], check=True)
    (tmp_path / "good.py").write_text(GOOD)
    r = mypy("--config-file", "", "good.py", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    (tmp_path / "bad.py").write_text(BAD)
    r = mypy("--config-file", "", "bad.py", cwd=tmp_path)
    assert r.returncode == 1, r.stdout
    for line, what in ((7, '"scope"'), (9, "library.frobnicate"), (11, '"check"'), (12, "library.vew")):
        assert any(l.startswith(f"bad.py:{line}:") and what in l for l in r.stdout.splitlines()), f"line {line} ({what}):\n{r.stdout}"


def test_golden_types_import() -> None:
    """The generated files of the Go tests' golden set are valid Python."""
    files = sorted((REPO / "internal/dts/testdata").glob("*.py"))
    assert len(files) >= 5
    for f in files:
        spec = importlib.util.spec_from_file_location(f.stem, f)
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        assert hasattr(mod, "Request") and hasattr(mod, "Decision")


def test_package_is_strictly_typed() -> None:
    """The whole package, permc.django included (with django-stubs' plugin, whose
    settings are tests/mypy_settings.py), under the configuration in pyproject.toml."""
    here = REPO / "wasm/python"
    for stubs in ("django_stubs_ext", "rest_framework-stubs"):
        if importlib.util.find_spec(stubs.replace("-", "_")) is None and not list(Path(sys.prefix).glob(f"lib/python*/site-packages/{stubs}")):
            pytest.fail(f"{stubs} is needed for this test (scripts/test.sh installs django-stubs and djangorestframework-stubs)")
    env = {**os.environ, "PYTHONPATH": str(here / "tests"), "MYPYPATH": str(here / "tests")}
    r = mypy("--config-file", str(here / "pyproject.toml"), "-p", "permc", cwd=here / "src", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
