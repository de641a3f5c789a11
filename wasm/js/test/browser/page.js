// Runs in the browser: every fixture group through the loader, as the Node parity
// test does, then a hostile request and a failed instance; POSTs a report to the
// test's server (test/browser.test.js).
import { loadAuthorizer, PermcError } from "/index.js";
import { differs, jsonLines } from "/test/compare.js";

const report = { userAgent: navigator.userAgent, passed: 0, failures: [], groups: [] };
const get = async (path) => {
  const r = await fetch(path);
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r;
};

try {
  const manifest = await (await get("/fixtures/manifest.json")).json();
  for (const g of manifest) {
    // A Response served as application/wasm: compiled while it downloads.
    const authz = await loadAuthorizer(get("/fixtures/" + g.wasm));
    if (g.roles) authz.loadRoles(await (await get("/fixtures/" + g.roles)).text());
    const cases = jsonLines(await (await get("/fixtures/" + g.cases)).text());
    for (const c of cases) {
      const d = differs(c.want, authz.checkJSON(c.request));
      if (d) report.failures.push(`${g.name}: ${c.name}: ${d}`);
      else report.passed++;
    }
    const batch = authz.checkBatch(cases.map((c) => c.request));
    cases.forEach((c, i) => {
      const d = differs(JSON.stringify(batch[i]), JSON.stringify(JSON.parse(authz.checkJSON(c.request))));
      if (d) report.failures.push(`${g.name}: batch ${c.name}: ${d}`);
    });
    report.groups.push({ name: g.name, cases: cases.length });
  }

  const libraries = await loadAuthorizer(get("/fixtures/example-contentlibraries.wasm"));
  const good = {
    principal: { id: "alice", roles: [{ role: "library_author", scope: { type: "org", org: "MITx" } }] },
    resource: { type: "library", id: "lib1", attributes: { org: "MITx" } },
    permission: "library.edit",
  };
  const hostile = libraries.check("[".repeat(100000) + '"\ud800');
  if (typeof hostile.error !== "string") report.failures.push(`hostile request: ${JSON.stringify(hostile)}`);
  if (libraries.check(good).allowed !== true) report.failures.push("good request after a hostile one");

  // A failed instance: the call throws, the next runs on a fresh instance (made
  // synchronously on the page's main thread) with the custom roles reloaded. The
  // instance's permc_check traps once armed, as a module that hit a bug would.
  const Instance = WebAssembly.Instance;
  let armed = false;
  WebAssembly.Instance = class extends Instance {
    constructor(module, imports) {
      super(module, imports);
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
    const authz = await loadAuthorizer(get("/fixtures/example-contentlibraries.wasm"));
    authz.loadRoles([{ name: "auditor", permissions: ["library.*"] }]);
    const asAuditor = { ...good, principal: { id: "a", roles: [{ role: "auditor", scope: { type: "global" } }] } };
    armed = true;
    try {
      authz.check(asAuditor);
      report.failures.push("a call that trapped did not throw");
    } catch (e) {
      if (!(e instanceof PermcError) || e.status !== -1) report.failures.push(`failed instance: ${e}`);
    }
    if (authz.check(asAuditor).allowed !== true) report.failures.push("the replaced instance lost the custom roles");
  } finally {
    WebAssembly.Instance = Instance;
  }
} catch (e) {
  report.error = String(e && e.stack ? e.stack : e);
}
document.getElementById("status").textContent = report.error ? "error" : `${report.passed} passed, ${report.failures.length} failed`;
await fetch("/result", { method: "POST", body: JSON.stringify(report) });
