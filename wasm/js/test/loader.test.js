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

// The plans of the same requests without their resource, answered as the module
// answers them through the Go host.
for (const g of groups) {
  test(`plans: ${g.name} (${g.plans.length} requests)`, async () => {
    const authz = await loadAuthorizer(g.module);
    if (g.roles !== null) authz.loadRoles(g.roles);
    for (const c of g.plans) {
      const got = authz.planJSON(c.request);
      assert.equal(got, c.want, `${c.name}: ${c.request}`);
      assert.deepEqual(authz.plan(JSON.parse(c.request)), JSON.parse(c.want));
    }
  });
}

test("plan answers malformed requests with their error", async () => {
  const authz = await loadAuthorizer(libraries());
  assert.deepEqual(authz.plan({ principal: { id: "a" }, permission: "library.nope" }), { error: 'unknown permission "library.nope"' });
  const plan = authz.plan({ principal: { id: "a" }, permission: "library.view" });
  assert.equal(plan.permission, "library.view");
  assert.equal(plan.resource_type, "library");
  assert.equal(plan.decision, "conditional");
});

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
  // An instance whose permc_check traps once armed, as a module that hit a bug would.
  const Instance = WebAssembly.Instance;
  let armed = false;
  const made = [];
  WebAssembly.Instance = class extends Instance {
    constructor(module, imports) {
      super(module, imports);
      made.push(this);
      const exports = super.exports;
      const trapping = {
        ...exports,
        permc_check: (...args) => {
          if (armed) {
            armed = false;
            throw new WebAssembly.RuntimeError("unreachable");
          }
          return exports.permc_check(...args);
        },
      };
      Object.defineProperty(this, "exports", { get: () => trapping });
    }
  };
  try {
    const authz = await loadAuthorizer(libraries());
    authz.loadRoles([{ name: "auditor", permissions: ["library.*"] }]);
    const asAuditor = { ...good, principal: { id: "a", roles: [{ role: "auditor", scope: { type: "global" } }] } };
    assert.equal(authz.check(asAuditor).allowed, true);
    armed = true;
    assert.throws(() => authz.check(asAuditor), (e) => e instanceof PermcError && e.status === -1 && /unreachable/.test(e.message));
    // A fresh instance, with the custom roles loaded again.
    assert.equal(authz.check(asAuditor).allowed, true);
    assert.equal(made.length, 2);
  } finally {
    WebAssembly.Instance = Instance;
  }
});

// A lone surrogate has no UTF-8 form. The loader used to encode it as U+FFFD and the
// module decided the request so changed; now the module refuses it, as it refuses any
// other invalid UTF-8, on every path a string takes.
test("a lone surrogate is refused, not replaced", async () => {
  const authz = await loadAuthorizer(libraries());
  const text = JSON.stringify(good);
  for (const lone of ["\ud800", "\udfff", "x\udbffy", "\udc00\ud800"]) {
    const req = text.replace('"alice"', `"${lone}"`);
    const offset = new TextEncoder().encode(text.slice(0, text.indexOf('"alice"') + 1)).length;
    const want = `{"error":"invalid JSON at offset ${offset}: invalid UTF-8 in string"}`;
    assert.equal(authz.checkJSON(req), want, JSON.stringify(lone));
    assert.deepEqual(authz.check(req), JSON.parse(want));
    assert.deepEqual(authz.checkBatch([good, req, text]), [JSON.parse(goodAnswer), JSON.parse(want), JSON.parse(goodAnswer)]);
    assert.throws(() => authz.loadRoles(`[{"name":"r${lone}","permissions":["library.view"]}]`), (e) => e instanceof PermcError && e.status === 1 && /invalid UTF-8 in string/.test(e.message));
  }
  // A lone surrogate in an object is escaped by JSON.stringify, and the escape refused.
  assert.match(authz.check({ ...good, principal: { ...good.principal, id: "\ud800" } }).error, /invalid surrogate pair/);
  // Pairs are characters like any other.
  const emoji = authz.check(text.replace('"alice"', '"\ud83d\ude00"'));
  assert.equal(emoji.allowed, true);
  assert.equal(authz.checkJSON(text), goodAnswer);
});

