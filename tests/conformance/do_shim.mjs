// Durable Objects for the conformance suite: one instance per id, storage with Cloudflare's
// synchronous SQL API (`ctx.storage.sql.exec(...)` cursors, `transactionSync`) over SQLite
// (sql.js), alarms that fire like the runtime's, and RPC that structured-clones arguments and
// results. The Python classes under test are the real ones from workers/api/entry.py.
import initSqlJs from "sql.js";

const SQL = await initSqlJs();

class SqlCursor {
  constructor(rows, written) {
    this.rows = rows;
    this.rowsWritten = written;
  }
  toArray() { return this.rows; }
  one() {
    if (this.rows.length !== 1) throw new Error(`Expected exactly one result, got ${this.rows.length}`);
    return this.rows[0];
  }
  [Symbol.iterator]() { return this.rows[Symbol.iterator](); }
}

class SqlStorage {
  constructor() { this.db = new SQL.Database(); }
  exec(query, ...bindings) {
    for (const value of bindings) {
      if (value === undefined) throw new TypeError("undefined cannot be bound: use null");
    }
    const stmt = this.db.prepare(query);
    try {
      stmt.bind(bindings);
      const rows = [];
      while (stmt.step()) rows.push(stmt.getAsObject());
      return new SqlCursor(rows, this.db.getRowsModified());
    } finally {
      stmt.free();
    }
  }
}

export class DurableObjectStorage {
  constructor(onAlarm) {
    this.sql = new SqlStorage();
    this.depth = 0;
    this.alarm = null;
    this.timer = null;
    this.onAlarm = onAlarm;
  }
  transactionSync(fn) {
    const name = `tx${++this.depth}`;
    this.sql.db.run(`SAVEPOINT ${name}`);
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
  async getAlarm() { return this.alarm; }
  async setAlarm(at) {
    this.alarm = Number(at);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.alarm = null; this.onAlarm(); }, Math.max(0, this.alarm - Date.now()));
  }
  async deleteAlarm() { clearTimeout(this.timer); this.alarm = null; }
}

export class DurableObjectNamespace {
  constructor(factory) {
    this.factory = factory;
    this.instances = new Map();
    this.pending = new Set();
  }
  idFromName(name) { return { name, toString: () => name }; }
  instance(name) {
    let entry = this.instances.get(name);
    if (!entry) {
      entry = { object: null };
      const storage = new DurableObjectStorage(() => this.track(entry.object.alarm()));
      entry.object = this.factory({ id: this.idFromName(name), storage, waitUntil() {} });
      this.instances.set(name, entry);
    }
    return entry.object;
  }
  track(promise) {
    const p = Promise.resolve(promise).catch((e) => console.log(`alarm failed: ${e}`));
    this.pending.add(p);
    p.finally(() => this.pending.delete(p));
    return p;
  }
  async settled() {
    await new Promise((r) => setTimeout(r, 20));
    while (this.pending.size) await Promise.all([...this.pending]);
  }
  get(id) {
    const namespace = this;
    return new Proxy({}, {
      get(_, method) {
        if (method === "then" || typeof method !== "string") return undefined;
        return async (...args) => {
          const object = namespace.instance(id.name);
          const result = await object[method](...args.map((a) => structuredClone(a)));
          return result === undefined ? undefined : structuredClone(result);
        };
      },
    });
  }
}

export function createDurableObjectNamespace(factory) {
  return new DurableObjectNamespace(factory);
}
