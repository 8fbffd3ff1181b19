import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitGroups } from '../adapters/db/index.ts';
import { tokenize } from '../adapters/x12/tokenize.ts';
import { createTestDatabase, type TestDatabase } from './support/databases.ts';
import { sampleOrder, startTestApp, type TestApp } from './support/app.ts';

// Concurrent requests committed together (adapters/db/commit-groups.ts with pipeline/interchange.ts
// runEnvelopeGroup and pipeline/runner.ts runOrderGroup), on the real PostgreSQL, with one writer so
// that what arrives while it writes must wait for the next transaction: rows that share a
// transaction id (xmin) were committed together.

const bundle = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');

/** The bundle interchange from `sender`, under control numbers (ISA13 and GS06) `isa13`, for PO `po`. */
const interchange = (sender: string, isa13: number, po: string): string =>
  bundle
    .replace('ACMEBUYER      ', sender.padEnd(15))
    .replace('GS*PO*ACMEBUYER', `GS*PO*${sender}`)
    .replace('*000000101*0*P', `*${String(isa13).padStart(9, '0')}*0*P`)
    .replace('IEA*1*000000101', `IEA*1*${String(isa13).padStart(9, '0')}`)
    .replace('*1200*101*X', `*1200*${isa13}*X`)
    .replace('GE*1*101', `GE*1*${isa13}`)
    .replaceAll('PO-7001', po);

const elementsOf = (x12: string, tag: string): string[][] =>
  tokenize(x12).flatMap((e) => (e.kind === 'segment' && e.segment.tag === tag ? [e.segment.elements] : []));

describe('group commit: concurrent requests in one transaction', () => {
  let t: TestApp;
  let a: { id: string; key: string };
  let b: { id: string; key: string };

  beforeAll(async () => {
    t = await startTestApp('postgres', { server: { commitGroups: { writers: 1, maxItems: 64 } } });
    a = await t.partner('Group A', { x12: { qualifier: 'ZZ', id: 'GROUPA', ourQualifier: 'ZZ', ourId: 'ORDERGATE' } });
    b = await t.partner('Group B', { x12: { qualifier: 'ZZ', id: 'GROUPB', ourQualifier: 'ZZ', ourId: 'ORDERGATE' } });
  });
  afterAll(async () => t?.close());

  const postX12 = (key: string, body: string) =>
    t.request({ method: 'POST', url: '/v1/x12', key, headers: { 'content-type': 'application/edi-x12' }, payload: body });

  const transactionsOf = async (ids: string[]): Promise<number> => {
    const { rows } = await t.database.db.raw(`SELECT count(DISTINCT xmin::text)::int AS n FROM orders WHERE id = ANY(?)`, [ids]);
    return (rows as { n: number }[])[0]?.n ?? 0;
  };

  it("stores 850s from two partners together, each answered with a 997 whose control numbers run on from its partner's last, none skipped or twice", async () => {
    const posts = [...Array(16).keys()].map((n) =>
      n % 2 === 0
        ? postX12(a.key, interchange('GROUPA', 1000 + n, `PO-A-${n}`))
        : postX12(b.key, interchange('GROUPB', 2000 + n, `PO-B-${n}`)),
    );
    const answers = await Promise.all(posts);
    for (const answer of answers) {
      expect(answer.statusCode, answer.body).toBe(200);
      expect(elementsOf(answer.body, 'AK5')).toEqual([['A']]);
    }
    // Each partner's 997s: ISA13 and GS06 1..8, in some order, each once.
    for (const [partner, parity] of [
      ['GROUPA', 0],
      ['GROUPB', 1],
    ] as const) {
      const mine = answers.filter((_answer, n) => n % 2 === parity);
      const isa13 = mine.map((answer) => Number(elementsOf(answer.body, 'ISA')[0]?.[12])).sort((x, y) => x - y);
      const gs06 = mine.map((answer) => Number(elementsOf(answer.body, 'GS')[0]?.[5])).sort((x, y) => x - y);
      expect(isa13, partner).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(gs06, partner).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(mine.every((answer) => elementsOf(answer.body, 'ISA')[0]?.[7]?.trim() === partner)).toBe(true);
    }
    const orders = await t.database.db('orders').whereIn('partner_id', [a.id, b.id]).select('id', 'external_ref');
    expect(orders.map((o: { external_ref: string }) => o.external_ref).sort()).toEqual(
      [...Array(16).keys()].map((n) => (n % 2 === 0 ? `PO-A-${n}` : `PO-B-${n}`)).sort(),
    );
    // One writer: the first request goes alone, the others arrive while it writes and go together.
    const transactions = await transactionsOf(orders.map((o: { id: string }) => o.id));
    expect(transactions).toBeLessThan(16);
    // As the metric tells it: 16 envelopes in that many groups.
    const sizes = (await t.deps.metrics.commitGroupSize.get()).values.filter((v) => v.labels.kind === 'envelope');
    expect(sizes.find((v) => v.metricName === 'ordergate_commit_group_size_sum')?.value).toBe(16);
    expect(sizes.find((v) => v.metricName === 'ordergate_commit_group_size_count')?.value).toBe(transactions);
  });

  it('makes one order of copies of one interchange sent at once: every copy gets the same 997, and the same control number with other content is refused', async () => {
    const copy = interchange('GROUPA', 3000, 'PO-COPY');
    const other = interchange('GROUPA', 3000, 'PO-OTHER');
    const answers = await Promise.all([
      postX12(a.key, interchange('GROUPA', 3001, 'PO-LEAD')),
      ...[...Array(6).keys()].map(() => postX12(a.key, copy)),
      postX12(a.key, other),
    ]);
    const copies = answers.slice(1, 7);
    for (const answer of copies) expect(answer.body).toBe(copies[0]?.body);
    expect(elementsOf(copies[0]?.body ?? '', 'AK5')).toEqual([['A']]);
    // The other content under ISA13 3000 came after the copies (its place in the group): refused whole.
    expect(elementsOf(answers[7]?.body ?? '', 'AK5')).not.toEqual([['A']]);
    const stored = await t.database.db('orders').where({ partner_id: a.id }).whereIn('external_ref', ['PO-COPY', 'PO-OTHER']);
    expect(stored.map((o: { external_ref: string }) => o.external_ref)).toEqual(['PO-COPY']);
  });

  it('makes one order of JSON orders sent at once under one Idempotency-Key, each answered with it; the key with another body is refused', async () => {
    const post = (key: string, externalRef: string) =>
      t.request({
        method: 'POST',
        url: '/v1/orders',
        key: a.key,
        headers: { 'idempotency-key': key },
        payload: { ...sampleOrder, externalRef },
      });
    const answers = await Promise.all([
      post('lead', 'PO-J-LEAD'),
      ...[...Array(6).keys()].map(() => post('same-key', 'PO-J-SAME')),
      post('same-key', 'PO-J-OTHER'),
      ...[...Array(6).keys()].map((n) => post(`own-${n}`, `PO-J-${n}`)),
    ]);
    const same = answers.slice(1, 7);
    for (const answer of same) expect([answer.statusCode, answer.json().id]).toEqual([201, same[0]?.json().id]);
    expect([answers[7]?.statusCode, answers[7]?.json().code]).toEqual([409, 'idempotency-key-reused']);
    for (const answer of answers.slice(8)) expect(answer.statusCode).toBe(201);
    const stored = await t.database.db('orders').where({ partner_id: a.id }).where('external_ref', 'like', 'PO-J-%');
    expect(stored.map((o: { external_ref: string }) => o.external_ref).sort()).toEqual(
      ['PO-J-0', 'PO-J-1', 'PO-J-2', 'PO-J-3', 'PO-J-4', 'PO-J-5', 'PO-J-LEAD', 'PO-J-SAME'].sort(),
    );
    expect(await transactionsOf(stored.map((o: { id: string }) => o.id))).toBeLessThan(stored.length);
  });
});

