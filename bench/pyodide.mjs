// B8 and B12 in real Pyodide (npm `pyodide`, Python 3.14 as on the edge) in Node, set up by the
// conformance suite's own start-up (tests/conformance/boot.mjs: the bundle from `wrangler deploy
// --dry-run`, the edge's sys.path, the `_pyodide_entrypoint_helper` / `_cloudflare_compat_flags`
// modules, the conformance runtime's entropy rules at the top level, miniflare's D1 / KV / R2).
//
//   node bench/pyodide.mjs core N REPEATS     B8: N rounds settled by the core, each repeat timed
//   node bench/pyodide.mjs import REPEATS     B12: top-level import of the Worker vs a bare app
//   node bench/pyodide.mjs uploads MIB        B12: Pyodide heap after two concurrent uploads
//
// Each mode prints one JSON line (the last line of its output). Every import is timed in a
// fresh Pyodide; the heap is the size of Pyodide's WebAssembly memory, which only grows, so its
// size after the uploads is their peak.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadPyodide } from "pyodide";
import {
  Host, bindEnv, bundle, copyTree, importMain, migrate, root, startMiniflare, startPython, wranglerConfig,
} from "../tests/conformance/boot.mjs";
import { call } from "./worker_fetch.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;

const BARE_APP = `
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root() -> dict[str, bool]:
    return {"ok": True}
`;

// A Pyodide with the bundle and the edge's modules in place, Python's output dropped.
async function edgePython(bundlePath, host, extraFiles = {}) {
  const { py } = await startPython(bundlePath, host, { extraFiles, quiet: true });
  return py;
}

// The main module imported at the top level: the milliseconds it took, and the edge module.
function imported(py, name) {
  const { ms, edge, error } = importMain(py, name);
  if (error) throw new Error(`importing ${name} failed:\n${error}`);
  return { ms, edge };
}

async function bundled() {
  const state = mkdtempSync(path.join(tmpdir(), "casino-bench-pyodide-"));
  return { state, bundle: await bundle(state) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function bareHost() {
  const host = new Host();
  host.env = {};
  return host;
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
  const { state, bundle: bundlePath } = await bundled();
  try {
    const entry = [];
    const bare = [];
    for (let i = 0; i < repeats; i += 1) {
      bare.push(imported(await edgePython(bundlePath, bareHost(), { "bare_app.py": BARE_APP }), "bare_app").ms);
      entry.push(imported(await edgePython(bundlePath, bareHost()), "entry").ms);
    }
    return { mode: "import", entry_ms: entry, bare_ms: bare, entry_median: median(entry), bare_median: median(bare) };
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

// A registered player, logged in: the authorization header.
async function loggedIn(host) {
  const email = `bench-${Date.now()}@example.com`;
  const password = "Str0ng-Passw0rd!x";
  let r = await call(host, "POST", "/v1/auth/register", { email, password, full_name: "Ana", birth_date: "1990-01-01", country: "BR", cpf: "52998224725" });
  if (r.status !== 201) throw new Error(`register: ${r.status} ${JSON.stringify(r.body)}`);
  r = await call(host, "POST", "/v1/auth/login", { email, password });
  if (r.status !== 200) throw new Error(`login: ${r.status} ${JSON.stringify(r.body)}`);
  return { authorization: `Bearer ${r.body.access_token}` };
}

// Two documents of `mb` MiB uploaded at once (base64 JSON, as the API takes them).
async function twoUploads(host, mb, auth) {
  const png = Buffer.alloc(Math.floor(mb * MiB), 7);
  Buffer.from("\x89PNG\r\n\x1a\n", "latin1").copy(png);
  const document = (docType) => ({ doc_type: docType, filename: `${docType}.png`, content_type: "image/png", content_base64: png.toString("base64") });
  const answers = await Promise.all([
    call(host, "POST", "/v1/kyc/documents", document("id_front"), auth),
    call(host, "POST", "/v1/kyc/documents", document("selfie"), auth),
  ]);
  await Promise.all([...host.pending]);
  return answers;
}

// B12: a player uploads two documents of `mb` MiB at once; the Pyodide heap after the import,
// after the login, and at the end.
async function uploads(mb) {
  const config = wranglerConfig();
  const { state, bundle: bundlePath } = await bundled();
  let mf = null;
  try {
    await migrate(state, config);
    const started = await startMiniflare(state, config);
    mf = started.mf;
    const host = new Host();
    bindEnv(host, started.raw, config);
    const py = await edgePython(bundlePath, host);
    const heap = () => py._module.HEAP8.length / MiB;
    const beforeImport = heap();
    host.edge = imported(py, "entry").edge;
    const afterImport = heap();
    const auth = await loggedIn(host);
    const afterLogin = heap();
    const answers = await twoUploads(host, mb, auth);
    return {
      mode: "uploads", mb, statuses: answers.map((a) => a.status),
      heap_mib: { before_import: beforeImport, after_import: afterImport, after_login: afterLogin, after_uploads: heap() },
      errors: answers.filter((a) => a.status !== 201).map((a) => a.body),
    };
  } finally {
    await mf?.dispose().catch(() => {});
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
