"""The Authorizer: a pool of instances of one permc module, on wasmtime.

The module's ABI is docs/wasm-abi.md in the permc repository; this host follows the
reference hosts (the Go package ``github.com/permc/permc/wasm`` and the JavaScript
loader ``wasm/js``) call for call.
"""

from __future__ import annotations

import base64
import collections
import ctypes
import hashlib
import datetime as _dt
import json
import atexit
import os
import threading
import weakref
from typing import TYPE_CHECKING, Any, Callable, Generic, Iterable, Mapping, Sequence

import wasmtime

from ._errors import (
    ClosedError,
    InstanceError,
    ModuleError,
    PermcError,
    PlanUnavailable,
    RequestError,
    RolesError,
    UnsupportedError,
)
from ._types import Decision, Plan

if TYPE_CHECKING:
    from typing_extensions import TypeVar

    RequestT = TypeVar("RequestT", bound=Mapping[str, Any], default=Mapping[str, Any])
else:
    from typing import TypeVar

    RequestT = TypeVar("RequestT", bound=Mapping[str, Any])

#: The module ABI version this host speaks.
ABI_VERSION = 1
#: The longest request (in UTF-8 bytes) a module decides; a longer one is answered
#: ``{"error": "the request is longer than 1048576 bytes"}``.
MAX_REQUEST = 1 << 20
#: The largest block ``permc_alloc`` hands out.
MAX_BLOCK = 4 << 20
#: The most requests in one ``permc_check_batch`` call.
MAX_BATCH = 4096
#: An instance's memory limit when none is given: a typical request needs under
#: 1 MiB, the hungriest request of MAX_REQUEST bytes less than 12 MiB.
DEFAULT_MEMORY_LIMIT = 64 << 20

# Result statuses (bits 28-31 of an export's i64).
OK, REJECTED, BAD_CALL, INTERNAL = 0, 1, 2, 3
# The message of the module's INTERNAL answer when its memory cannot grow.
_OUT_OF_MEMORY = "permc module: out of memory"

_REQUIRED = ("permc_abi_version", "permc_alloc", "permc_free", "permc_check", "permc_check_batch", "permc_load_roles", "permc_metadata")
_OPTIONAL = ("permc_plan", "permc_configure")
# The signature each export must have, as (params, results) of wasmtime ValTypes.
_SIGNATURES = {
    "permc_abi_version": ((), ("i32",)),
    "permc_alloc": (("i32",), ("i32",)),
    "permc_free": (("i32",), ()),
    "permc_check": (("i32", "i32"), ("i64",)),
    "permc_check_batch": (("i32", "i32"), ("i64",)),
    "permc_load_roles": (("i32", "i32"), ("i64",)),
    "permc_plan": (("i32", "i32"), ("i64",)),
    "permc_configure": (("i32", "i32"), ("i64",)),
    "permc_metadata": ((), ("i64",)),
    "_initialize": ((), ()),
}

# wasmtime's raw C calls: a call through Func.__call__ costs about 17 µs of Python
# (it looks the function's type up and converts every value), a raw call about 1 µs.
# The export signatures are checked when an instance starts, which is what makes the
# unchecked call safe. Without these private bindings the public API serves.
try:
    from wasmtime import _bindings as _raw

    _call_unchecked = _raw._wasmtime_func_call_unchecked
    _memory_data = _raw._wasmtime_memory_data
    _memory_size = _raw._wasmtime_memory_data_size
    _RawVals = _raw.wasmtime_val_raw_t * 2
    _TrapPtr = ctypes.POINTER(_raw.wasm_trap_t)
    FAST_CALLS = True
except (ImportError, AttributeError):  # pragma: no cover - depends on wasmtime's version
    FAST_CALLS = False


# Instances are dropped before the interpreter shuts down, while wasmtime's objects
# can still be freed in order.
_hosts: weakref.WeakSet[Authorizer[Any]] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for h in list(_hosts):
        h.close()