describe('group commit: one failing request fails alone', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    await database.db.raw('CREATE TABLE group_items (value integer PRIMARY KEY CHECK (value >= 0))');
  });
  afterAll(async () => database?.drop());

  it('answers each only after the commit that holds it, and a row the database refuses fails only its own request', async () => {
    const groups: number[][] = [];
    const committed: boolean[] = [];
    const writes = commitGroups(
      (values: number[]) => {
        groups.push(values);
        return database.db.transaction(async (trx) => {
          for (const value of values) await trx('group_items').insert({ value });
          return values.map((value) => `stored ${value}`);
        });
      },
      { writers: 1, maxItems: 64 },
    );
    const outcomes = await Promise.allSettled(
      [1, 2, -3, 4, 5].map(async (value) => {
        const outcome = await writes.submit(value);
        // Seen from another connection as soon as it is answered.
        committed.push((await database.db('group_items').where({ value }).first()) !== undefined);
        return outcome;
      }),
    );
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'failed'))).toEqual([
      'stored 1',
      'stored 2',
      'failed',
      'stored 4',
      'stored 5',
    ]);
    expect(committed).toEqual([true, true, true, true]);
    // Submitted in one turn: one group, then each alone after it failed.
    expect(groups).toEqual([[1, 2, -3, 4, 5], [1], [2], [-3], [4], [5]]);
    expect((await database.db('group_items').orderBy('value')).map((r: { value: number }) => r.value)).toEqual([1, 2, 4, 5]);
  });

  it('fails every request of a group at once when the database is out of reach, without trying each alone', async () => {
    let runs = 0;
    const writes = commitGroups(
      async () => {
        runs += 1;
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      },
      { writers: 1, maxItems: 64 },
    );
    const outcomes = await Promise.allSettled([1, 2, 3].map((value) => writes.submit(value)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(runs).toBe(1);
  });
});