test("limits: set by the load options, checked by the module", async () => {
  const text = JSON.stringify(good);
  const n = new TextEncoder().encode(text).length;
  const authz = await loadAuthorizer(libraries(), { maxRequestBytes: n, maxRolesBytes: 60, maxBatchRequests: 3 });
  const tooLong = `{"error":"the request is longer than ${n} bytes"}`;
  assert.equal(authz.checkJSON(text), goodAnswer);
  assert.equal(authz.checkJSON(text + " "), tooLong);
  const reqs = Array.from({ length: 10 }, (_, i) => (i === 7 ? text + " " : text));
  assert.deepEqual(authz.checkBatch(reqs), reqs.map((r) => JSON.parse(r === text ? goodAnswer : tooLong)));
  authz.loadRoles('[{"name":"reviewer","permissions":["library.view"]}]');
  assert.throws(() => authz.loadRoles('[{"name":"reviewer","permissions":["library.view"]}, {}, {}, {}]'), (e) => e instanceof PermcError && e.status === 1 && e.message === "the custom roles are longer than 60 bytes");

  // A budget reaches the module: the good request takes fewer than 1000 steps.
  assert.equal((await loadAuthorizer(libraries(), { budget: 1000 })).checkJSON(text), goodAnswer);

  // The defaults: a request of 1 MiB and one byte is too long, however long it is.
  const defaults = await loadAuthorizer(libraries(), { maxRequestBytes: MAX_REQUEST });
  for (const extra of [MAX_REQUEST, 5 << 20]) {
    assert.equal(defaults.checkJSON(text + " ".repeat(extra)), `{"error":"the request is longer than ${MAX_REQUEST} bytes"}`);
  }
  for (const [options, message] of [
    [{ maxRequestBytes: 0 }, "max_request_bytes: want an integer from 1 to 4194304, not 0"],
    [{ maxRequestBytes: 5 << 20 }, "max_request_bytes: want an integer from 1 to 4194304, not 5242880"],
    [{ maxRolesBytes: 1.5 }, "max_roles_bytes: want an integer from 1 to 4194304, not 1.5"],
    [{ maxBatchRequests: "7" }, "max_batch_requests: want an integer from 1 to 65536, not a string"],
    [{ maxBatchRequests: null }, "max_batch_requests: want an integer from 1 to 65536, not null"],
    [{ budget: 0 }, "budget: want an integer from 1 to 9007199254740991, not 0"],
    [{ budget: 2 ** 53 }, "budget: want an integer from 1 to 9007199254740991, not 9007199254740992"],
  ]) {
    await assert.rejects(loadAuthorizer(libraries(), options), (e) => e instanceof PermcError && e.status === 1 && e.message === message, JSON.stringify(options));
  }
});

// A module built before permc_configure existed serves the default limits, and says
// why it cannot serve others.
test("a module without permc_configure", async () => {
  const bytes = new Uint8Array(libraries());
  const name = new TextEncoder().encode("permc_configure");
  let renamed = 0;
  for (let i = 0; i + name.length <= bytes.length; i++) {
    if (name.every((b, k) => bytes[i + k] === b)) {
      bytes[i + 6] = "x".charCodeAt(0);
      renamed++;
    }
  }
  assert.ok(renamed > 0);
  const authz = await loadAuthorizer(bytes, { maxRequestBytes: MAX_REQUEST });
  assert.equal(authz.checkJSON(JSON.stringify(good)), goodAnswer);
  await assert.rejects(loadAuthorizer(bytes, { maxRequestBytes: 100 }), /does not export permc_configure/);
});
