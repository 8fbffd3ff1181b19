import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// The embedded database on a thread of its own. PGlite runs each statement synchronously in
// WebAssembly: in the gateway's thread one heavy statement stopped every other request, health
// checks included. On its own thread it stops only that thread, and the gateway's thread is left
// the protocol's small work (knex's SQL and structured-cloned rows).

/** What knex-pglite asks of a PGlite instance. */
export interface PGliteOnThread {
  waitReady: Promise<void>;
  query(sql: string, params?: unknown[]): Promise<QueryResult>;
  close(): Promise<void>;
}

interface QueryResult {
  rows: unknown[];
  fields: unknown[];
  affectedRows?: number;
}

interface Answer {
  id?: number;
  ready?: boolean;
  result?: QueryResult;
  error?: Record<string, unknown>;
}

// Plain CommonJS, so that the same worker runs from dist/ and from the TypeScript sources under tsx
// or vitest (a worker's entry is not run through their loaders on Node 20). An error's own fields
// (code, detail, constraint...) do not survive structured cloning as an Error: they travel as fields.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglite);
const db = new PGlite(workerData.filename);
const plain = (error) => {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields = { name: error.name, message: error.message };
  for (const [key, value] of Object.entries(error)) if (typeof value !== 'object' && typeof value !== 'function') fields[key] = value;
  return fields;
};
parentPort.on('message', ({ id, sql, params, close }) => {
  const work = close ? db.close().then(() => undefined) : db.query(sql, params);
  work.then(
    (result) => parentPort.postMessage({ id, result: result && { rows: result.rows, fields: result.fields, affectedRows: result.affectedRows } }),
    (error) => parentPort.postMessage({ id, error: plain(error) }),
  );
});
db.waitReady.then(() => parentPort.postMessage({ ready: true }), (error) => parentPort.postMessage({ ready: false, error: plain(error) }));
`;

/** The worker's error again as an Error, with PostgreSQL's fields where callers look for them. */
const revive = (fields: Record<string, unknown>): Error => Object.assign(new Error(String(fields.message)), fields);

export function startPGliteThread(filename: string): PGliteOnThread {
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const worker = new Worker(workerSource, { eval: true, workerData: { filename, pglite } });
  const waiting = new Map<number, { resolve(answer: Answer): void; reject(error: Error): void }>();
  let nextId = 0;
  let stopped: Error | undefined;
  let ready: { resolve(): void; reject(error: Error): void } | undefined;
  const waitReady = new Promise<void>((resolve, reject) => (ready = { resolve, reject }));
  // Nobody may be waiting yet when it fails to start; a query then gets the same error.
  waitReady.catch(() => undefined);

  worker.on('message', (answer: Answer) => {
    if (answer.ready !== undefined) {
      return answer.ready ? ready?.resolve() : ready?.reject(revive(answer.error ?? { message: 'PGlite did not start' }));
    }
    const caller = waiting.get(answer.id ?? -1);
    waiting.delete(answer.id ?? -1);
    caller?.resolve(answer);
  });
  const fail = (error: Error) => {
    stopped ??= error;
    ready?.reject(error);
    for (const caller of waiting.values()) caller.reject(error);
    waiting.clear();
  };
  worker.on('error', (error) => fail(new Error(`the embedded database stopped: ${error.message}`)));
  worker.on('exit', (code) => fail(new Error(`the embedded database is closed (its thread exited with ${code})`)));

  const ask = async (message: { sql?: string; params?: unknown[]; close?: boolean }): Promise<Answer> => {
    const answer = await new Promise<Answer>((resolve, reject) => {
      if (stopped !== undefined) return reject(stopped);
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, ...message });
    });
    if (answer.error !== undefined) throw revive(answer.error);
    return answer;
  };

  return {
    waitReady,
    async query(sql, params = []) {
      const { result } = await ask({ sql, params });
      if (result === undefined) throw new Error('the embedded database answered a query without a result');
      return result;
    },
    async close() {
      if (stopped === undefined) await ask({ close: true });
      await worker.terminate();
    },
  };
}
