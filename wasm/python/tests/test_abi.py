"""The host against small hand-written modules that follow the ABI (docs/wasm-abi.md)
without being built by permc: a module that imports nothing and has no _initialize,
as permc's own compiler makes them, and one that misbehaves in every way the ABI lets
a module fail."""

from __future__ import annotations

import json

import pytest
import wasmtime

import permc

# permc_check, permc_check_batch and permc_plan answer by the first byte of their
# input: T traps, X returns a result outside memory, I is an INTERNAL result, B a
# BAD_CALL, R a REJECTED one, N the number of permc_load_roles calls so far (one
# digit); anything else is echoed back with status OK. permc_load_roles refuses input
# starting with R and traps on T.
FAKE = r"""
(module
  IMPORTS
  (memory (export "memory") 1)
  (global $loads (mut i32) (i32.const 0))
  (data (i32.const 300) "{\"error\":\"no\"}")
  (data (i32.const 400) "{\"package\":\"fake\"}")
  (func (export "permc_abi_version") (result i32) (i32.const VERSION))
  (func (export "permc_alloc") (param i32) (result i32)
    (if (result i32) (i32.le_u (local.get 0) (i32.const 32768)) (then (i32.const 1024)) (else (i32.const 0))))
  (func (export "permc_free") (param i32))
  (func $pack (param $p i32) (param $s i32) (param $n i32) (result i64)
    (i64.or (i64.shl (i64.extend_i32_u (local.get $p)) (i64.const 32))
            (i64.or (i64.shl (i64.extend_i32_u (local.get $s)) (i64.const 28)) (i64.extend_i32_u (local.get $n)))))
  (func $echo (param $p i32) (param $n i32) (result i64) (local $c i32)
    (if (i32.eqz (local.get $n)) (then (return (call $pack (i32.const 0) (i32.const 0) (i32.const 0)))))
    (local.set $c (i32.load8_u (local.get $p)))
    (if (i32.eq (local.get $c) (i32.const 84)) (then unreachable))
    (if (i32.eq (local.get $c) (i32.const 88)) (then (return (call $pack (i32.const 65000) (i32.const 0) (i32.const 1000)))))
    (if (i32.eq (local.get $c) (i32.const 73)) (then (return (call $pack (i32.const 300) (i32.const 3) (i32.const 14)))))
    (if (i32.eq (local.get $c) (i32.const 66)) (then (return (call $pack (i32.const 300) (i32.const 2) (i32.const 14)))))
    (if (i32.eq (local.get $c) (i32.const 82)) (then (return (call $pack (i32.const 300) (i32.const 1) (i32.const 14)))))
    (if (i32.eq (local.get $c) (i32.const 78)) (then
      (i32.store8 (i32.const 100) (i32.add (i32.const 48) (global.get $loads)))
      (return (call $pack (i32.const 100) (i32.const 0) (i32.const 1)))))
    (call $pack (local.get $p) (i32.const 0) (local.get $n)))
  (func (export "permc_check") (param i32 i32) (result i64) (call $echo (local.get 0) (local.get 1)))
  (func (export "permc_check_batch") (param i32 i32) (result i64) (call $echo (local.get 0) (local.get 1)))
  PLAN
  (func (export "permc_load_roles") (param i32 i32) (result i64)
    (if (i32.and (i32.ne (local.get 1) (i32.const 0)) (i32.eq (i32.load8_u (local.get 0)) (i32.const 84)))
      (then unreachable))
    (if (i32.and (i32.ne (local.get 1) (i32.const 0)) (i32.eq (i32.load8_u (local.get 0)) (i32.const 82)))
      (then (return (call $pack (i32.const 300) (i32.const 1) (i32.const 14)))))
    (global.set $loads (i32.add (global.get $loads) (i32.const 1)))
    (call $pack (i32.const 0) (i32.const 0) (i32.const 0)))
  (func (export "permc_metadata") (result i64) (call $pack (i32.const 400) (i32.const 0) (i32.const 18)))
)
"""
PLAN = '(func (export "permc_plan") (param i32 i32) (result i64) (call $echo (local.get 0) (local.get 1)))'
CONFIGURE = '(func (export "permc_configure") (param i32 i32) (result i64) (call $echo (local.get 0) (local.get 1)))'


def fake(version: int = 1, plan: bool = True, imports: str = "", extra: str = "") -> bytes:
    wat = FAKE.replace("VERSION", str(version)).replace("PLAN", (PLAN if plan else "") + extra).replace("IMPORTS", imports)
    return wasmtime.wat2wasm(wat)


def test_a_module_without_initialize() -> None:
    a = permc.Authorizer(fake(), instances=2)
    assert a.metadata() == {"package": "fake"}
    assert a.can_plan
    assert a.check_json(b'{"a":1}') == b'{"a":1}'
    assert a.check_json("") == b""
    with pytest.raises(permc.RequestError, match="^no$"):
        a.check(b"R")
    assert a.check_json(b"R") == b'{"error":"no"}'
    assert a.check_batch_json(['{"a":1}', '{"b":2}']) == [b'{"a":1}', b'{"b":2}']


