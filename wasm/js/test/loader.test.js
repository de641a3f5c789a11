import { test } from "node:test";
import assert from "node:assert/strict";

import { loadAuthorizer, Authorizer, PermcError, ABI_VERSION, MAX_REQUEST } from "../index.js";
import { differs } from "./compare.js";
import * as fixtures from "./fixtures.js";

const groups = fixtures.groups();
const libraries = () => fixtures.module("example-contentlibraries");

const good = {
  principal: { id: "alice", roles: [{ role: "library_author", scope: { type: "org", org: "MITx" } }] },
  resource: { type: "library", id: "lib1", attributes: { org: "MITx" } },
  permission: "library.edit",
};
const goodAnswer = '{"allowed":true,"permission":"library.edit","reason":{"kind":"role","role":"library_author","assignment":0},"errors":[],"warnings":[]}';

// Every case of every example suite and corpus group, through the module, alone and
// in one batch, answered as the reference evaluator answers.
for (const g of groups) {
  test(`parity: ${g.name} (${g.cases.length} cases)`, async () => {
    const authz = await loadAuthorizer(g.module);
    if (g.roles !== null) authz.loadRoles(g.roles);
    const failures = [];
    for (const c of g.cases) {
      const got = authz.checkJSON(c.request);
      const d = differs(c.want, got);
      if (d) failures.push(`${c.name}: ${c.request}\n${d}`);
      assert.deepEqual(authz.check(c.request), JSON.parse(got));
    }
    assert.deepEqual(failures, []);
    const batch = authz.checkBatch(g.cases.map((c) => c.request));
    assert.equal(batch.length, g.cases.length);
    g.cases.forEach((c, i) => assert.deepEqual(batch[i], JSON.parse(authz.checkJSON(c.request)), c.name));
  });
}

test("check takes objects, JSON text and UTF-8 bytes", async () => {
  const authz = await loadAuthorizer(libraries());
  assert.equal(authz.abiVersion, ABI_VERSION);
  assert.equal(authz.checkJSON(JSON.stringify(good)), goodAnswer);
  assert.equal(authz.checkJSON(new TextEncoder().encode(JSON.stringify(good))), goodAnswer);
  assert.deepEqual(authz.check(good), JSON.parse(goodAnswer));
  assert.deepEqual(authz.check(JSON.stringify(good)), JSON.parse(goodAnswer));
});

test("loads from a Response, a promise of one, and a compiled module", async () => {
  const bytes = libraries();
  const response = () => new Response(bytes, { headers: { "content-type": "application/wasm" } });
  for (const source of [response(), Promise.resolve(response()), new Response(bytes), await WebAssembly.compile(bytes)]) {
    const authz = await loadAuthorizer(source);
    assert.equal(authz.checkJSON(JSON.stringify(good)), goodAnswer);
  }
  await assert.rejects(loadAuthorizer(new Response("not found", { status: 404 })), /fetching the module: 404/);
  assert.throws(() => new Authorizer(), TypeError);
  await assert.rejects(loadAuthorizer(new Uint8Array([1, 2, 3])), WebAssembly.CompileError);
  // A valid module that is not a permc module.
  await assert.rejects(loadAuthorizer(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])), /does not export memory/);
});

