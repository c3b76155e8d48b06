// How the conformance suite (harness.mjs) and the Pyodide benchmarks (bench/pyodide.mjs) start the
// Worker the way the edge does: one copy of the set-up both use.
//
// - the top-level entropy gate and Web Crypto's workerd limits (installed when this module is
//   imported);
// - the bundle (`wrangler deploy --dry-run --outdir`), the D1 migrations (`wrangler d1 migrations
//   apply --local`), the compatibility flags and vars read from wrangler.toml;
// - miniflare's D1, KV and R2 behind objects with the edge's class names, the fraud queue, the
//   Durable Object namespaces (do_host.mjs), and `Host`, what the Python side reaches as
//   `_conformance_host.host` (a request, a queue batch, a cron event, as workerd delivers them);
// - `startPython`: a Pyodide with the bundle at /session/metadata, the edge's sys.path, the
//   modules workerd registers and the conformance runtime's top-level rules; `importMain`.
import { execFile } from "node:child_process";
import nodeCrypto from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { loadPyodide } from "pyodide";
import { DurableObjectNamespace, DurableObjectStorage } from "./do_host.mjs";

export const conformance = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(conformance, "../..");
export const BUNDLE_ROOT = "/session/metadata";
export const SECRETS = {
  JWT_SECRET: "conformance-jwt-secret-of-at-least-32-bytes!",
  PASSWORD_PEPPER: "conformance-pepper",
  EXCLUSION_LIST_KEY: "conformance-exclusion-key",
  MFA_ENCRYPTION_KEY: "conformance-mfa-key",
};
const run = promisify(execFile);

// --- The top-level entropy gate ---------------------------------------------------------------
// Pyodide's getentropy() (os.urandom, Rust's getrandom, hash seeds) ends in node:crypto's
// randomFillSync. While the main module is imported, a call is allowed only when an import patch
// has granted one (and is then filled with a fixed pattern, as workerd does); any other call is
// recorded with the module being imported. Outside the top level, calls pass through.
export const entropy = { active: false, inRequest: false, allowed: 0, granted: 0, modules: [], violations: [] };
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