# One engine per process, as wasmtime advises, and its compiled modules by content:
# an Authorizer made again for the same module (a test suite, a reloaded settings
# module) does not compile it again.
_engine_lock = threading.Lock()
_engine: wasmtime.Engine | None = None
_compiled: weakref.WeakValueDictionary[str, wasmtime.Module] = weakref.WeakValueDictionary()


def _compile(module: bytes) -> tuple[wasmtime.Engine, wasmtime.Module]:
    global _engine
    key = hashlib.sha256(module).hexdigest()
    with _engine_lock:
        if _engine is None:
            _engine = wasmtime.Engine()
        compiled = _compiled.get(key)
        if compiled is None:
            try:
                compiled = wasmtime.Module(_engine, module)
            except wasmtime.WasmtimeError as e:
                raise ModuleError(f"compiling the module: {e}") from None
            _compiled[key] = compiled
        return _engine, compiled


class _Failed(Exception):
    """The instance is in no state to be trusted: a trap, an exit, a broken result."""


class _CallError(Exception):
    """A result other than OK, in good order: the module's message and status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error_message(res: bytes) -> str:
    try:
        v = json.loads(res)
        if isinstance(v, dict) and isinstance(v.get("error"), str):
            return str(v["error"])
    except ValueError:
        pass
    return res.decode("utf-8", "replace")


def _json_default(v: Any) -> Any:
    """Encodes the Python values a request may hold beyond JSON's own, as the request
    format writes them (docs/spec.md: types and their JSON encoding)."""
    if isinstance(v, _dt.datetime):
        if v.tzinfo is None or v.utcoffset() is None:
            raise TypeError(f"a naive datetime ({v}) has no time zone: give it one (permc reads RFC 3339 timestamps)")
        return v.isoformat()
    if isinstance(v, _dt.timedelta):
        us = (v.days * 86400 + v.seconds) * 1_000_000 + v.microseconds
        return f"{us}us"
    if isinstance(v, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(v)).decode("ascii")
    if isinstance(v, (set, frozenset, tuple)):
        return list(v)
    raise TypeError(f"{type(v).__name__} values have no JSON encoding in a permc request")


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_json_default)


def encode_request(request: Mapping[str, Any] | bytes | bytearray | memoryview | str) -> bytes:
    """Returns a request as the UTF-8 JSON the module reads: bytes pass as they are,
    text is encoded, and a mapping is serialized, with timezone-aware datetimes as RFC
    3339 timestamps, timedeltas as durations, bytes as base64 and sets and tuples as
    lists.

    Raises :class:`RequestError` for a float that JSON cannot hold (NaN, infinities),
    and TypeError for a value of another type.
    """
    if isinstance(request, bytes):
        return request
    if isinstance(request, (bytearray, memoryview)):
        return bytes(request)
    if isinstance(request, str):
        # A lone surrogate becomes invalid UTF-8, which the module answers with an error.
        return request.encode("utf-8", "surrogatepass")
    try:
        text = _ENCODER.encode(request)
    except ValueError as e:
        raise RequestError(f"the request cannot be written as JSON: {e}") from None
    return text.encode("utf-8", "surrogatepass")


def _one_line(req: bytes) -> bool:
    """Whether a request can be one line of a JSON Lines batch: at most MAX_REQUEST
    bytes, no newline, not blank (the module skips blank lines), not starting with "["
    (which makes the module read the batch as an array). One that cannot is malformed
    or too long anyway, and is checked alone."""
    t = req.lstrip(b" \t\r")
    return len(req) <= MAX_REQUEST and len(t) > 0 and t[:1] != b"[" and b"\n" not in req


class _Waiter:
    """A caller waiting for an instance: _release hands it one (inst), or the right to
    start one (inst None), or tells it the authorizer closed."""

    __slots__ = ("ready", "inst", "closed")

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.inst: _Instance | None = None
        self.closed = False


class _Instance:
    """One module instance, its store, and the block it reads inputs from. Used by
    one thread at a time."""

    def __init__(self, host: Authorizer[Any]) -> None:
        store = wasmtime.Store(host._engine)
        store.set_limits(memory_size=host._memory_limit)
        try:
            instance = host._linker.instantiate(store, host._module)
        except (wasmtime.WasmtimeError, wasmtime.Trap) as e:
            raise _Failed(f"starting an instance: {e}") from None
        exports = instance.exports(store)
        mem = exports.get("memory")
        if not isinstance(mem, wasmtime.Memory):
            raise ModuleError("the module does not export its memory: not a permc module")
        self.store = store
        self.mem = mem
        self.funcs: dict[str, wasmtime.Func] = {}
        for name in (*_REQUIRED, *_OPTIONAL, "_initialize"):
            f = exports.get(name)
            if f is None:
                if name in _REQUIRED:
                    raise ModuleError(f"the module does not export {name}: not a permc module")
                continue
            if not isinstance(f, wasmtime.Func) or _signature(f.type(store)) != _SIGNATURES[name]:
                raise ModuleError(f"the module's export {name} does not have the ABI's signature")
            self.funcs[name] = f
        self.block = 0
        self.block_len = 0
        self.gen = 0  # the generation of custom roles loaded
        if FAST_CALLS:
            self._ctx = store._context()
            self._vals = _RawVals()
            self._memref = ctypes.byref(mem._memory)
            self._refs = {n: ctypes.byref(f._func) for n, f in self.funcs.items()}
        if "_initialize" in self.funcs:
            self.call("_initialize")

    # --- calls ---

    def call(self, name: str, a: int | None = None, b: int | None = None) -> int:
        """Calls an export with up to two i32 arguments (given unsigned) and returns
        its result unsigned (0 for none). Raises _Failed on a trap or an exit."""
        args = [x & 0xFFFFFFFF for x in (a, b) if x is not None]
        results = _SIGNATURES[name][1]
        if FAST_CALLS:
            vals = self._vals
            for i, x in enumerate(args):
                vals[i].i32 = x - (1 << 32) if x >= 1 << 31 else x
            trap = _TrapPtr()
            err = _call_unchecked(self._ctx, self._refs[name], vals, 2, ctypes.byref(trap))
            if err:
                raise _Failed(str(wasmtime.WasmtimeError._from_ptr(err)))
            if trap:
                raise _Failed(str(wasmtime.Trap._from_ptr(trap)))
            if not results:
                return 0
            return vals[0].i64 & 0xFFFFFFFFFFFFFFFF if results[0] == "i64" else vals[0].i32 & 0xFFFFFFFF
        try:
            r = self.funcs[name](self.store, *(x - (1 << 32) if x >= 1 << 31 else x for x in args))
        except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
            raise _Failed(str(e)) from None
        if not results:
            return 0
        return int(r) & (0xFFFFFFFFFFFFFFFF if results[0] == "i64" else 0xFFFFFFFF)

    def _memory(self) -> tuple[int, int]:
        """The address and size of linear memory as it is now: memory may grow, and
        move, during any call."""
        if FAST_CALLS:
            return ctypes.addressof(_memory_data(self._ctx, self._memref).contents), _memory_size(self._ctx, self._memref)
        return ctypes.addressof(self.mem.data_ptr(self.store).contents), self.mem.data_len(self.store)

    def result(self, packed: int) -> tuple[int, bytes]:
        """Unpacks an export's i64 and copies the result out: it is valid only until
        the instance's next call."""
        ptr, status, n = packed >> 32, (packed >> 28) & 0xF, packed & 0x0FFFFFFF
        if n == 0:
            return status, b""
        base, size = self._memory()
        if ptr + n > size:
            raise _Failed(f"the module returned {n} bytes at {ptr}, outside its memory of {size}")
        return status, ctypes.string_at(base + ptr, n)

    def write(self, data: bytes) -> None:
        """Copies input into the instance's block, growing it first when needed."""
        if len(data) > MAX_BLOCK:
            raise _CallError(REJECTED, f"the input is longer than {MAX_BLOCK} bytes")
        if len(data) > self.block_len or self.block == 0:
            size = min(max(len(data), 2 * self.block_len, 4096), MAX_BLOCK)
            if self.block:
                self.call("permc_free", self.block)
                self.block, self.block_len = 0, 0
            ptr = self.call("permc_alloc", size)
            if ptr == 0:
                raise _CallError(INTERNAL, _OUT_OF_MEMORY)
            self.block, self.block_len = ptr, size
        if data:
            base, size = self._memory()
            if self.block + len(data) > size:
                raise _Failed(f"the module's block at {self.block} is outside its memory")
            ctypes.memmove(base + self.block, data, len(data))

    def invoke(self, name: str, data: bytes) -> tuple[int, bytes]:
        """Passes data to an export and returns its status and result."""
        self.write(data)
        return self.result(self.call(name, self.block, len(data)))

    def call_ok(self, name: str, data: bytes) -> bytes:
        """Like invoke, but any status other than OK is a _CallError."""
        status, res = self.invoke(name, data)
        if status != OK:
            raise _CallError(status, _error_message(res))
        return res

    def check_one(self, req: bytes) -> tuple[int, bytes]:
        """The answer to one request: a decision (OK) or a request error (REJECTED)."""
        # The module answers a request longer than MAX_REQUEST with an error without
        # reading it, so a longer one need not be copied whole.
        if len(req) > MAX_REQUEST:
            req = req[: MAX_REQUEST + 1]
        status, res = self.invoke("permc_check", req)
        if status not in (OK, REJECTED):
            raise _CallError(status, _error_message(res))
        return status, res

    def check_batch(self, reqs: Sequence[bytes]) -> list[bytes]:
        """Sends the requests as JSON Lines, in chunks within the module's limits; a
        request that cannot be a line is checked alone, so that it gets exactly the
        answer check_one gives it."""
        answers: list[bytes] = []
        lines: list[bytes] = []
        size = 0

        def flush() -> None:
            nonlocal size
            if not lines:
                return
            out = self.call_ok("permc_check_batch", b"".join(lines))
            got = out.split(b"\n")
            if len(got) != len(lines) + 1 or got[-1] != b"":
                raise _Failed(f"the module gave {len(got) - 1} answers to {len(lines)} requests")
            answers.extend(got[:-1])
            lines.clear()
            size = 0

        for req in reqs:
            if not _one_line(req):
                flush()
                answers.append(self.check_one(req)[1])
                continue
            if len(lines) == MAX_BATCH or size + len(req) + 1 > MAX_BLOCK:
                flush()
            lines.append(req + b"\n")
            size += len(req) + 1
        flush()
        return answers


