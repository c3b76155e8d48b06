// B8 and B12 in real Pyodide (npm `pyodide`, Python 3.14 as on the edge) in Node, set up the
// way tests/conformance/harness.mjs sets it up (bundle from `wrangler deploy --dry-run`, the
// edge's sys.path, the `_pyodide_entrypoint_helper` / `_cloudflare_compat_flags` modules, the
// conformance runtime's entropy rules at the top level, miniflare's D1 / KV / R2).
//
//   node bench/pyodide.mjs core N REPEATS     B8: N rounds settled by the core, each repeat timed
//   node bench/pyodide.mjs import REPEATS     B12: top-level import of the Worker vs a bare app
//   node bench/pyodide.mjs uploads MIB        B12: Pyodide heap after two concurrent uploads
//
// Each mode prints one JSON line (the last line of its output). Every import is timed in a
// fresh Pyodide; the heap is the size of Pyodide's WebAssembly memory, which only grows, so its
// size after the uploads is their peak.
import { execFile } from "node:child_process";
import nodeCrypto from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { loadPyodide } from "pyodide";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const conformance = path.join(root, "tests/conformance");
const BUNDLE_ROOT = "/session/metadata";
const run = promisify(execFile);
const MiB = 1024 * 1024;

// The harness's top-level entropy gate: while the main module is imported, Pyodide's
// getentropy() (node:crypto randomFillSync) is filled with a fixed pattern when an import patch
// has allowed a call, as workerd does; the SDK's import patches count on it.
const entropy = { active: false, inRequest: false, allowed: 0, granted: 0, modules: [], violations: [] };
const randomFillSync = nodeCrypto.randomFillSync;
nodeCrypto.randomFillSync = function gatedRandomFillSync(buffer, ...rest) {
  if (!entropy.active || entropy.inRequest) return randomFillSync.call(this, buffer, ...rest);
  if (entropy.allowed > 0) {
    entropy.allowed -= 1;
    entropy.granted += 1;
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength).fill(43);
  }
  entropy.violations.push({ module: entropy.modules.at(-1) ?? "(top level)", bytes: buffer.byteLength });
  return randomFillSync.call(this, buffer, ...rest);
};

const BARE_APP = `
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root() -> dict[str, bool]:
    return {"ok": True}
`;

function copyTree(py, from, to, skip = () => false) {
  py.FS.mkdirTree(to);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (skip(entry.name)) continue;
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) copyTree(py, source, `${to}/${entry.name}`);
    else if (entry.isFile()) py.FS.writeFile(`${to}/${entry.name}`, readFileSync(source));
  }
}