// --- wrangler ---------------------------------------------------------------------------------
export async function wrangler(args) {
  try {
    return await run(path.join(root, "node_modules/.bin/wrangler"), args, {
      cwd: root, maxBuffer: 64 << 20,
      env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
    });
  } catch (error) {
    throw new Error(`wrangler ${args.join(" ")} failed:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
  }
}

// The bundle wrangler uploads, written to `<state>/bundle`; its path.
export async function bundle(state) {
  const out = path.join(state, "bundle");
  await wrangler(["deploy", "--dry-run", "--outdir", out, "--env="]);
  return out;
}

// D1 migrated by wrangler into `state` (miniflare's persistence directory is `<state>/v3/d1`).
export async function migrate(state, config) {
  await wrangler(["d1", "migrations", "apply", config.d1Name, "--local", "--persist-to", state, "--env="]);
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

// The top level of wrangler.toml (the default environment): date, flags, D1, vars.
export function wranglerConfig() {
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

// What the Python side reaches as `_conformance_host.host`.
export class Host {
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
  // Call `name` on a fresh `Default` (workerd makes one per event), then drop it.
  async #onDefault(relaxed, name, arg) {
    const instance = this.edge.construct("Default", new ExecutionContext(this), this.env);
    try {
      return await this.edge.call(relaxed, instance, name, arg);
    } finally {
      instance.destroy?.();
    }
  }
  // A request to the Worker, as workerd delivers it.
  async fetch(request) { return this.#onDefault(true, "fetch", request); }
  // A batch of the fraud queue delivered to the Worker's `queue` handler; what became of each
  // message (`ack` or `retry`, with its delay). Messages neither acked nor retried are acked.
  async queue(bodies, attempts = 1) {
    const messages = [...bodies].map((body, i) => new Message(`m${Date.now()}-${i}`, structuredClone(body), attempts));
    let failed = false;
    try {
      await this.#onDefault(false, "queue", new MessageBatch("casino-fraud-events", messages));
    } catch (error) {
      failed = true;
      this.alarmFailures.push(`queue: ${error?.message ?? error}`);
    }
    return messages.map((m) => ({ id: m.id, outcome: m.outcome ?? (failed ? "retry" : "ack"), delaySeconds: m.delaySeconds }));
  }
  // A Cron Trigger's event, at `scheduledTime` (epoch ms; now by default).
  async scheduled(cron, scheduledTime = Date.now()) {
    return this.#onDefault(false, "scheduled", new ScheduledController(cron, scheduledTime));
  }
}

// --- miniflare and the Worker's env -----------------------------------------------------------
// miniflare over `state` (migrated by `migrate`); `raw` holds its D1, KV and R2 as miniflare
// gives them.
export async function startMiniflare(state, config) {
  const { Miniflare } = await import("miniflare");
  const mf = new Miniflare({
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
  return { mf, raw };
}

// The Worker's env as wrangler.toml binds it, on `host`: miniflare's bindings, the vars, the
// secrets, the fraud queue and the two Durable Object namespaces.
export function bindEnv(host, raw, config, secrets = SECRETS) {
  host.env = {
    DB: new D1Database(raw.DB),
    KV: new KvNamespace(raw.KV),
    DOCUMENTS: new R2Bucket(raw.DOCUMENTS),
    ...config.vars,
    ...secrets,
  };
  host.env.FRAUD_QUEUE = new WorkerQueue();
  host.env.WALLET = new DurableObjectNamespace(host, "WalletDO");
  host.env.SESSION = new DurableObjectNamespace(host, "SessionDO");
  return host.env;
}

// --- Pyodide ----------------------------------------------------------------------------------
export function copyTree(py, from, to, skip = () => false) {
  py.FS.mkdirTree(to);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (skip(entry.name)) continue;
    if (entry.isDirectory()) copyTree(py, source, `${to}/${entry.name}`);
    else if (entry.isFile()) py.FS.writeFile(`${to}/${entry.name}`, readFileSync(source));
  }
}

// The two modules workerd registers for the SDK: `_pyodide_entrypoint_helper` and
// `_cloudflare_compat_flags` (flags workerd does not know of read as false).
function registerEdgeModules(py, host, flags) {
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
  py.registerJsModule("_cloudflare_compat_flags", new Proxy(flags, {
    get: (target, key) => (typeof key === "string" && key in target ? target[key] : key === "then" ? undefined : false),
  }));
}

// The edge's sys.path: the standard library, the bundle root, python_modules, site-packages
// (our modules win over vendored ones); .pth files of python_modules processed
// (python_process_pth_files).
const edgeSysPath = (processPth) => `
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
if ${processPth ? "True" : "False"}:
    import site
    site.addsitedir("${BUNDLE_ROOT}/python_modules")
entropy.active = False
del entropy
`;

// A fresh Pyodide with `bundle` in place, ready for `importMain`. Options: `flags` (the
// compatibility flags), `bindings` and `info` (for the cases), `cases` (copy cases/ to
// /conformance/cases), `extraFiles` (name -> text, written next to the main module), `quiet`
// (drop Python's output instead of collecting it in `output`).
export async function startPython(bundlePath, host, options = {}) {
  const { flags = wranglerConfig().compatibilityFlags, bindings = {}, info = {}, cases = false, extraFiles = {}, quiet = false } = options;
  Object.assign(entropy, { active: false, inRequest: false, allowed: 0, granted: 0, modules: [], violations: [] });
  const output = [];
  const collect = quiet ? () => {} : (line) => output.push(line);
  const py = await loadPyodide({ indexURL: `${path.join(root, "node_modules/pyodide")}/`, stdout: collect, stderr: collect });
  // Nothing is fetched at run time: the edge has what was uploaded, and so do we.
  py.loadPackage = () => { throw new Error("pyodide.loadPackage is disabled (as on the edge)"); };
  copyTree(py, bundlePath, BUNDLE_ROOT, (name) => name === "README.md");
  for (const [name, text] of Object.entries(extraFiles)) py.FS.writeFile(`${BUNDLE_ROOT}/${name}`, text);
  const sitePackages = py.runPython("import site; site.getsitepackages()[0]");
  copyTree(py, path.join(conformance, "runtime/_cloudflare"), `${sitePackages}/_cloudflare`);
  copyTree(py, path.join(conformance, "runtime"), "/conformance/runtime", (name) => name === "_cloudflare" || name === "__pycache__");
  if (cases) copyTree(py, path.join(conformance, "cases"), "/conformance/cases", (name) => name === "__pycache__");
  registerEdgeModules(py, host, flags);
  py.registerJsModule("_conformance_host", { host, env: host.env, bindings, entropy, info });
  py.runPython(edgeSysPath(flags.python_process_pth_files));
  return { py, output };
}

// The main module imported at the top level (timed), then "the first request" begins; `error`
// is the import's traceback, if it failed.
export function importMain(py, name) {
  const edge = py.pyimport("conformance_edge");
  const t = performance.now();
  const error = edge.import_main(name) ?? null;
  const ms = performance.now() - t;
  edge.before_first_request();
  return { ms, edge, error };
}
