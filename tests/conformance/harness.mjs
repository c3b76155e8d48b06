// The conformance suite: the Worker as wrangler uploads it, run inside real Pyodide (npm
// `pyodide`, Python 3.14 as on the edge) in Node, against miniflare's real D1, KV and R2.
//
//   bash scripts/vendor_python_modules.sh && node tests/conformance/harness.mjs [filter ...]
//
// Filters are substrings of test ids (`test_d1::test_batch...`); `--verbose` prints the captured
// output of passing tests too. The last line is always `N passed, M failed`; the exit status is
// non-zero when anything failed. Before it, `edge functions run: N of M (P%)` and those never run:
// the edge functions are the handlers of the main module's `Default` and every RPC command and
// alarm of its Durable Object classes (listed from the classes, runtime/conformance_edge.py), run
// when a case reached them the way workerd calls them; a whole run (no filters) fails below 95%.
// The set-up (bundle, miniflare, Pyodide) is boot.mjs, shared with bench/pyodide.mjs.
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
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import {
  Host, bindEnv, bundle, conformance as here, entropy, importMain, migrate, root, startMiniflare, startPython,
  wranglerConfig,
} from "./boot.mjs";

const argv = process.argv.slice(2);
const verbose = argv.includes("--verbose") || !!process.env.CONFORMANCE_VERBOSE;
const filters = argv.filter((a) => !a.startsWith("--"));
const TEST_TIMEOUT_MS = 120_000;
// The share of the edge functions (the Worker's handlers, every Durable Object command and alarm)
// a whole run must run.
const EDGE_FUNCTIONS_MIN_SHARE = 0.95;
const started = Date.now();
const run = promisify(execFile);
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

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

function checkVendored() {
  for (const dir of ["python_modules", "python_modules/workers", "python_modules/pydantic_core"]) {
    if (!statSync(path.join(root, dir), { throwIfNoEntry: false })?.isDirectory()) {
      throw new Error(`${dir} is missing: run \`bash scripts/vendor_python_modules.sh\` first`);
    }
  }
}

// Bundle, migrations, CPython vectors (in parallel), then miniflare, the env and Pyodide.
async function boot(state, results) {
  checkVendored();
  const config = wranglerConfig();
  const t0 = Date.now();
  const [bundlePath, , vectors] = await Promise.all([bundle(state), migrate(state, config), cpythonVectors()]);
  console.log(`bundle, migrations and CPython vectors ready in ${seconds(t0)}`);
  const t1 = Date.now();
  const { mf, raw } = await startMiniflare(state, config);
  const host = new Host();
  bindEnv(host, raw, config);
  const info = {
    mainModule: "entry",
    compatibilityDate: config.compatibilityDate,
    compatibilityFlags: config.compatibilityFlags,
    migrations: readdirSync(path.join(root, config.migrationsDir)).filter((f) => f.endsWith(".sql")).sort(),
    cpythonVectors: vectors.json ?? undefined,
    cpythonVectorsError: vectors.error ?? undefined,
    topLevelError: undefined,
    nodeVersion: process.version,
  };
  if (!config.compatibilityFlags.enable_python_external_sdk) {
    console.log("note: compatibility flags say the runtime provides the `workers` SDK; the suite uses the vendored copy");
  }
  const { py, output } = await startPython(bundlePath, host, { flags: config.compatibilityFlags, bindings: raw, info, cases: true });
  console.log(`Pyodide ${py.version} and miniflare ready in ${seconds(t1)}`);
  // The top level, then the first request.
  const t2 = Date.now();
  const { edge, error } = importMain(py, info.mainModule);
  host.edge = edge;
  info.topLevelError = error ?? undefined;
  const topLevelOutput = output.splice(0);
  console.log(`main module imported in ${seconds(t2)} (${entropy.granted} entropy calls granted by import patches)`);
  if (error) results.push({ id: "harness::import the main module", error, output: topLevelOutput, time: seconds(t2) });
  return { mf, host, py, output, edge };
}

// One case, with its timeout; then its background work (waitUntil, alarms due soon) settled.
async function runCase(runner, host, id) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${TEST_TIMEOUT_MS / 1000}s`)), TEST_TIMEOUT_MS);
  });
  let error = null;
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
  return error ?? null;
}

async function runCases(py, host, output, results) {
  const runner = py.pyimport("conformance_runner");
  const modules = readdirSync(path.join(here, "cases")).filter((f) => /^test_.*\.py$/.test(f)).sort().map((f) => f.slice(0, -3));
  const discovered = runner.discover(modules).toJs();
  output.splice(0);
  for (const [id, importError] of discovered) {
    if (filters.length && !filters.some((f) => id.includes(f))) continue;
    const t = Date.now();
    const error = importError ?? (await runCase(runner, host, id));
    results.push({ id, error, output: output.splice(0), time: seconds(t) });
  }
}

// Which edge functions the cases ran: the lines to print, and a failure when a whole run (no
// filters) ran less than EDGE_FUNCTIONS_MIN_SHARE of them.
function edgeFunctionsRun(edge) {
  const { functions, ran } = JSON.parse(edge.edge_functions());
  const share = functions.length ? ran.length / functions.length : 0;
  const never = functions.filter((f) => !ran.includes(f));
  const lines = [`edge functions run: ${ran.length} of ${functions.length} (${(Math.floor(share * 1000) / 10)}%)`];
  if (never.length) lines.push(`never run: ${never.join(", ")}`);
  const failed = !filters.length && share < EDGE_FUNCTIONS_MIN_SHARE;
  const error = failed ? `${lines.join("\n")}\nless than ${EDGE_FUNCTIONS_MIN_SHARE * 100}%: add cases that run them` : null;
  return { lines, error };
}

async function main() {
  const results = [];
  const state = mkdtempSync(path.join(tmpdir(), "casino-conformance-"));
  let mf = null;
  let coverage = { lines: [] };
  try {
    const booted = await boot(state, results);
    mf = booted.mf;
    await runCases(booted.py, booted.host, booted.output, results);
    coverage = edgeFunctionsRun(booted.edge);
    if (coverage.error) results.push({ id: "harness::edge functions run", error: coverage.error, output: [], time: "0.0s" });
  } catch (error) {
    results.push({ id: "harness", error: String(error?.stack ?? error), output: [], time: seconds(started) });
  } finally {
    await mf?.dispose().catch(() => {});
    rmSync(state, { recursive: true, force: true });
  }
  const { passed, failed } = report(results);
  for (const line of coverage.lines) console.log(line);
  console.log(`total ${seconds(started)}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

await main();