def test_plan_through_the_module() -> None:
    a = permc.Authorizer(fake())
    plan = {"permission": "library.view", "resource_type": "library", "decision": "denied", "condition": False,
            "cel": "false", "reason": {"kind": "no_grant"}, "warnings": []}
    # The echo shows what the module was given: the request, with the permission.
    sent = json.loads(a.plan_json({**plan, "permission": "x"}, "library.view"))
    assert sent == plan
    p = a.plan({**plan, "permission": "library.edit"}, permission="library.view")
    assert (p.permission, p.resource_type, p.decision, p.condition) == ("library.view", "library", "denied", False)
    assert p.reason == permc.Reason(kind="no_grant")
    assert json.loads(a.plan_json(json.dumps(plan))) == plan
    with pytest.raises(permc.RequestError, match="^no$"):
        a.plan(b"R")
    with pytest.raises(permc.PlanUnavailable):
        permc.Authorizer(fake(plan=False)).plan({}, "library.view")


def test_failures_replace_the_instance_and_reload_roles() -> None:
    a = permc.Authorizer(fake(), instances=1)
    a.load_roles("[]")
    assert a.check_json(b"N") == b"1"
    first = a._idle[0]
    for bad in (b"T", b"X"):
        with pytest.raises(permc.InstanceError) as e:
            a.check(bad)
        assert e.value.status == -1
        assert a.check_json(b"N") == b"1"  # a new instance, the roles loaded once
        assert a._idle[0] is not first
        first = a._idle[0]
    # INTERNAL: the call fails with the module's message, and the instance is replaced.
    with pytest.raises(permc.PermcError, match="^no$") as e:
        a.check_json(b"I")
    assert e.value.status == 3 and a._idle == []
    assert a.check_json(b"N") == b"1"
    # BAD_CALL: the call fails, the instance stays.
    kept = a._idle[0]
    with pytest.raises(permc.PermcError, match="^no$") as e:
        a.check_json(b"B")
    assert e.value.status == 2 and a._idle[0] is kept
    # A block the module refuses: it has no memory left.
    with pytest.raises(permc.InstanceError, match="ran out of memory"):
        a.check_json(b"{" + b" " * 40000 + b"}")
    # Traps in a batch, a plan, a roles load.
    for call in (lambda: a.check_batch_json([b"T"]), lambda: a.plan_json(b"T"), lambda: a.load_roles(b"T")):
        with pytest.raises(permc.InstanceError):
            call()
        assert a.check_json(b"N") == b"1"


def test_roles_validation_and_rejection() -> None:
    a = permc.Authorizer(fake(), instances=1)
    with pytest.raises(permc.RolesError, match="^no$"):
        a.load_roles(b"R")
    assert a.check_json(b"N") == b"0" and a.roles == b"[]"
    a.validate_roles(b"[1]")
    # The instance was given roles that are not in force: it reloads them first.
    assert a.check_json(b"N") == b"2"
    with pytest.raises(permc.RolesError):
        a.validate_roles(b"R")


def test_bad_modules() -> None:
    with pytest.raises(permc.ModuleError, match="ABI version 2"):
        permc.Authorizer(fake(version=2))
    with pytest.raises(permc.ModuleError, match="imports env.f"):
        permc.Authorizer(fake(imports='(import "env" "f" (func))'))
    bad_sig = wasmtime.wat2wasm('(module (memory (export "memory") 1) (func (export "permc_abi_version") (result i64) (i64.const 1)))')
    with pytest.raises(permc.ModuleError, match="permc_abi_version does not have the ABI's signature"):
        permc.Authorizer(bad_sig)
    missing = wasmtime.wat2wasm('(module (memory (export "memory") 1) (func (export "permc_abi_version") (result i32) (i32.const 1)))')
    with pytest.raises(permc.ModuleError, match="does not export permc_alloc"):
        permc.Authorizer(missing)
    trap_init = wasmtime.wat2wasm(FAKE.replace("VERSION", "1").replace("PLAN", '(func (export "_initialize") unreachable)').replace("IMPORTS", ""))
    with pytest.raises(permc.ModuleError, match="failed to start"):
        permc.Authorizer(trap_init)


def test_limits() -> None:
    a = permc.Authorizer(fake(extra=CONFIGURE), limits={"max_request": 100})
    assert a.check_json(b"N") == b"0"
    with pytest.raises(permc.ModuleError, match="permc_configure"):
        permc.Authorizer(fake(), limits={"max_request": 100})
    refuses = CONFIGURE.replace("(call $echo (local.get 0) (local.get 1))", "(call $pack (i32.const 300) (i32.const 1) (i32.const 14))")
    with pytest.raises(permc.ModuleError, match="failed to start: no"):
        permc.Authorizer(fake(extra=refuses), limits={})
