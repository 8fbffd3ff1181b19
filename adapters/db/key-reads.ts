import { noteKeyUsed } from './api-keys.ts';
import type { Database } from './connect.ts';

// Every request's key is read from the database, so that a revoked key fails on the very next
// request on every instance; but requests that arrive together share one read: the keys asked for
// in one turn of the event loop are read with one statement just after it, which still starts
// after each of those requests arrived.

export interface KeyRow {
  id: string;
  key_hash: string;
  role: string;
  partner_id: string | null;
  vendor_id: string | null;
  person_id: string | null;
  last_used_at: Date | null;
}

type Waiter = (row: KeyRow | undefined, error?: unknown) => void;

const readers = new WeakMap<Database, (keyHash: string) => Promise<KeyRow | undefined>>();

function keyReader(db: Database): (keyHash: string) => Promise<KeyRow | undefined> {
  let waiting = new Map<string, Waiter[]>();
  const read = async (batch: Map<string, Waiter[]>): Promise<void> => {
    try {
      const { rows } = (await db.raw(
        `SELECT id, key_hash, role, partner_id, vendor_id, person_id, last_used_at FROM api_keys
         WHERE key_hash = ANY(?::text[]) AND revoked_at IS NULL`,
        [[...batch.keys()]],
      )) as { rows: KeyRow[] };
      // Once per key however many requests carried it.
      await Promise.all(rows.map((row) => noteKeyUsed(db, row.id, row.last_used_at)));
      const found = new Map(rows.map((row) => [row.key_hash, row]));
      for (const [keyHash, waiters] of batch) for (const waiter of waiters) waiter(found.get(keyHash));
    } catch (error) {
      for (const waiters of batch.values()) for (const waiter of waiters) waiter(undefined, error);
    }
  };
  return (keyHash) =>
    new Promise((resolve, reject) => {
      if (waiting.size === 0)
        setImmediate(() => {
          const batch = waiting;
          waiting = new Map();
          void read(batch);
        });
      const waiter: Waiter = (row, error) => (error === undefined ? resolve(row) : reject(error));
      const waiters = waiting.get(keyHash);
      if (waiters === undefined) waiting.set(keyHash, [waiter]);
      else waiters.push(waiter);
    });
}

/** The key's row unless it is unknown or revoked, read with the keys of the requests that arrived with it. */
export function readKey(db: Database, keyHash: string): Promise<KeyRow | undefined> {
  let reader = readers.get(db);
  if (reader === undefined) readers.set(db, (reader = keyReader(db)));
  return reader(keyHash);
}
