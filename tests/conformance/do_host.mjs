// Durable Objects for the conformance suite. miniflare's own Durable Objects cannot host a class
// that lives in this process's Pyodide, so the real Python classes (`WalletDO`, `SessionDO` from
// the Worker's main module) are hosted here, as workerd hosts them:
//
// - one instance per id, constructed with `(state, env)`; requests interleave at every await,
//   with no lock of our own; `evict()` drops the instance and keeps its storage (a restart);
// - `state.storage.sql.exec(query, ...bindings)` is synchronous over SQLite (sql.js), with
//   workerd's rules: several statements in one call (only the last may have parameters, its
//   rows are the cursor's), bindings limited to null / number / string / bytes, no BEGIN /
//   COMMIT / SAVEPOINT / ATTACH, no `_cf_` names, BLOBs read as ArrayBuffer;
// - `transactionSync(fn)`: a savepoint, rolled back when fn throws; nestable;
// - alarms: `setAlarm` / `getAlarm` / `deleteAlarm`, the handler called like workerd calls it and
//   retried with backoff when it throws (failures are recorded for the suite to report);
// - RPC: arguments and results are structured-cloned (a value that cannot cross the boundary
//   fails here as it does on the edge); methods are called through the harness's `edge.call`,
//   i.e. `python_from_rpc` on the way in and `python_to_rpc` on the way out, as workerd does.
import { createHash } from "node:crypto";
import initSqlJs from "sql.js";

const SQL = await initSqlJs();
const FORBIDDEN_FIRST_WORDS = new Set(["BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"]);
const ALARM_RETRIES = 6;

class SqlStorageCursor {
  constructor(columnNames, rows, rowsRead, rowsWritten) {
    this.columnNames = columnNames;
    this.rows = rows;
    this.rowsRead = rowsRead;
    this.rowsWritten = rowsWritten;
    this.position = 0;
  }
  toArray() {
    const rest = this.rows.slice(this.position);
    this.position = this.rows.length;
    return rest;
  }
  one() {
    const rest = this.toArray();
    if (rest.length === 0) throw new Error("Expected exactly one result from SQL query, but got no results.");
    if (rest.length > 1) throw new Error("Expected exactly one result from SQL query, but got multiple results.");
    return rest[0];
  }
  next() {
    return this.position < this.rows.length
      ? { done: false, value: this.rows[this.position++] }
      : { done: true, value: undefined };
  }
  raw() {
    const rest = this.toArray();
    return rest.map((row) => this.columnNames.map((c) => row[c]))[Symbol.iterator]();
  }
  [Symbol.iterator]() { return this; }
}

function sqlError(error) {
  const message = String(error?.message ?? error);
  const code = /constraint failed/i.test(message) ? "SQLITE_CONSTRAINT" : "SQLITE_ERROR";
  return new Error(`${message}: ${code}`);
}

function checkStatement(text) {
  const first = text.replace(/^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*/, "").split(/[\s;(]/, 1)[0].toUpperCase();
  if (FORBIDDEN_FIRST_WORDS.has(first)) {
    throw new Error(
      "To execute a transaction, please use the state.storage.transaction() or " +
      "state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT " +
      "statements. The JavaScript API is safer because it will automatically roll back on " +
      "exceptions, and because it interacts correctly with Durable Objects' automatic atomic " +
      "write coalescing.");
  }
  if (first === "ATTACH" || first === "DETACH" || /\b_cf_/i.test(text)) {
    throw new Error(`not authorized: SQLITE_AUTH`);
  }
}

function bindingValue(value) {
  if (value === null || typeof value === "number" || typeof value === "string") return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`${value === undefined ? "undefined" : typeof value} is not a SQL binding ` +
    "type here (null, number, string, ArrayBuffer): convert it before binding");
}

function rowValue(value) {
  return value instanceof Uint8Array
    ? value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength)
    : value;
}