def _signature(ft: wasmtime.FuncType) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(str(t) for t in ft.params), tuple(str(t) for t in ft.results)


class Authorizer(Generic[RequestT]):
    """Answers authorization requests with a permc module (``permc build-wasm``).

    The module is compiled once; instances are started as calls need them, up to
    ``instances`` at once (the CPU count by default), each running one call at a time,
    so that an Authorizer may be shared by every thread of a process (Django under a
    threaded server). Requests and answers are JSON, byte for byte those of the Go code
    permc generates from the same spec.

    ``module`` is the module's bytes or a path to it. ``memory_limit`` bounds each
    instance's linear memory (64 MiB by default); an instance that runs out fails its
    call and is replaced. ``limits``, for modules that export ``permc_configure``, is
    passed to every instance as JSON.

    Raises :class:`ModuleError` when the module is not valid Wasm or not a permc
    module, speaks another ABI version, imports anything, or fails to start.

    An Authorizer is generic in the type of its requests, for type checkers only:
    ``authz: Authorizer[libauthz.Request] = Authorizer("libauthz.wasm")`` with the
    types ``permc pyi`` writes.
    """

    def __init__(
        self,
        module: bytes | bytearray | memoryview | str | os.PathLike[str],
        *,
        instances: int | None = None,
        memory_limit: int = DEFAULT_MEMORY_LIMIT,
        limits: Mapping[str, Any] | None = None,
    ) -> None:
        if isinstance(module, (bytearray, memoryview)):
            module = bytes(module)
        elif not isinstance(module, bytes):
            with open(module, "rb") as f:
                module = f.read()
        self._engine, self._module = _compile(module)
        for imp in self._module.imports:
            raise ModuleError(f"the module imports {imp.module}.{imp.name}: a permc module imports nothing (rebuild it with this permc)")
        self._linker = wasmtime.Linker(self._engine)
        self._memory_limit = memory_limit
        self._limits = None if limits is None else json.dumps(limits, separators=(",", ":")).encode()
        self._max = instances if instances and instances > 0 else (os.cpu_count() or 1)
        self._lock = threading.Lock()
        self._idle: list[_Instance] = []
        self._waiters: collections.deque[_Waiter] = collections.deque()
        self._live = 0
        self._closed = False
        self._roles_lock = threading.Lock()
        self._roles: tuple[int, bytes] = (0, b"[]")  # (generation, document)

        try:
            first = self._start()
        except (_Failed, _CallError) as e:
            raise ModuleError(f"the module failed to start: {e}") from None
        self._live = 1
        version = first.call("permc_abi_version")
        if version != ABI_VERSION:
            raise ModuleError(
                f"the module speaks ABI version {version} and this host version {ABI_VERSION}; "
                "build the module with a permc that matches this package"
            )
        status, meta = first.result(first.call("permc_metadata"))
        if status != OK:
            raise ModuleError(f"permc_metadata: {_error_message(meta)}")
        self._metadata = meta
        self.can_plan = "permc_plan" in first.funcs
        """Whether the module computes query plans (it exports ``permc_plan``)."""
        self._idle.append(first)
        _hosts.add(self)

    # --- the pool ---

    def _start(self) -> _Instance:
        inst = _Instance(self)
        if self._limits is not None:
            if "permc_configure" not in inst.funcs:
                raise ModuleError("limits were given, but the module has no permc_configure export (built by an older permc)")
            inst.call_ok("permc_configure", self._limits)
        return inst

    def _acquire(self) -> _Instance:
        """An idle instance, or a new one when the pool has room; else waits, first
        come first served, for one to be released. The instance has the custom roles
        in force."""
        inst: _Instance | None = None
        w: _Waiter | None = None
        with self._lock:
            if self._closed:
                raise ClosedError("the authorizer is closed")
            if self._waiters:
                # Callers already waiting go first: a busy pool cannot starve one
                # (load_roles among many threads that check, say).
                w = _Waiter()
                self._waiters.append(w)
            elif self._idle:
                inst = self._idle.pop()
            elif self._live < self._max:
                self._live += 1
            else:
                w = _Waiter()
                self._waiters.append(w)
        if w is not None:
            w.ready.wait()
            if w.closed:
                raise ClosedError("the authorizer is closed")
            inst = w.inst  # None: the right to start a new instance
        if inst is None:
            try:
                inst = self._start()
            except BaseException as e:
                self._drop()
                if isinstance(e, (_Failed, _CallError)):
                    raise InstanceError(f"starting an instance: {e}") from None
                raise
        gen, roles = self._roles
        if inst.gen != gen:
            try:
                inst.call_ok("permc_load_roles", roles)
            except (_Failed, _CallError) as e:
                self._release(inst, failed=True)
                raise InstanceError(f"reloading the custom roles into an instance: {e}") from None
            inst.gen = gen
        return inst

    def _drop(self) -> None:
        self._release(None, failed=True)

    def _release(self, inst: _Instance | None, failed: bool) -> None:
        """Returns an instance to the pool, or drops it after a failed call: an
        instance that trapped or ran out of memory is in no state to be trusted. The
        first caller waiting gets the instance, or the right to start a new one."""
        with self._lock:
            if failed or self._closed:
                self._live -= 1
                inst = None
            if self._waiters and not self._closed:
                w = self._waiters.popleft()
                if inst is None:
                    self._live += 1
                w.inst = inst
                w.ready.set()
            elif inst is not None:
                self._idle.append(inst)

    def _run(self, fn: Callable[[_Instance], Any]) -> Any:
        """Runs fn on an instance; failures become InstanceError, other statuses
        PermcError with the module's message."""
        inst = self._acquire()
        try:
            out = fn(inst)
        except _Failed as e:
            self._release(inst, failed=True)
            raise InstanceError(f"the module instance failed (it is replaced): {e}") from None
        except _CallError as e:
            # A bug caught inside the module leaves the instance usable in principle;
            # it is replaced all the same, as the Go host does.
            self._release(inst, failed=e.status == INTERNAL)
            if e.status == INTERNAL and e.message == _OUT_OF_MEMORY:
                # The module answers so when its memory cannot grow: a call that needs
                # more than memory_limit, which the instance keeps once grown.
                raise InstanceError(
                    f"the instance ran out of memory (limit {self._memory_limit >> 20} MiB) and was replaced"
                ) from None
            raise PermcError(e.message, e.status) from None
        except BaseException:
            self._release(inst, failed=True)
            raise
        self._release(inst, failed=False)
        return out

    # --- checks ---

    def check_json(self, request: bytes | bytearray | memoryview | str) -> bytes:
        """Answers one request given as JSON (bytes or text) with the module's exact
        answer: the decision, or ``{"error": "..."}`` for a malformed request, byte
        for byte what the Go code generated from the same spec answers.

        Raises :class:`InstanceError` when the call got no answer (treat the request
        as denied), :class:`ClosedError` after :meth:`close`.
        """
        req = encode_request(request)
        status, res = self._run(lambda inst: inst.check_one(req))
        return res  # type: ignore[no-any-return]

    def check(self, request: RequestT | bytes | str) -> Decision:
        """Answers one request (a mapping, or its JSON) with a :class:`Decision`.

        Raises :class:`RequestError` with the module's message for a malformed
        request, :class:`InstanceError` when the call got no answer (treat the request
        as denied).
        """
        req = encode_request(request)
        status, res = self._run(lambda inst: inst.check_one(req))
        if status != OK:
            raise RequestError(_error_message(res))
        return Decision.from_json(res)

    def check_batch_json(self, requests: Iterable[bytes | str]) -> list[bytes]:
        """Answers many requests given as JSON, in order, in as few calls into the
        module as their size allows: one answer per request, each exactly as
        :meth:`check_json` gives it."""
        reqs = [encode_request(r) for r in requests]
        return self._run(lambda inst: inst.check_batch(reqs))  # type: ignore[no-any-return]

    def check_batch(self, requests: Iterable[RequestT | bytes | str]) -> list[Decision | RequestError]:
        """Answers many requests in few calls into the module: for each, in order, a
        :class:`Decision`, or a :class:`RequestError` (returned, not raised) for a
        malformed one."""
        out: list[Decision | RequestError] = []
        for answer in self.check_batch_json([encode_request(r) for r in requests]):
            d = json.loads(answer)
            out.append(RequestError(str(d["error"])) if "error" in d else Decision.from_dict(d))
        return out

    # --- plans ---

    def plan_json(self, request: Mapping[str, Any] | bytes | str, permission: str | None = None) -> bytes:
        """The query plan of a request without its resource (or with only its
        ``type``), as JSON: exactly what ``permc plan`` prints, without ``sql``; or
        ``{"error": "..."}`` for a malformed request. ``permission``, when given,
        replaces the request's own.

        Raises :class:`PlanUnavailable` when the module has no ``permc_plan`` export.
        """
        if not self.can_plan:
            raise PlanUnavailable(
                "the module has no permc_plan export (it was built by a permc without query plans in Wasm): "
                "rebuild it with this permc to plan"
            )
        if permission is not None:
            try:
                doc = request if isinstance(request, Mapping) else json.loads(encode_request(request))
            except ValueError as e:
                raise RequestError(f"invalid JSON: {e}") from None
            if not isinstance(doc, Mapping):
                raise RequestError("the request is not a JSON object")
            request = {**doc, "permission": permission}
        req = encode_request(request)
        if len(req) > MAX_REQUEST:
            req = req[: MAX_REQUEST + 1]  # answered with an error, as a check is

        def plan(inst: _Instance) -> tuple[int, bytes]:
            status, res = inst.invoke("permc_plan", req)
            if status not in (OK, REJECTED):
                raise _CallError(status, _error_message(res))
            return status, res

        return self._run(plan)[1]  # type: ignore[no-any-return]

    def plan(self, request: Mapping[str, Any] | bytes | str, permission: str | None = None) -> Plan:
        """The query plan of a request without its resource: the condition a resource
        must satisfy to be allowed (see :meth:`plan_json`). Raises
        :class:`RequestError` for a malformed request, :class:`PlanUnavailable` when
        the module cannot plan."""
        return Plan.from_json(self.plan_json(request, permission))

    # --- custom roles ---

    def load_roles(self, roles: Sequence[Mapping[str, Any]] | Mapping[str, Any] | bytes | str) -> None:
        """Replaces the custom roles of every instance: a list of
        ``{"name", "description"?, "permissions", "scopes"?}``, ``{"roles": [...]}``,
        or its JSON. Checks that start after load_roles returns see them.

        Raises :class:`RolesError` with every problem, one per line (unknown
        permission or scope with "did you mean", a duplicate name, a clash with a
        built-in role); the roles in force stay in force.
        """
        data = _roles_json(roles)
        with self._roles_lock:

            def load(inst: _Instance) -> None:
                inst.call_ok("permc_load_roles", data)
                gen = self._roles[0] + 1
                self._roles = (gen, data)
                inst.gen = gen

            self._roles_call(load)

    def validate_roles(self, roles: Sequence[Mapping[str, Any]] | Mapping[str, Any] | bytes | str) -> None:
        """Checks custom roles against the spec without loading them. Raises
        :class:`RolesError` as :meth:`load_roles` does."""
        data = _roles_json(roles)

        def validate(inst: _Instance) -> None:
            inst.call_ok("permc_load_roles", data)
            inst.gen = -1  # the next call reloads the roles in force

        self._roles_call(validate)

    def _roles_call(self, fn: Callable[[_Instance], None]) -> None:
        try:
            self._run(fn)
        except PermcError as e:
            if type(e) is PermcError and e.status == REJECTED:
                raise RolesError(e.message) from None
            raise

    @property
    def roles(self) -> bytes:
        """The custom roles in force, as the JSON last loaded (``[]`` when none)."""
        return self._roles[1]

    # --- the rest ---

    def metadata(self) -> dict[str, Any]:
        """Describes the spec the module was built from: its resource types and their
        attributes, permissions, roles, scope types, credential scopes and filters,
        and the SHA-256 of its source. A fresh copy on each call."""
        return json.loads(self._metadata)  # type: ignore[no-any-return]

    def close(self) -> None:
        """Drops every instance and the compiled module. Calls waiting for an instance
        raise :class:`ClosedError`; calls in flight finish."""
        with self._lock:
            self._closed = True
            self._live -= len(self._idle)
            self._idle.clear()
            for w in self._waiters:
                w.closed = True
                w.ready.set()
            self._waiters.clear()

    def __enter__(self) -> Authorizer[RequestT]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _roles_json(roles: Sequence[Mapping[str, Any]] | Mapping[str, Any] | bytes | str) -> bytes:
    if isinstance(roles, bytes):
        return roles
    if isinstance(roles, str):
        return roles.encode("utf-8", "surrogatepass")
    return json.dumps(roles, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")



