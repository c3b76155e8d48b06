// The CPU of each endpoint in the edge's Python: the Worker (the bundle of `wrangler deploy
// --dry-run`, imported at the top level as the conformance harness imports it) in Pyodide 314 in
// Node, its Durable Objects hosted in the same Pyodide (tests/conformance/do_host.mjs), D1, KV
// and R2 miniflare's (workerd's, in a process of their own, so their CPU is not counted: on the
// edge it is not the Worker's either).
//
//   node bench/pyodide_requests.mjs N     N requests of each kind, one after another
//
// For each kind: the process CPU (user + system) of each request from `fetch` to its answer,
// which includes the Durable Object calls the request makes (on the edge those are billed to the
// objects); for rounds and deposits also the CPU per request with the alarms they arm (the
// projection to D1 and to the fraud queue) run to the end. The objects' SQLite here is the
// harness's sql.js stand-in (WebAssembly, every statement parsed anew), not the edge's native
// SQLite: its share is measured apart (`storage_ms`), as is miniflare's D1 client's (`d1_ms`),
// and `python_ms` is the rest: our Python in Pyodide and its JS glue (medians over the
// requests; `python_with_alarms_ms` the mean with the alarms the requests armed).
// Prints one JSON line.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  Host, bindEnv, bundle, importMain, migrate, startMiniflare, startPython, wranglerConfig,
} from "../tests/conformance/boot.mjs";
import { call } from "./worker_fetch.mjs";
import { SqlStorage } from "../tests/conformance/do_host.mjs";

const PASSWORD = "Str0ng-Passw0rd!x";

