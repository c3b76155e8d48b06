// The conformance suite: the Worker as wrangler uploads it, run inside real Pyodide (npm
// `pyodide`, Python 3.14 as on the edge) in Node, against miniflare's real D1, KV and R2.
//
//   bash scripts/vendor_python_modules.sh && node tests/conformance/harness.mjs [filter ...]
//
// Filters are substrings of test ids (`test_d1::test_batch...`); `--verbose` prints the captured
// output of passing tests too. The last line is always `N passed, M failed`; the exit status is
// non-zero when anything failed.
//
// What runs, and how close it is to the edge:
// - the bundle is the output of `wrangler deploy --dry-run --outdir`: exactly the modules wrangler
//   uploads (the main module as `entry.py` at the root, our packages, python_modules/), copied
//   to /session/metadata with the edge's sys.path order, `.pth` files of python_modules processed;
// - `_pyodide_entrypoint_helper` and `_cloudflare_compat_flags` are registered as workerd
//   registers them; the `workers` SDK is the copy vendored in python_modules;
// - the main module is imported at the top level with workerd's entropy rules (see
//   runtime/_cloudflare and runtime/conformance_edge.py), then "the first request" begins;
// - `Default` is constructed per request with `(ctx, env)` and its `fetch` called with a real
//   `Request` the way workerd calls it; the Durable Object classes are hosted by do_host.mjs;
// - D1 is migrated by the real `wrangler d1 migrations apply --local`; D1, KV and R2 are
//   miniflare's (workerd's implementations), behind objects with the edge's class names so the
//   SDK's env wrapper treats them as it treats real bindings;
// - Web Crypto is Node's, with workerd's PBKDF2 limit (100,000 iterations) enforced.
import { execFile } from "node:child_process";
import nodeCrypto from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Miniflare } from "miniflare";
import { loadPyodide } from "pyodide";
import { DurableObjectNamespace, DurableObjectStorage } from "./do_host.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const argv = process.argv.slice(2);
const verbose = argv.includes("--verbose") || !!process.env.CONFORMANCE_VERBOSE;
const filters = argv.filter((a) => !a.startsWith("--"));
const TEST_TIMEOUT_MS = 120_000;
const BUNDLE_ROOT = "/session/metadata";
const SECRETS = {
  JWT_SECRET: "conformance-jwt-secret-of-at-least-32-bytes!",
  PASSWORD_PEPPER: "conformance-pepper",
  EXCLUSION_LIST_KEY: "conformance-exclusion-key",
  MFA_ENCRYPTION_KEY: "conformance-mfa-key",
};
const started = Date.now();
const run = promisify(execFile);
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

// --- The top-level entropy gate ---------------------------------------------------------------
// Pyodide's getentropy() (os.urandom, Rust's getrandom, hash seeds) ends in node:crypto's
// randomFillSync. While the main module is imported, a call is allowed only when an import patch
// has granted one (and is then filled with a fixed pattern, as workerd does); any other call is
// recorded with the module being imported. Outside the top level, calls pass through.
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

// --- Web Crypto as workerd has it -----------------------------------------------------------
const deriveBits = crypto.subtle.deriveBits.bind(crypto.subtle);
crypto.subtle.deriveBits = function (algorithm, key, length) {
  if (String(algorithm?.name).toUpperCase() === "PBKDF2" && Number(algorithm.iterations) > 100_000) {
    return Promise.reject(new DOMException(
      `Pbkdf2 failed: iteration counts above 100000 are not supported (requested ${algorithm.iterations}).`,
      "NotSupportedError"));
  }
  return deriveBits(algorithm, key, length);
};

