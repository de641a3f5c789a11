// The module driven through its exports directly, as docs/wasm-abi.md describes them.
import { test } from "node:test";
import assert from "node:assert/strict";

import * as fixtures from "./fixtures.js";

const good = '{"principal":{"id":"alice","roles":[{"role":"library_author","scope":{"type":"org","org":"MITx"}}]},"resource":{"type":"library","id":"lib1","attributes":{"org":"MITx"}},"permission":"library.edit"}';
const goodAnswer = '{"allowed":true,"permission":"library.edit","reason":{"kind":"role","role":"library_author","assignment":0},"errors":[],"warnings":[]}';

async function instantiate() {
  const module = await WebAssembly.compile(fixtures.module("example-contentlibraries"));
  // The module imports nothing: an empty import object instantiates it.
  assert.deepEqual(WebAssembly.Module.imports(module), []);
  const ex = new WebAssembly.Instance(module, {}).exports;
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