function expect(answer, status, what) {
  if (answer.status !== status) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

// CPU spent outside our Python, summed: inside the stand-in's `sql.exec` (synchronous, so
// counted exactly), and inside every call to miniflare's D1 (a `first()` costs this process
// ~10 ms of CPU in miniflare's client; on the edge D1 runs elsewhere and the Worker waits). An
// awaited D1 call's window may also hold other work of ours that ran meanwhile (an alarm), so
// `python_ms` is slightly low when alarms overlap and `d1_ms` slightly high.
const outside = { storage: 0, d1: 0 };
function timedCall(fn, self, args, what) {
  const before = cpuMs();
  try {
    return fn.apply(self, args);
  } finally {
    outside[what] += cpuMs() - before;
  }
}
async function timedAwait(promise) {
  const before = cpuMs();
  try {
    return await promise();
  } finally {
    outside.d1 += cpuMs() - before;
  }
}
const exec = SqlStorage.prototype.exec;
SqlStorage.prototype.exec = function timedExec(...args) { return timedCall(exec, this, args, "storage"); };

// miniflare's statements behind one with the edge's class name whose every call is timed.
class D1PreparedStatement {
  constructor(inner) { this.inner = inner; }
  bind(...args) { return new D1PreparedStatement(timedCall(this.inner.bind, this.inner, args, "d1")); }
  first(...args) { return timedAwait(() => this.inner.first(...args)); }
  all(...args) { return timedAwait(() => this.inner.all(...args)); }
  run(...args) { return timedAwait(() => this.inner.run(...args)); }
  raw(...args) { return timedAwait(() => this.inner.raw(...args)); }
}

function timeD1(db) {
  const [prepare, batch] = [db.prepare.bind(db), db.batch.bind(db)];
  db.prepare = (query) => new D1PreparedStatement(timedCall(prepare, null, [query], "d1"));
  db.batch = (statements) => timedAwait(() => batch([...statements].map((s) => s.inner ?? s)));
}

// A verified, funded player with a dice session: what a round needs. KYC is approved the way
// the app's KYC writer does it (the WalletDO first, then D1), so no request reads D1 for it.
async function player(host, raw, n) {
  const email = `cpu-${n}-${Date.now()}@example.com`;
  const registered = expect(await call(host, "POST", "/v1/auth/register", {
    email, password: PASSWORD, full_name: "Ana Souza", birth_date: "1990-01-01", country: "BR", cpf: "52998224725",
  }, { "cf-connecting-ip": `10.0.0.${n}` }), 201, "register");
  const id = registered.player_id;
  await host.env.WALLET.getByName(id).set_kyc_status({ kyc_status: "verified", player_id: id, _address: id });
  await raw.DB.prepare("UPDATE players SET kyc_status = 'verified' WHERE player_id = ?").bind(id).run();
  const tokens = expect(await call(host, "POST", "/v1/auth/login", { email, password: PASSWORD }), 200, "login");
  const auth = { authorization: `Bearer ${tokens.access_token}` };
  expect(await call(host, "POST", "/v1/wallet/deposits", { amount: 10_000_000, method: "pix" },
    { ...auth, "idempotency-key": `fund-${n}` }), 201, "deposit");
  const session = expect(await call(host, "POST", "/v1/games/dice/sessions", {}, auth), 201, "session");
  await host.settled();
  return { id, email, auth, tokens, session: session.session_id };
}

// The kinds of request timed, each a function of the player and the request's number.
const KINDS = {
  healthz: () => ["GET", "/healthz", null, {}, 200],
  wallet: (p) => ["GET", "/v1/wallet", null, p.auth, 200],
  wallet_events: (p) => ["GET", "/v1/wallet/events?limit=50", null, p.auth, 200],
  round: (p, i) => ["POST", `/v1/sessions/${p.session}/rounds`, { stake: 100, params: { target: 5000 } },
    { ...p.auth, "idempotency-key": `round-${i}` }, 201],
  deposit: (p, i) => ["POST", "/v1/wallet/deposits", { amount: 1_000, method: "pix" },
    { ...p.auth, "idempotency-key": `deposit-${i}` }, 201],
  session: (p) => ["POST", "/v1/games/dice/sessions", {}, p.auth, 201],
  login: (p) => ["POST", "/v1/auth/login", { email: p.email, password: PASSWORD }, {}, 200],
};
const WITH_ALARMS = new Set(["round", "deposit"]);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeKind(host, p, kind, n) {
  const [total, storage, d1] = [[], [], []];
  const [started, d1Started, storageStarted] = [cpuMs(), outside.d1, outside.storage];
  for (let i = 0; i < n; i += 1) {
    const [method, url, body, headers, status] = KINDS[kind](p, i);
    const [before, storageBefore, d1Before] = [cpuMs(), outside.storage, outside.d1];
    expect(await call(host, method, url, body, headers), status, kind);
    total.push(cpuMs() - before);
    storage.push(outside.storage - storageBefore);
    d1.push(outside.d1 - d1Before);
  }
  await host.settled();
  const withAlarms = (cpuMs() - started - (outside.d1 - d1Started) - (outside.storage - storageStarted)) / n;
  return {
    total_ms: median(total),
    storage_ms: median(storage),
    d1_ms: median(d1),
    python_ms: median(total.map((t, i) => t - storage[i] - d1[i])),
    ...(WITH_ALARMS.has(kind) ? { python_with_alarms_ms: withAlarms } : {}),
  };
}

async function main(n) {
  const config = wranglerConfig();
  const state = mkdtempSync(path.join(tmpdir(), "casino-bench-cpu-"));
  let mf = null;
  try {
    const bundlePath = await bundle(state);
    await migrate(state, config);
    const started = await startMiniflare(state, config);
    mf = started.mf;
    const host = new Host();
    bindEnv(host, started.raw, config);
    timeD1(host.env.DB);
    const { py } = await startPython(bundlePath, host, { quiet: true });
    host.edge = importMain(py, "entry").edge;
    const p = await player(host, started.raw, 1);
    for (const kind of Object.keys(KINDS)) await timeKind(host, p, kind, Math.min(n, 5)); // warm
    const kinds = {};
    for (const kind of Object.keys(KINDS)) kinds[kind] = await timeKind(host, p, kind, kind === "login" ? Math.min(n, 20) : n);
    const failures = host.takeAlarmFailures();
    return { mode: "requests", n, kinds, alarm_failures: failures.slice(0, 5) };
  } finally {
    await mf?.dispose().catch(() => {});
    rmSync(state, { recursive: true, force: true });
  }
}

console.log(JSON.stringify(await main(Number(process.argv[2] ?? 200))));
process.exit(0);
