import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from './index.ts';

describe('the embedded database on its own thread', () => {
  let dataDir: string;
  let db: Database;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ordergate-pglite-thread-'));
    db = connectDatabase({ dataDir });
  });
  afterAll(async () => {
    await db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves the gateway thread free while a heavy statement runs', async () => {
    await db.raw('select 1'); // started and connected: what follows is the statement alone
    let ticks = 0;
    let running = true;
    const tick = (): void => {
      ticks += 1;
      if (running) setTimeout(tick, 1);
    };
    const heavy = db.raw('select count(*) as n from generate_series(1, 3000000) as g, lateral (select md5(g::text)) as m');
    setTimeout(tick, 1);
    const [row] = (await heavy).rows;
    running = false;
    expect(Number(row.n)).toBe(3_000_000);
    // In the gateway's own thread the statement ran in one piece and no timer fired meanwhile.
    expect(ticks).toBeGreaterThan(100);
  });

  it('keeps what PostgreSQL says about an error: code, constraint, detail', async () => {
    await db.raw('create table pairs (a int primary key, b text not null)');
    await db('pairs').insert({ a: 1, b: 'x' });
    const error = await db('pairs')
      .insert({ a: 1, b: 'y' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: '23505', constraint: 'pairs_pkey', detail: 'Key (a)=(1) already exists.' });
  });

  it('runs a transaction on the one connection and returns rows with their types', async () => {
    const rows = await db.transaction(async (trx) => {
      await trx('pairs').insert({ a: 2, b: 'two' });
      const result = await trx.raw(`select a, b, now() as at, '{"k":[1]}'::jsonb as j from pairs order by a`);
      return result.rows as unknown[];
    });
    expect(rows).toEqual([
      { a: 1, b: 'x', at: expect.any(Date), j: { k: [1] } },
      { a: 2, b: 'two', at: expect.any(Date), j: { k: [1] } },
    ]);
  });
});