// Malformed requests are answered with {error}, never thrown, and the next good
// request is answered correctly.
test("hostile requests", async () => {
  const authz = await loadAuthorizer(libraries());
  const zeros = "[" + "0,".repeat(MAX_REQUEST / 2 - 2) + "0]";
  const hostile = {
    empty: "",
    blank: " \n\t",
    "not JSON": "permission: library.edit",
    truncated: JSON.stringify(good).slice(0, 50),
    "invalid UTF-8": new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
    "lone surrogate": '{"principal":{"id":"\ud800"}}',
    deep: "[".repeat(100000),
    "1 MiB of zeros": zeros,
    "over the limit": JSON.stringify(good) + " ".repeat(MAX_REQUEST),
    "8 MiB": '{"a":'.repeat((8 << 20) / 5),
    "wrong types": '{"principal":{"id":1},"resource":[],"permission":null}',
    "not an object": [1, 2, 3],
    null: null,
  };
  for (const [name, req] of Object.entries(hostile)) {
    const answer = req instanceof Uint8Array || typeof req === "string" ? JSON.parse(authz.checkJSON(req)) : authz.check(req);
    assert.equal(typeof answer.error, "string", `${name}: ${JSON.stringify(answer).slice(0, 200)}`);
    assert.equal(authz.checkJSON(JSON.stringify(good)), goodAnswer, `after ${name}`);
  }
  assert.equal(authz.checkJSON(hostile["over the limit"]), `{"error":"the request is longer than ${MAX_REQUEST} bytes"}`);
  const batch = Object.values(hostile).flatMap((r) => [typeof r === "string" ? r : JSON.stringify(r), good]);
  const answers = authz.checkBatch(batch);
  batch.forEach((r, i) => assert.deepEqual(answers[i], authz.check(r), `batch answer ${i}`));
});

test("custom roles: validated, kept on error, replaced whole", async () => {
  const authz = await loadAuthorizer(libraries());
  const asReviewer = { ...good, permission: "library.view", principal: { id: "bob", roles: [{ role: "reviewer", scope: { type: "libraries", ids: ["lib1"] } }] } };
  assert.equal(authz.check(asReviewer).allowed, false);
  authz.loadRoles([{ name: "reviewer", permissions: ["library.view"], scopes: ["libraries"] }]);
  assert.equal(authz.check(asReviewer).allowed, true);
  for (const bad of [
    [{ name: "r", permissions: ["library.vew"] }],
    [{ name: "library_user", permissions: ["library.view"] }],
    '[{"name": "r"',
    "",
    { roles: [{ name: "r", permissions: ["library.view"], scopes: ["orgs"] }] },
  ]) {
    assert.throws(() => authz.loadRoles(bad), (e) => e instanceof PermcError && e.status === 1 && e.message.length > 0, JSON.stringify(bad));
  }
  assert.throws(() => authz.loadRoles([{ name: "r", permissions: ["library.vew"] }]), /unknown permission "library.vew" \(did you mean "library.view"\?\)/);
  assert.equal(authz.check(asReviewer).allowed, true);
  authz.loadRoles({ roles: [] });
  assert.equal(authz.check(asReviewer).allowed, false);
});

test("metadata", async () => {
  const authz = await loadAuthorizer(libraries());
  const m = authz.metadata();
  assert.equal(m.package, "libauthz");
  assert.ok(m.permissions.includes("library.edit"));
  assert.match(m.spec_sha256, /^[0-9a-f]{64}$/);
  m.package = "changed";
  assert.equal(authz.metadata().package, "libauthz");
});

// An instance that fails (here: its memory overwritten) makes the call throw, and the
// next call runs on a fresh instance with the custom roles reloaded.
test("a failed instance is replaced", async () => {
  const Instance = WebAssembly.Instance;
  let last = null;
  WebAssembly.Instance = class extends Instance {
    constructor(module, imports) {
      super(module, imports);
      last = this;
    }
  };
  try {
    const stderr = [];
    const authz = await loadAuthorizer(libraries(), { stderr: (line) => stderr.push(line) });
    authz.loadRoles([{ name: "auditor", permissions: ["library.*"] }]);
    const asAuditor = { ...good, principal: { id: "a", roles: [{ role: "auditor", scope: { type: "global" } }] } };
    assert.equal(authz.check(asAuditor).allowed, true);
    const first = last;
    new Uint8Array(first.exports.memory.buffer).fill(0);
    assert.throws(() => authz.check(asAuditor), (e) => e instanceof PermcError && e.status === -1);
    assert.equal(authz.check(asAuditor).allowed, true);
    assert.notEqual(last, first);
  } finally {
    WebAssembly.Instance = Instance;
  }
});
