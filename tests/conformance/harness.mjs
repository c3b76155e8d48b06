// The conformance suite: the project's Python code inside real Pyodide (Python 3.14, as on the
// edge) in Node, against miniflare's real D1, KV and R2, with Cloudflare's own `workers` SDK.
//
//   bash scripts/vendor_python_modules.sh && node tests/conformance/harness.mjs
//
// D1 is migrated by the real `wrangler d1 migrations apply --local` into a temporary state that
// miniflare then serves. Durable Object storage is a faithful shim over SQLite (sql.js): the
// synchronous `sql.exec(...).toArray()`, `transactionSync` and alarms the code uses, so the real
// `WalletDO`/`SessionDO` classes run with the real adapters.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { loadPyodide } from "pyodide";
import { createDurableObjectNamespace } from "./do_shim.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const D1_ID = "00000000-0000-4000-8000-000000000001";
const only = process.argv[2];

function applyMigrations(state) {
  execFileSync(path.join(root, "node_modules/.bin/wrangler"),
    ["d1", "migrations", "apply", "casino", "--local", "--persist-to", state],
    { cwd: root, env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false" }, stdio: "pipe" });
}

async function bindings(state) {
  const mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('') } }",
    d1Databases: { DB: D1_ID },
    d1Persist: path.join(state, "v3", "d1"),
    kvNamespaces: ["KV"],
    r2Buckets: ["DOCUMENTS"],
  });
  return {
    mf,
    DB: await mf.getD1Database("DB"),
    KV: await mf.getKVNamespace("KV"),
    DOCUMENTS: await mf.getR2Bucket("DOCUMENTS"),
  };
}

async function python() {
  const py = await loadPyodide();
  const mount = (dir, at) => {
    py.FS.mkdirTree(at);
    py.FS.mount(py.FS.filesystems.NODEFS, { root: dir }, at);
  };
  mount(path.join(root, "python_modules"), "/app/python_modules");
  mount(path.join(here, ".sdk"), "/app/sdk");
  mount(path.join(root, "workers"), "/app/workers");
  mount(here, "/app/conformance");
  // The two modules workerd injects for the SDK.
  py.registerJsModule("_pyodide_entrypoint_helper", {
    doAnImport: async (name) => import(name),
    *patch_env_helper() {},
    patchWaitUntil() {},
    cloudflareWorkersModule: {},
    cloudflareSocketsModule: {},
  });
  py.registerJsModule("_cloudflare_compat_flags", new Proxy({}, { get: () => false }));
  py.runPython(`
import sys
sys.path[:0] = ["/app/workers", "/app/python_modules", "/app/sdk", "/app/conformance"]
`);
  return py;
}

const state = mkdtempSync(path.join(tmpdir(), "casino-conformance-"));
let failed = 0;
let passed = 0;
try {
  applyMigrations(state);
  const env = await bindings(state);
  const py = await python();
  const cases = readdirSync(path.join(here, "cases")).filter((f) => /^test_.*\.py$/.test(f)).sort();
  const worker = {
    DB: env.DB, KV: env.KV, DOCUMENTS: env.DOCUMENTS,
    JWT_SECRET: "conformance-jwt-secret-of-at-least-32-bytes", PASSWORD_PEPPER: "conformance-pepper",
    EXCLUSION_LIST_KEY: "conformance-exclusion-key", JURISDICTION: "", CURRENCY: "BRL",
  };
  py.registerJsModule("conformance_env", {
    env: worker, mf: env.mf,
    createDurableObjectNamespace: (factory) => createDurableObjectNamespace(factory),
  });
  const runner = py.pyimport("runner");
  for (const file of cases) {
    const module = file.replace(/\.py$/, "");
    const results = (await runner.run_module(module, only ?? "")).toJs();
    for (const [name, error] of results) {
      if (error) {
        failed += 1;
        console.log(`FAIL ${module}::${name}\n${error}`);
      } else {
        passed += 1;
        console.log(`ok   ${module}::${name}`);
      }
    }
  }
  await env.mf.dispose();
} catch (error) {
  failed += 1;
  console.log(`FAIL harness: ${error.stack ?? error}`);
} finally {
  rmSync(state, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