// --- Preparation: bundle, migrations, CPython vectors (in parallel) ----------------------------
async function wrangler(args) {
  try {
    return await run(path.join(root, "node_modules/.bin/wrangler"), args, {
      cwd: root, maxBuffer: 64 << 20,
      env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
    });
  } catch (error) {
    throw new Error(`wrangler ${args.join(" ")} failed:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
  }
}

// The Python-related compatibility flags workerd derives from compatibility_date (enable dates
// from workerd's compatibility-date.capnp); the SDK reads some of them through
// `_cloudflare_compat_flags`, the runtime others (external SDK, .pth files).
const PYTHON_FLAG_DATES = {
  python_workers_force_new_vendor_path: "2025-08-11",
  python_no_global_handlers: "2025-08-14",
  python_workflows: "2025-09-20",
  python_workers_20250116: "2025-09-29",
  python_dedicated_snapshot: "2025-10-16",
  python_check_rng_state: "2025-12-16",
  python_request_headers_preserve_commas: "2026-02-17",
  python_workflows_implicit_dependencies: "2026-02-25",
  enable_python_external_sdk: "2026-04-21",
  python_process_pth_files: "2026-05-26",
};

function compatibilityFlags(date, explicit) {
  const flags = {};
  for (const [flag, since] of Object.entries(PYTHON_FLAG_DATES)) flags[flag] = date >= since;
  for (const flag of explicit) {
    const disabled = /^(disable_|no_)(.*)$/.exec(flag);
    if (disabled) {
      for (const name of [disabled[2], `enable_${disabled[2]}`]) if (name in flags) flags[name] = false;
    } else {
      flags[flag] = true;
    }
  }
  return flags;
}

function wranglerConfig() {
  const text = readFileSync(path.join(root, "wrangler.toml"), "utf8");
  const topLevel = text.split(/^\[env\./m)[0];
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(topLevel)?.[1] ?? "";
  const explicit = [...(/^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(topLevel)?.[1] ?? "").matchAll(/"([^"]+)"/g)]
    .map((m) => m[1]);
  const d1 = /\[\[d1_databases\]\]([\s\S]*?)(?=^\[)/m.exec(`${topLevel}\n[`)?.[1] ?? "";
  const value = (key) => new RegExp(`^${key}\\s*=\\s*"([^"]*)"`, "m").exec(d1)?.[1];
  return {
    compatibilityDate: date,
    compatibilityFlags: compatibilityFlags(date, explicit),
    d1Name: value("database_name"),
    d1Id: value("preview_database_id") ?? value("database_id"),
    migrationsDir: value("migrations_dir") ?? "migrations",
    vars: Object.fromEntries([...(/^\[vars\]([\s\S]*?)(?=^\[)/m.exec(`${topLevel}\n[`)?.[1] ?? "")
      .matchAll(/^(\w+)\s*=\s*"([^"]*)"/gm)].map((m) => [m[1], m[2]])),
  };
}

async function cpythonVectors() {
  const python = path.join(root, ".venv/bin/python");
  try {
    const { stdout } = await run(python, [path.join(here, "cases/core_vectors.py")], {
      cwd: root, maxBuffer: 64 << 20, env: { ...process.env, PYTHONPATH: path.join(root, "workers") },
    });
    return { json: stdout, error: null };
  } catch (error) {
    return { json: null, error: `${python} cases/core_vectors.py failed: ${error.stderr ?? error.message}` };
  }
}

// --- Bindings with the edge's class names ------------------------------------------------------
// miniflare's binding proxies have no class name; the SDK's env wrapper decides by class name.
class D1Database {
  #db; constructor(db) { this.#db = db; }
  prepare(query) { return this.#db.prepare(query); }
  batch(statements) { return this.#db.batch(statements); }
  exec(query) { return this.#db.exec(query); }
  withSession(...args) { return this.#db.withSession(...args); }
}
class KvNamespace {
  #kv; constructor(kv) { this.#kv = kv; }
  get(...args) { return this.#kv.get(...args); }
  getWithMetadata(...args) { return this.#kv.getWithMetadata(...args); }
  put(...args) { return this.#kv.put(...args); }
  delete(...args) { return this.#kv.delete(...args); }
  list(...args) { return this.#kv.list(...args); }
}
class R2Bucket {
  #bucket; constructor(bucket) { this.#bucket = bucket; }
  get(...args) { return this.#bucket.get(...args); }
  head(...args) { return this.#bucket.head(...args); }
  put(...args) { return this.#bucket.put(...args); }
  delete(...args) { return this.#bucket.delete(...args); }
  list(...args) { return this.#bucket.list(...args); }
}

// Queues as workerd hands them over: a producer binding that keeps what was sent (structured
// clones, as Queues stores them), and the consumer's `MessageBatch` of `Message`s whose ack() and
// retry({delaySeconds}) are recorded; a handler that throws retries every message it did not ack.
class WorkerQueue {
  constructor() { this.sent = []; }
  async send(body) { this.sent.push(structuredClone(body)); }
  async sendBatch(messages) {
    if (messages.length > 100) throw new Error("sendBatch takes at most 100 messages");
    for (const m of messages) this.sent.push(structuredClone(m.body));
  }
  take() { return this.sent.splice(0); }
}
class Message {
  constructor(id, body, attempts) {
    this.id = id; this.timestamp = new Date(); this.body = body; this.attempts = attempts;
    this.outcome = null; this.delaySeconds = null;
  }
  ack() { this.outcome ??= "ack"; }
  retry(options) {
    if (this.outcome === null) { this.outcome = "retry"; this.delaySeconds = options?.delaySeconds ?? null; }
  }
}
class MessageBatch {
  constructor(queue, messages) { this.queue = queue; this.messages = messages; }
  ackAll() { for (const m of this.messages) m.ack(); }
  retryAll(options) { for (const m of this.messages) m.retry(options); }
}

class ExecutionContext {
  #host; constructor(host) { this.#host = host; this.props = {}; }
  waitUntil(promise) { this.#host.track(promise); }
  passThroughOnException() {}
  get [Symbol.toStringTag]() { return "ExecutionContext"; }
}

class ScheduledController {
  constructor(cron, scheduledTime) { this.cron = cron; this.scheduledTime = scheduledTime; }
  noRetry() {}
}

// What the Python tests reach as `_conformance_host.host`.
class Host {
  constructor() {
    this.edge = null;
    this.env = null;
    this.pending = new Set();
    this.alarms = new Map();
    this.alarmFailures = [];
  }
  track(promise) {
    const tracked = Promise.resolve(promise).catch((error) => {
      this.alarmFailures.push(`waitUntil: ${error?.message ?? error}`);
    });
    this.pending.add(tracked);
    tracked.finally(() => this.pending.delete(tracked));
  }
  alarmScheduled(entry, due) { this.alarms.set(entry, due); }
  alarmDone(entry) { this.alarms.delete(entry); }
  // Wait until every waitUntil promise and every alarm due within `horizonMs` has run.
  async settled(horizonMs = 2_000) {
    for (let rounds = 0; rounds < 1_000; rounds += 1) {
      await new Promise((r) => setTimeout(r, 5));
      const dueSoon = [...this.alarms.values()].some((due) => due <= Date.now() + horizonMs);
      if (!this.pending.size && !dueSoon) return;
      if (this.pending.size) await Promise.all([...this.pending]);
    }
    throw new Error("alarms kept rescheduling themselves");
  }
  takeAlarmFailures() { return this.alarmFailures.splice(0); }
  // A fresh Durable Object storage, for tests of the storage adapter and of the DO classes.
  newStorage() { return new DurableObjectStorage(() => {}); }
  // A request to the Worker, as workerd delivers it: a new `Default` per request.
  async fetch(request) {
    const instance = this.edge.construct("Default", new ExecutionContext(this), this.env);
    try {
      return await this.edge.call(true, instance, "fetch", request);
    } finally {
      instance.destroy?.();
    }
  }
  // A batch of the fraud queue delivered to the Worker's `queue` handler; what became of each
  // message (`ack` or `retry`, with its delay). Messages neither acked nor retried are acked.
  async queue(bodies, attempts = 1) {
    const messages = [...bodies].map((body, i) => new Message(`m${Date.now()}-${i}`, structuredClone(body), attempts));
    const batch = new MessageBatch("casino-fraud-events", messages);
    const instance = this.edge.construct("Default", new ExecutionContext(this), this.env);
    let failed = false;
    try {
      await this.edge.call(false, instance, "queue", batch);
    } catch (error) {
      failed = true;
      this.alarmFailures.push(`queue: ${error?.message ?? error}`);
    } finally {
      instance.destroy?.();
    }
    return messages.map((m) => ({ id: m.id, outcome: m.outcome ?? (failed ? "retry" : "ack"), delaySeconds: m.delaySeconds }));
  }
  async scheduled(cron) {
    const instance = this.edge.construct("Default", new ExecutionContext(this), this.env);
    try {
      return await this.edge.call(false, instance, "scheduled", new ScheduledController(cron, Date.now()));
    } finally {
      instance.destroy?.();
    }
  }
}

// --- Pyodide ----------------------------------------------------------------------------------
function copyTree(py, from, to, skip = () => false) {
  py.FS.mkdirTree(to);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (skip(entry.name)) continue;
    if (entry.isDirectory()) copyTree(py, source, `${to}/${entry.name}`);
    else if (entry.isFile()) py.FS.writeFile(`${to}/${entry.name}`, readFileSync(source));
  }
}

async function startPython(bundle, host, bindings, info, flags) {
  const output = [];
  const py = await loadPyodide({
    indexURL: `${path.join(root, "node_modules/pyodide")}/`,
    stdout: (line) => output.push(line),
    stderr: (line) => output.push(line),
  });
  // Nothing is fetched at run time: the edge has what was uploaded, and so do we.
  py.loadPackage = () => { throw new Error("pyodide.loadPackage is disabled (as on the edge)"); };
  copyTree(py, bundle, BUNDLE_ROOT, (name) => name === "README.md");
  const sitePackages = py.runPython("import site; site.getsitepackages()[0]");
  copyTree(py, path.join(here, "runtime/_cloudflare"), `${sitePackages}/_cloudflare`);
  copyTree(py, path.join(here, "runtime"), "/conformance/runtime", (name) => name === "_cloudflare" || name === "__pycache__");
  copyTree(py, path.join(here, "cases"), "/conformance/cases", (name) => name === "__pycache__");

  const workersModule = { env: host.env, waitUntil: (promise) => host.track(promise) };
  py.registerJsModule("_pyodide_entrypoint_helper", {
    doAnImport: async (name) => (name === "cloudflare:workers" ? workersModule : import(name)),
    cloudflareWorkersModule: workersModule,
    cloudflareSocketsModule: {},
    workerEntrypoint: class WorkerEntrypoint {},
    patchWaitUntil() {},
    *patch_env_helper(values) {
      const saved = { ...host.env };
      Object.assign(host.env, Object.fromEntries(values instanceof Map ? values : Object.entries(values ?? {})));
      try { yield; } finally {
        for (const key of Object.keys(host.env)) if (!(key in saved)) delete host.env[key];
        Object.assign(host.env, saved);
      }
    },
  });
  // Flags workerd does not know of read as false.
  py.registerJsModule("_cloudflare_compat_flags", new Proxy(flags, {
    get: (target, key) => (typeof key === "string" && key in target ? target[key] : key === "then" ? undefined : false),
  }));
  py.registerJsModule("_conformance_host", { host, env: host.env, bindings, entropy, info });

  // The edge's sys.path: the standard library, the bundle root, python_modules, site-packages
  // (our modules win over vendored ones); .pth files of python_modules processed
  // (python_process_pth_files).
  py.runPython(`
import os, sys
sys.dont_write_bytecode = True
os.chdir("${BUNDLE_ROOT}")
sys.path[:] = [p for p in sys.path if p not in ("", "${BUNDLE_ROOT}")]
site_index = next(i for i, p in enumerate(sys.path) if "site-packages" in p)
sys.path[site_index:site_index] = ["${BUNDLE_ROOT}", "${BUNDLE_ROOT}/python_modules"]
sys.path.append("/conformance/runtime")
sys.path.append("/conformance")
import conformance_edge
conformance_edge.before_top_level()
from _conformance_host import entropy
entropy.active = True  # .pth files run at the top level too
if ${flags.python_process_pth_files ? "True" : "False"}:
    import site
    site.addsitedir("${BUNDLE_ROOT}/python_modules")
entropy.active = False
del entropy
`);
  return { py, output };
}

// --- Main -------------------------------------------------------------------------------------
function report(results) {
  let passed = 0;
  let failed = 0;
  for (const { id, error, output, time } of results) {
    if (error) {
      failed += 1;
      console.log(`FAIL ${id} (${time})\n${indent(error)}`);
      if (output.length) console.log(`  --- output ---\n${indent(output.join("\n"))}`);
    } else {
      passed += 1;
      console.log(`ok   ${id} (${time})`);
      if (verbose && output.length) console.log(indent(output.join("\n")));
    }
  }
  return { passed, failed };
}

const indent = (text) => String(text).trimEnd().split("\n").map((l) => `    ${l}`).join("\n");

async function main() {
  const results = [];
  const state = mkdtempSync(path.join(tmpdir(), "casino-conformance-"));
  let mf = null;
  try {
    for (const dir of ["python_modules", "python_modules/workers", "python_modules/pydantic_core"]) {
      if (!statSync(path.join(root, dir), { throwIfNoEntry: false })?.isDirectory()) {
        throw new Error(`${dir} is missing: run \`bash scripts/vendor_python_modules.sh\` first`);
      }
    }
    const config = wranglerConfig();
    const bundle = path.join(state, "bundle");
    const t0 = Date.now();
    const [, , vectors] = await Promise.all([
      wrangler(["deploy", "--dry-run", "--outdir", bundle, "--env="]),
      wrangler(["d1", "migrations", "apply", config.d1Name, "--local", "--persist-to", state, "--env="]),
      cpythonVectors(),
    ]);
    console.log(`bundle, migrations and CPython vectors ready in ${seconds(t0)}`);

    const t1 = Date.now();
    mf = new Miniflare({
      modules: true,
      script: "export default { fetch() { return new Response(null, { status: 404 }) } }",
      d1Databases: { DB: config.d1Id },
      d1Persist: path.join(state, "v3", "d1"),
      kvNamespaces: ["KV"],
      r2Buckets: ["DOCUMENTS"],
    });
    const raw = {
      DB: await mf.getD1Database("DB"),
      KV: await mf.getKVNamespace("KV"),
      DOCUMENTS: await mf.getR2Bucket("DOCUMENTS"),
    };
    const host = new Host();
    host.env = {
      DB: new D1Database(raw.DB),
      KV: new KvNamespace(raw.KV),
      DOCUMENTS: new R2Bucket(raw.DOCUMENTS),
      ...config.vars,
      ...SECRETS,
    };
    host.env.FRAUD_QUEUE = new WorkerQueue();
    host.env.WALLET = new DurableObjectNamespace(host, "WalletDO");
    host.env.SESSION = new DurableObjectNamespace(host, "SessionDO");
    const migrations = readdirSync(path.join(root, config.migrationsDir)).filter((f) => f.endsWith(".sql")).sort();
    const info = {
      mainModule: "entry",
      compatibilityDate: config.compatibilityDate,
      compatibilityFlags: config.compatibilityFlags,
      migrations,
      cpythonVectors: vectors.json ?? undefined,
      cpythonVectorsError: vectors.error ?? undefined,
      topLevelError: undefined,
      nodeVersion: process.version,
    };
    if (!config.compatibilityFlags.enable_python_external_sdk) {
      console.log("note: compatibility flags say the runtime provides the `workers` SDK; the suite uses the vendored copy");
    }
    const { py, output } = await startPython(bundle, host, raw, info, config.compatibilityFlags);
    console.log(`Pyodide ${py.version} and miniflare ready in ${seconds(t1)}`);

    // The top level, then the first request.
    const t2 = Date.now();
    const edge = py.pyimport("conformance_edge");
    host.edge = edge;
    info.topLevelError = edge.import_main(info.mainModule) ?? undefined;
    const topLevelOutput = output.splice(0);
    edge.before_first_request();
    console.log(`main module imported in ${seconds(t2)} (${entropy.granted} entropy calls granted by import patches)`);
    if (info.topLevelError) {
      results.push({ id: "harness::import the main module", error: info.topLevelError, output: topLevelOutput, time: seconds(t2) });
    }

    const runner = py.pyimport("conformance_runner");
    const modules = readdirSync(path.join(here, "cases")).filter((f) => /^test_.*\.py$/.test(f)).sort().map((f) => f.slice(0, -3));
    const discovered = runner.discover(modules).toJs();
    output.splice(0);
    for (const [id, importError] of discovered) {
      if (filters.length && !filters.some((f) => id.includes(f))) continue;
      const t = Date.now();
      let error = importError;
      if (!error) {
        let timer;
        const timeout = new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${TEST_TIMEOUT_MS / 1000}s`)), TEST_TIMEOUT_MS);
        });
        try {
          error = await Promise.race([runner.run(id), timeout]);
          await host.settled().catch((e) => { error ??= String(e); });
        } catch (e) {
          error = String(e?.stack ?? e);
        } finally {
          clearTimeout(timer);
        }
        const alarmFailures = host.takeAlarmFailures();
        if (!error && alarmFailures.length) error = `background work failed:\n${alarmFailures.join("\n")}`;
      }
      results.push({ id, error: error ?? null, output: output.splice(0), time: seconds(t) });
    }
  } catch (error) {
    results.push({ id: "harness", error: String(error?.stack ?? error), output: [], time: seconds(started) });
  } finally {
    await mf?.dispose().catch(() => {});
    rmSync(state, { recursive: true, force: true });
  }
  const { passed, failed } = report(results);
  console.log(`total ${seconds(started)}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

await main();