async function wrangler(args) {
  const env = { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" };
  return run(path.join(root, "node_modules/.bin/wrangler"), args, { cwd: root, env, maxBuffer: 64 << 20 });
}

function flags() {
  const text = readFileSync(path.join(root, "wrangler.toml"), "utf8").split(/^\[env\./m)[0];
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(text)?.[1] ?? "";
  // The flags our compatibility date turns on (as the harness derives them).
  return { python_process_pth_files: date >= "2026-05-26", enable_python_external_sdk: date >= "2026-04-21",
    python_dedicated_snapshot: date >= "2025-10-16", python_no_global_handlers: date >= "2025-08-14" };
}

// A Pyodide with the bundle and the edge's modules in place; `host` is what the Worker's
// `Default` and the Durable Object host reach.
async function edgePython(bundle, host, extraFiles = {}) {
  const compat = flags();
  Object.assign(entropy, { active: false, inRequest: false, allowed: 0, modules: [] });
  const py = await loadPyodide({ indexURL: `${path.join(root, "node_modules/pyodide")}/`, stdout: () => {}, stderr: () => {} });
  py.loadPackage = () => { throw new Error("pyodide.loadPackage is disabled (as on the edge)"); };
  copyTree(py, bundle, BUNDLE_ROOT, (name) => name === "README.md");
  for (const [name, text] of Object.entries(extraFiles)) py.FS.writeFile(`${BUNDLE_ROOT}/${name}`, text);
  const sitePackages = py.runPython("import site; site.getsitepackages()[0]");
  copyTree(py, path.join(conformance, "runtime/_cloudflare"), `${sitePackages}/_cloudflare`);
  copyTree(py, path.join(conformance, "runtime"), "/conformance/runtime", (n) => n === "_cloudflare" || n === "__pycache__");
  const workersModule = { env: host.env, waitUntil: (p) => host.track(p) };
  py.registerJsModule("_pyodide_entrypoint_helper", {
    doAnImport: async (name) => (name === "cloudflare:workers" ? workersModule : import(name)),
    cloudflareWorkersModule: workersModule, cloudflareSocketsModule: {},
    workerEntrypoint: class WorkerEntrypoint {}, patchWaitUntil() {},
    *patch_env_helper() { yield; },
  });
  py.registerJsModule("_cloudflare_compat_flags", new Proxy(compat, {
    get: (t, k) => (typeof k === "string" && k in t ? t[k] : k === "then" ? undefined : false),
  }));
  py.registerJsModule("_conformance_host", { host, env: host.env, bindings: {}, entropy, info: {} });
  py.runPython(`
import os, sys
sys.dont_write_bytecode = True
os.chdir("${BUNDLE_ROOT}")
sys.path[:] = [p for p in sys.path if p not in ("", "${BUNDLE_ROOT}")]
i = next(i for i, p in enumerate(sys.path) if "site-packages" in p)
sys.path[i:i] = ["${BUNDLE_ROOT}", "${BUNDLE_ROOT}/python_modules"]
sys.path.append("/conformance/runtime")
import conformance_edge
conformance_edge.before_top_level()
from _conformance_host import entropy
entropy.active = True  # .pth files run at the top level too
import site
site.addsitedir("${BUNDLE_ROOT}/python_modules")
entropy.active = False
del entropy
`);
  return py;
}

function importMain(py, name) {
  const edge = py.pyimport("conformance_edge");
  const t = performance.now();
  const error = edge.import_main(name);
  const ms = performance.now() - t;
  if (error) throw new Error(`importing ${name} failed:\n${error}`);
  edge.before_first_request();
  return { ms, edge };
}

async function bundled() {
  const state = mkdtempSync(path.join(tmpdir(), "casino-bench-pyodide-"));
  const bundle = path.join(state, "bundle");
  await wrangler(["deploy", "--dry-run", "--outdir", bundle, "--env="]);
  return { state, bundle };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

class Host {
  constructor(env) { this.env = env; this.edge = null; this.pending = new Set(); this.alarmFailures = []; }
  track(promise) {
    const p = Promise.resolve(promise).catch((e) => this.alarmFailures.push(String(e)));
    this.pending.add(p);
    p.finally(() => this.pending.delete(p));
  }
  alarmScheduled() {}
  alarmDone() {}
}

// B8: the core's settlement of N rounds, timed inside Python (the same function as on CPython).
async function core(rounds, repeats) {
  const py = await loadPyodide({ indexURL: `${path.join(root, "node_modules/pyodide")}/` });
  copyTree(py, path.join(root, "workers/casino"), "/bench/casino", (n) => n === "__pycache__");
  py.FS.writeFile("/bench/core_round.py", readFileSync(path.join(here, "core_round.py")));
  py.runPython("import sys; sys.path.insert(0, '/bench')");
  const times = JSON.parse(py.runPython(`import core_round, json; json.dumps(core_round.timed(${rounds}, ${repeats}))`));
  return { mode: "core", rounds, seconds: times, pyodide: py.version };
}

// B12: the Worker's main module vs a bare FastAPI app, each in a fresh Pyodide.
async function imports(repeats) {
  const { state, bundle } = await bundled();
  try {
    const entry = [];
    const bare = [];
    for (let i = 0; i < repeats; i += 1) {
      bare.push(importMain(await edgePython(bundle, new Host({}), { "bare_app.py": BARE_APP }), "bare_app").ms);
      entry.push(importMain(await edgePython(bundle, new Host({})), "entry").ms);
    }
    return { mode: "import", entry_ms: entry, bare_ms: bare, entry_median: median(entry), bare_median: median(bare) };
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

// B12: a player uploads two documents of `mb` MiB at once (base64 JSON, as the API
// takes them); the Pyodide heap after the import, and at the end.
async function uploads(mb) {
  const { Miniflare } = await import("miniflare");
  const { DurableObjectNamespace } = await import(path.join(conformance, "do_host.mjs"));
  const { state, bundle } = await bundled();
  const toml = readFileSync(path.join(root, "wrangler.toml"), "utf8").split(/^\[env\./m)[0];
  const d1 = /\[\[d1_databases\]\]([\s\S]*?)(?=^\[)/m.exec(`${toml}\n[`)?.[1] ?? "";
  const d1Name = /^database_name\s*=\s*"([^"]*)"/m.exec(d1)?.[1];
  const d1Id = /^preview_database_id\s*=\s*"([^"]*)"/m.exec(d1)?.[1] ?? /^database_id\s*=\s*"([^"]*)"/m.exec(d1)?.[1];
  const vars = Object.fromEntries([...(/^\[vars\]([\s\S]*?)(?=^\[)/m.exec(`${toml}\n[`)?.[1] ?? "")
    .matchAll(/^(\w+)\s*=\s*"([^"]*)"/gm)].map((m) => [m[1], m[2]]));
  await wrangler(["d1", "migrations", "apply", d1Name, "--local", "--persist-to", state, "--env="]);
  const mf = new Miniflare({
    modules: true, script: "export default { fetch() { return new Response(null, { status: 404 }) } }",
    d1Databases: { DB: d1Id }, d1Persist: path.join(state, "v3", "d1"), kvNamespaces: ["KV"], r2Buckets: ["DOCUMENTS"],
  });
  try {
    class D1Database { #db; constructor(db) { this.#db = db; } prepare(q) { return this.#db.prepare(q); } batch(s) { return this.#db.batch(s); } exec(q) { return this.#db.exec(q); } }
    class KvNamespace { #kv; constructor(kv) { this.#kv = kv; } get(...a) { return this.#kv.get(...a); } getWithMetadata(...a) { return this.#kv.getWithMetadata(...a); } put(...a) { return this.#kv.put(...a); } delete(...a) { return this.#kv.delete(...a); } list(...a) { return this.#kv.list(...a); } }
    class R2Bucket { #b; constructor(b) { this.#b = b; } get(...a) { return this.#b.get(...a); } head(...a) { return this.#b.head(...a); } put(...a) { return this.#b.put(...a); } delete(...a) { return this.#b.delete(...a); } list(...a) { return this.#b.list(...a); } }
    class WorkerQueue { async send() {} async sendBatch() {} }
    const host = new Host({
      DB: new D1Database(await mf.getD1Database("DB")), KV: new KvNamespace(await mf.getKVNamespace("KV")),
      DOCUMENTS: new R2Bucket(await mf.getR2Bucket("DOCUMENTS")), ...vars,
      JWT_SECRET: "bench-jwt-secret-of-at-least-32-bytes!!", PASSWORD_PEPPER: "bench-pepper",
      EXCLUSION_LIST_KEY: "bench-exclusion-key", MFA_ENCRYPTION_KEY: "bench-mfa-key",
    });
    host.env.FRAUD_QUEUE = new WorkerQueue();
    host.env.WALLET = new DurableObjectNamespace(host, "WalletDO");
    host.env.SESSION = new DurableObjectNamespace(host, "SessionDO");
    const py = await edgePython(bundle, host);
    const heap = () => py._module.HEAP8.length / MiB;
    const beforeImport = heap();
    const { edge } = importMain(py, "entry");
    host.edge = edge;
    const afterImport = heap();
    const fetch = async (method, url, body, headers = {}) => {
      const request = new Request(`https://casino.test${url}`, {
        method, headers: { "content-type": "application/json", ...headers }, body: body && JSON.stringify(body),
      });
      const instance = edge.construct("Default", { waitUntil: (p) => host.track(p), passThroughOnException() {}, props: {} }, host.env);
      const response = await edge.call(true, instance, "fetch", request);
      const text = await response.text();
      return { status: response.status, body: text.startsWith("{") ? JSON.parse(text) : text };
    };
    const email = `bench-${Date.now()}@example.com`;
    const password = "Str0ng-Passw0rd!x";
    let r = await fetch("POST", "/v1/auth/register", { email, password, full_name: "Ana", birth_date: "1990-01-01", country: "BR", cpf: "52998224725" });
    if (r.status !== 201) throw new Error(`register: ${r.status} ${JSON.stringify(r.body)}`);
    r = await fetch("POST", "/v1/auth/login", { email, password });
    if (r.status !== 200) throw new Error(`login: ${r.status} ${JSON.stringify(r.body)}`);
    const auth = { authorization: `Bearer ${r.body.access_token}` };
    const afterLogin = heap();
    const png = Buffer.alloc(Math.floor(mb * MiB), 7);
    Buffer.from("\x89PNG\r\n\x1a\n", "latin1").copy(png);
    const document = (docType) => ({ doc_type: docType, filename: `${docType}.png`, content_type: "image/png", content_base64: png.toString("base64") });
    const answers = await Promise.all([
      fetch("POST", "/v1/kyc/documents", document("id_front"), auth),
      fetch("POST", "/v1/kyc/documents", document("selfie"), auth),
    ]);
    await Promise.all([...host.pending]);
    return {
      mode: "uploads", mb, statuses: answers.map((a) => a.status),
      heap_mib: { before_import: beforeImport, after_import: afterImport, after_login: afterLogin, after_uploads: heap() },
      errors: answers.filter((a) => a.status !== 201).map((a) => a.body),
    };
  } finally {
    await mf.dispose().catch(() => {});
    rmSync(state, { recursive: true, force: true });
  }
}

const [mode, ...args] = process.argv.slice(2);
let result;
if (mode === "core") result = await core(Number(args[0] ?? 20000), Number(args[1] ?? 5));
else if (mode === "import") result = await imports(Number(args[0] ?? 3));
else if (mode === "uploads") result = await uploads(Number(args[0] ?? 5));
else throw new Error(`unknown mode ${mode}: core | import | uploads`);
console.log(JSON.stringify(result));
process.exit(0);
