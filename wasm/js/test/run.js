// Runs the loader's tests: builds the fixtures (modules, declarations and cases, with
// the Go toolchain, from the repository this package sits in) unless
// PERMC_JS_FIXTURES names them already, then `node --test` and the type check; with
// --browser, the test in headless Chromium instead.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..", "..");

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

let fixtures = process.env.PERMC_JS_FIXTURES;
let temp = null;
if (!fixtures) {
  temp = mkdtempSync(join(tmpdir(), "permc-js-"));
  fixtures = join(temp, "fixtures");
  run("go", ["run", "./internal/wasmtest/jsfixtures", "-out", fixtures], { cwd: repo });
}
try {
  const env = { ...process.env, PERMC_JS_FIXTURES: fixtures };
  if (process.argv.includes("--browser")) {
    run(process.execPath, ["--test", join(here, "browser.test.js")], { env });
  } else {
    run(process.execPath, ["--test", join(here, "loader.test.js"), join(here, "abi.test.js")], { env });
    run(process.execPath, [join(here, "..", "node_modules", "typescript", "bin", "tsc"), "-p", join(here, "types")]);
  }
} finally {
  if (temp) rmSync(temp, { recursive: true, force: true });
}
