// The module driven through its exports directly, as docs/wasm-abi.md describes them,
// and the WASI shim on its own.
import { test } from "node:test";
import assert from "node:assert/strict";

import { wasiImports, WasiExit } from "../wasi.js";
import * as fixtures from "./fixtures.js";

const good = '{"principal":{"id":"alice","roles":[{"role":"library_author","scope":{"type":"org","org":"MITx"}}]},"resource":{"type":"library","id":"lib1","attributes":{"org":"MITx"}},"permission":"library.edit"}';
const goodAnswer = '{"allowed":true,"permission":"library.edit","reason":{"kind":"role","role":"library_author","assignment":0},"errors":[],"warnings":[]}';

async function instantiate() {
  const module = await WebAssembly.compile(fixtures.module("example-contentlibraries"));
  let instance;
  instance = new WebAssembly.Instance(module, wasiImports(module, () => instance.exports.memory, {}));
  instance.exports._initialize();
  const ex = instance.exports;
  const unpack = (r) => {
    const ptr = Number(r >> 32n), status = Number((r >> 28n) & 0xfn), len = Number(r & 0xfffffffn);
    return [status, new TextDecoder().decode(new Uint8Array(ex.memory.buffer, ptr, len))];
  };
  const put = (text) => {
    const bytes = new TextEncoder().encode(text);
    const ptr = ex.permc_alloc(bytes.length) >>> 0;
    assert.notEqual(ptr, 0);
    new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
    return [ptr, bytes.length];
  };
  return { ex, unpack, put };
}

test("bad calls are error results, never traps", async () => {
  const { ex, unpack, put } = await instantiate();
  assert.equal(ex.permc_abi_version(), 1);
  const [req, len] = put(good);
  const [freed] = put("{}");
  ex.permc_free(freed);
  const memSize = ex.memory.buffer.byteLength;
  const bad = {
    null: [0, 10],
    "past the block": [req, len + 1],
    "inside the block": [req + 1, 10],
    freed: [freed, 2],
    "past memory": [memSize + 16, 10],
    "4 GiB long": [req, -1],
    "top of the address space": [-16, -1],
  };
  for (const [name, [ptr, n]] of Object.entries(bad)) {
    for (const fn of ["permc_check", "permc_check_batch", "permc_load_roles"]) {
      const [status, text] = unpack(ex[fn](ptr, n));
      assert.equal(status, 2, `${name}, ${fn}: ${text}`);
      assert.match(text, /^\{"error":"no block of /);
      assert.deepEqual(unpack(ex.permc_check(req, len)), [0, goodAnswer], `after ${name}, ${fn}`);
    }
  }
  assert.equal(ex.permc_alloc(-1), 0);
  assert.equal(ex.permc_alloc((4 << 20) + 1), 0);
  for (const p of [0, 12345, memSize + 1, -1]) ex.permc_free(p);
  assert.deepEqual(unpack(ex.permc_check(req, len)), [0, goodAnswer]);
});

test("statuses, batch forms, roles and metadata", async () => {
  const { ex, unpack, put } = await instantiate();
  const call = (fn, text) => {
    const [p, n] = put(text);
    try {
      return unpack(ex[fn](p, n));
    } finally {
      ex.permc_free(p);
    }
  };
  assert.deepEqual(call("permc_check", good), [0, goodAnswer]);
  assert.equal(call("permc_check", '{"principal":{}}')[0], 1);
  assert.deepEqual(call("permc_check_batch", good + "\n\n" + good + "\n"), [0, goodAnswer + "\n" + goodAnswer + "\n"]);
  assert.deepEqual(call("permc_check_batch", `[${good}, ${good}]`), [0, `[${goodAnswer},${goodAnswer}]`]);
  assert.equal(call("permc_check_batch", `[${good}`)[0], 1);
  assert.equal(call("permc_load_roles", '[{"name":"r","permissions":["nope"]}]')[0], 1);
  assert.deepEqual(call("permc_load_roles", '[{"name":"r","permissions":["library.*"]}]'), [0, ""]);
  assert.match(call("permc_check", good.replace("library_author", "r"))[1], /"role":"r"/);
  const [status, meta] = unpack(ex.permc_metadata());
  assert.equal(status, 0);
  assert.equal(JSON.parse(meta).package, "libauthz");
});

test("WASI shim", async () => {
  const module = await WebAssembly.compile(fixtures.module("example-contentlibraries"));
  const memory = new WebAssembly.Memory({ initial: 1 });
  const out = [], err = [];
  const w = wasiImports(module, () => memory, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) }).wasi_snapshot_preview1;
  const names = WebAssembly.Module.imports(module).map((i) => i.name).sort();
  assert.deepEqual(Object.keys(w).sort(), names);
  const v = new DataView(memory.buffer);
  const u8 = new Uint8Array(memory.buffer);

  // fd_write gathers iovecs and hands complete lines to the callbacks.
  u8.set(new TextEncoder().encode("hello, wo"), 100);
  u8.set(new TextEncoder().encode("rld\npart"), 200);
  v.setUint32(0, 100, true); v.setUint32(4, 9, true);
  v.setUint32(8, 200, true); v.setUint32(12, 8, true);
  assert.equal(w.fd_write(2, 0, 2, 16), 0);
  assert.equal(v.getUint32(16, true), 17);
  assert.deepEqual(err, ["hello, world"]);
  u8.set(new TextEncoder().encode("ial\n"), 300);
  v.setUint32(0, 300, true); v.setUint32(4, 4, true);
  w.fd_write(2, 0, 1, 16);
  assert.deepEqual(err, ["hello, world", "partial"]);
  assert.equal(w.fd_write(7, 0, 1, 16), 8); // EBADF
  assert.deepEqual(out, []);

  // random_get fills more than getRandomValues' 65536 bytes a call.
  const big = new WebAssembly.Memory({ initial: 3 });
  const wb = wasiImports(module, () => big, {}).wasi_snapshot_preview1;
  assert.equal(wb.random_get(10, 100000), 0);
  const filled = new Uint8Array(big.buffer, 10, 100000);
  assert.ok(filled.subarray(70000, 70100).some((b) => b !== 0));

  // Clocks: realtime near Date.now(), monotonic not going backwards; others EINVAL.
  assert.equal(w.clock_time_get(0, 1000n, 32), 0);
  assert.ok(Math.abs(Number(v.getBigUint64(32, true) / 1000000n) - Date.now()) < 1000);
  w.clock_time_get(1, 1000n, 32);
  const t1 = v.getBigUint64(32, true);
  w.clock_time_get(1, 1000n, 32);
  assert.ok(v.getBigUint64(32, true) >= t1);
  assert.equal(w.clock_time_get(9, 0n, 32), 28);

  // poll_oneoff: a clock subscription fires at once.
  v.setBigUint64(400, 77n, true); v.setUint8(408, 0);
  assert.equal(w.poll_oneoff(400, 500, 1, 600), 0);
  assert.equal(v.getUint32(600, true), 1);
  assert.equal(v.getBigUint64(500, true), 77n);
  assert.equal(v.getUint16(508, true), 0);

  // No arguments, environment or preopened directories; proc_exit throws.
  assert.equal(w.args_sizes_get(40, 44), 0);
  assert.equal(v.getUint32(40, true), 0);
  assert.equal(w.fd_prestat_get(3, 48), 8);
  assert.throws(() => w.proc_exit(2), (e) => e instanceof WasiExit && e.code === 2);
});
