// The fixtures the tests run (see internal/wasmtest/jsfixtures): test/run.js builds
// them and passes their folder in PERMC_JS_FIXTURES.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { jsonLines } from "./compare.js";

export const dir = process.env.PERMC_JS_FIXTURES;
if (!dir) throw new Error("PERMC_JS_FIXTURES is not set: run the tests with `npm test` (test/run.js)");

/** The groups: name, module bytes, custom roles (text or null), cases, plan cases. */
export function groups() {
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  return manifest.map((g) => ({
    name: g.name,
    module: readFileSync(join(dir, g.wasm)),
    roles: g.roles ? readFileSync(join(dir, g.roles), "utf8") : null,
    cases: jsonLines(readFileSync(join(dir, g.cases), "utf8")),
    plans: jsonLines(readFileSync(join(dir, g.plans), "utf8")),
  }));
}

/** The module of one group. */
export function module(name) {
  return readFileSync(join(dir, name + ".wasm"));
}
