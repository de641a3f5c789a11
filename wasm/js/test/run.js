// Runs the loader's tests: builds the fixtures (modules, declarations and cases, with
// the Go toolchain, from the repository this package sits in) unless
// PERMC_JS_FIXTURES names them already, then `node --test` and the type checks (the
// loader's, and README.md's snippet in every module resolution mode); with
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
    const tsc = join(here, "..", "node_modules", "typescript", "bin", "tsc");
    run(process.execPath, [tsc, "-p", join(here, "types")]);
    // README.md's snippet, in every module resolution mode.
    for (const mode of ["nodenext", "node16", "bundler", "node10"]) {
      run(process.execPath, [tsc, "-p", join(fixtures, "readme", `tsconfig.${mode}.json`)]);
    }
  }
} finally {
  if (temp) rmSync(temp, { recursive: true, force: true });
}
