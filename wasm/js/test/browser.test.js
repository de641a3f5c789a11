// Runs test/browser/page.js in headless Chromium, on a page served from localhost by
// a server this test starts; the page POSTs its report back. Needs chromium
// (scripts/test.sh installs it); $CHROMIUM names another binary.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

import * as fixtures from "./fixtures.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const types = { ".js": "text/javascript", ".html": "text/html", ".json": "application/json", ".wasm": "application/wasm", ".jsonl": "text/plain" };

// serve answers GETs from the package (/index.js, /test/...) and the fixtures
// (/fixtures/...), and resolves onReport with the body of POST /result.
function serve(onReport) {
  return createServer((req, res) => {
    if (req.method === "POST" && req.url === "/result") {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        res.end("ok");
        onReport(JSON.parse(body));
      });
      return;
    }
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    const file = path.startsWith("/fixtures/") ? join(fixtures.dir, path.slice(10)) : join(root, path);
    if (path.includes("..") || !(path.startsWith("/fixtures/") || path.startsWith("/test/") || path === "/index.js")) {
      res.writeHead(404).end();
      return;
    }
    try {
      const data = readFileSync(file);
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(data);
    } catch {
      res.writeHead(404).end();
    }
  });
}

test("the loader in headless Chromium", { timeout: 300_000 }, async () => {
  let onReport;
  const reported = new Promise((resolve) => (onReport = resolve));
  const server = serve(onReport);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}/test/browser/page.html`;
  const profile = mkdtempSync(join(tmpdir(), "permc-chromium-"));
  const chromium = spawn(process.env.CHROMIUM ?? "chromium", [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--no-default-browser-check", `--user-data-dir=${profile}`, url,
  ], { stdio: ["ignore", "ignore", "pipe"], detached: true });
  let stderr = "";
  chromium.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => chromium.on("exit", (code) => resolve(`chromium exited with ${code}\n${stderr}`)));
  const failed = new Promise((resolve) => chromium.on("error", (e) => resolve(`chromium did not start: ${e.message}`)));
  try {
    const report = await Promise.race([reported, exited, failed]);
    if (typeof report === "string") assert.fail(report);
    assert.equal(report.error, undefined, report.error);
    assert.deepEqual(report.failures, []);
    const want = fixtures.groups().reduce((n, g) => n + g.cases.length, 0);
    assert.equal(report.passed, want);
    console.log(`${report.userAgent}: ${report.passed} cases in ${report.groups.length} groups`);
  } finally {
    try {
      process.kill(-chromium.pid, "SIGKILL"); // chromium and its helper processes
    } catch {
      // already gone
    }
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
