// Times the loader on the content-libraries example's module, with the request the Go
// host's benchmarks use (ten role assignments, the last one granting):
//
//	node bench/bench.js MODULE.wasm
//
// MODULE.wasm is what `permc build-wasm --spec examples/contentlibraries/spec.yaml
// --out MODULE.wasm` writes. Prints one line per figure.
import { readFileSync } from "node:fs";
import { loadAuthorizer } from "../index.js";

const path = process.argv[2];
if (!path) {
  console.error("usage: node bench/bench.js MODULE.wasm");
  process.exit(2);
}
const bytes = readFileSync(path);

const roles = [];
for (let i = 0; i < 9; i++) roles.push({ role: "library_user", scope: { type: "libraries", ids: [`lib${2 * i + 10}`, `lib${2 * i + 11}`] } });
roles.push({ role: "library_author", scope: { type: "org", org: "MITx" } });
const request = {
  principal: { id: "alice", attributes: { orgs: ["MITx"] }, roles },
  resource: { type: "library", id: "mit-physics", attributes: { org: "MITx", tags: ["physics"] } },
  permission: "library.edit",
  context: { time: "2026-11-22T10:00:00Z", ip: "10.1.2.3" },
};
const text = JSON.stringify(request);

// time returns the microseconds per call of fn: the best of three one-second runs,
// after two seconds of warm-up (V8 first compiles a module with its baseline
// compiler and optimizes hot functions later).
function time(fn, perCall = 1) {
  for (const start = performance.now(); performance.now() - start < 2000; ) fn();
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    let n = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < 1000) {
      for (let i = 0; i < 20; i++) fn();
      n += 20;
      elapsed = performance.now() - start;
    }
    best = Math.min(best, (elapsed * 1000) / n / perCall);
  }
  return best;
}

async function cold() {
  const start = performance.now();
  const authz = await loadAuthorizer(bytes);
  authz.checkJSON(text);
  return performance.now() - start;
}

const colds = [];
for (let i = 0; i < 5; i++) colds.push(await cold());
colds.sort((a, b) => a - b);
const authz = await loadAuthorizer(bytes);
const answer = authz.check(request);
if (answer.allowed !== true || answer.reason.assignment !== 9) throw new Error(`unexpected answer ${JSON.stringify(answer)}`);
const batch = Array.from({ length: 100 }, () => request);

console.log(`node ${process.version}, module ${bytes.length} bytes`);
console.log(`cold start (compile, instantiate, first check): ${colds[2].toFixed(1)} ms (median of 5)`);
console.log(`checkJSON, 10 assignments: ${time(() => authz.checkJSON(text)).toFixed(2)} µs/check`);
console.log(`check (object in, object out): ${time(() => authz.check(request)).toFixed(2)} µs/check`);
console.log(`checkBatch of 100: ${time(() => authz.checkBatch(batch), 100).toFixed(2)} µs/request`);