export class SqlStorage {
  constructor() { this.db = new SQL.Database(); }
  get databaseSize() { return this.db.export().length; }
  totalChanges() { return this.db.exec("SELECT total_changes()")[0].values[0][0]; }
  exec(query, ...bindings) {
    const params = bindings.map(bindingValue);
    const changesBefore = this.totalChanges();
    const iterator = this.db.iterateStatements(String(query));
    let statement = null;
    try {
      for (;;) {
        const next = iterator.next();
        if (next.done) throw new Error("SQL code did not contain a statement.");
        statement = next.value;
        checkStatement(statement.getSQL());
        if (iterator.getRemainingSQL().trim().replace(/^;+/, "").trim() === "") break;
        // Not the last statement: it runs now, without parameters, its rows discarded.
        if (/[?:@$]/.test(statement.getSQL().replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"/g, ""))) {
          throw new Error("When executing multiple SQL statements in a single call, only the " +
            "last statement can have parameters.");
        }
        while (statement.step()) { /* discarded */ }
        statement.free();
        statement = null;
      }
      statement.bind(params);
      const columns = statement.getColumnNames();
      const rows = [];
      while (statement.step()) {
        const values = statement.get();
        const row = {};
        columns.forEach((c, j) => { row[c] = rowValue(values[j]); });
        rows.push(row);
      }
      return new SqlStorageCursor(columns, rows, rows.length, this.totalChanges() - changesBefore);
    } catch (error) {
      if (error instanceof TypeError || /^(To execute|not authorized|When executing|SQL code)/.test(error.message)) throw error;
      throw sqlError(error);
    } finally {
      statement?.free();
    }
  }
}

export class DurableObjectStorage {
  constructor(onAlarmChange) {
    this.sql = new SqlStorage();
    this.depth = 0;
    this.alarm = null;
    this.onAlarmChange = onAlarmChange;
  }
  transactionSync(fn) {
    const name = `_cf_sync_savepoint_${this.depth}`;
    this.sql.db.run(`SAVEPOINT ${name}`);
    this.depth += 1;
    try {
      const result = fn();
      this.sql.db.run(`RELEASE ${name}`);
      return result;
    } catch (error) {
      this.sql.db.run(`ROLLBACK TO ${name}`);
      this.sql.db.run(`RELEASE ${name}`);
      throw error;
    } finally {
      this.depth -= 1;
    }
  }
  async transaction(fn) {
    return this.transactionSync(() => fn(this));
  }
  async getAlarm() { return this.alarm; }
  async setAlarm(scheduledTime) {
    const at = scheduledTime instanceof Date ? scheduledTime.getTime() : Number(scheduledTime);
    if (!Number.isFinite(at)) throw new TypeError("setAlarm() requires a number or a Date");
    this.alarm = at;
    this.onAlarmChange();
  }
  async deleteAlarm() {
    this.alarm = null;
    this.onAlarmChange();
  }
  async sync() {}
}

export class DurableObjectId {
  constructor(name) {
    this.name = name;
    this.hex = createHash("sha256").update(`do:${name}`).digest("hex");
  }
  toString() { return this.hex; }
  equals(other) { return other?.hex === this.hex; }
}

export class DurableObjectState {
  constructor(id, storage, host) {
    this.id = id;
    this.storage = storage;
    this._host = host;
  }
  waitUntil(promise) { this._host.track(promise); }
  async blockConcurrencyWhile(fn) { return await fn(); }
  get [Symbol.toStringTag]() { return "DurableObjectState"; }
}

function rpcError(error) {
  const cloned = new Error(String(error?.message ?? error));
  cloned.name = error?.name ?? "Error";
  return cloned;
}

export class DurableObjectNamespace {
  constructor(host, className) {
    this.host = host;
    this.className = className;
    this.objects = new Map(); // name -> { id, storage, instance, timer }
  }
  idFromName(name) { return new DurableObjectId(String(name)); }
  get(id) { return this.stub(id); }
  getByName(name) { return this.stub(this.idFromName(name)); }
  entry(id) {
    let entry = this.objects.get(id.name);
    if (!entry) {
      entry = { id, instance: null, timer: null, retries: 0 };
      entry.storage = new DurableObjectStorage(() => this.scheduleAlarm(entry));
      this.objects.set(id.name, entry);
    }
    return entry;
  }
  instance(entry) {
    if (!entry.instance) {
      const state = new DurableObjectState(entry.id, entry.storage, this.host);
      entry.instance = this.host.edge.construct(this.className, state, this.host.env);
    }
    return entry.instance;
  }
  evict(name) {
    const entry = this.objects.get(String(name));
    if (entry?.instance) {
      entry.instance.destroy?.();
      entry.instance = null;
    }
  }
  stub(id) {
    const namespace = this;
    return new Proxy({ id, name: id.name }, {
      get(target, method) {
        if (typeof method !== "string" || method === "then") return undefined;
        if (method in target) return target[method];
        return async (...args) => {
          const entry = namespace.entry(id);
          const instance = namespace.instance(entry);
          let result;
          try {
            result = await namespace.host.edge.call(false, instance, method, ...args.map((a) => structuredClone(a)));
          } catch (error) {
            throw rpcError(error);
          }
          return result === undefined ? undefined : structuredClone(result);
        };
      },
    });
  }
  scheduleAlarm(entry) {
    clearTimeout(entry.timer);
    entry.timer = null;
    this.host.alarmDone(entry);
    if (entry.storage.alarm === null) return;
    const due = entry.storage.alarm;
    entry.timer = setTimeout(() => this.host.track(this.runAlarm(entry, due)), Math.max(0, due - Date.now()));
    this.host.alarmScheduled(entry, due);
  }
  async runAlarm(entry, due) {
    entry.timer = null;
    this.host.alarmDone(entry);
    if (entry.storage.alarm !== due) return;
    entry.storage.alarm = null;
    const info = { retryCount: entry.retries, isRetry: entry.retries > 0 };
    try {
      await this.host.edge.call_handler(this.instance(entry), "alarm", info);
      entry.retries = 0;
    } catch (error) {
      this.host.alarmFailures.push(`${this.className}(${entry.id.name}) alarm: ${error?.message ?? error}`);
      if (entry.retries < ALARM_RETRIES && entry.storage.alarm === null) {
        entry.retries += 1;
        entry.storage.alarm = Date.now() + 20 * 2 ** entry.retries;
        this.scheduleAlarm(entry);
      } else {
        entry.retries = 0;
      }
    }
  }
}
