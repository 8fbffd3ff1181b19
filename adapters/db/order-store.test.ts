import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { orderStore } from './order-store.ts';
import { createPartner } from './partners.ts';

// Transactions that the database rolls back to break a deadlock are run again inside the gateway:
// the caller sees them succeed, control numbers stay gap-free. Two connections are needed to
// deadlock, so this runs on PostgreSQL only (PGlite has one).

describe('order store transactions under conflict (PostgreSQL)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  });
  afterAll(async () => database?.drop());

  const partner = async (name: string) => {
    const created = await createPartner(database.db, { name });
    if (!created.ok) throw new Error('not created');
    return created.partner.id;
  };

  it('runs a transaction chosen as a deadlock victim again, so both crosswise takers succeed with gap-free numbers', async () => {
    const [first, second] = [await partner('Crosswise A'), await partner('Crosswise B')];
    const store = orderStore(database.db);
    let holding = 0;
    let release: () => void = () => undefined;
    const bothHold = new Promise<void>((resolve) => (release = resolve));
    let attempts = 0;
    // Each takes one partner's counter, waits until the other holds its own, then asks for the other's.
    const crosswise = (a: string, b: string) =>
      store.transaction(async (tx) => {
        attempts += 1;
        const mine = await tx.takeControlNumbers(a, { isa: 1 });
        holding += 1;
        if (holding === 2) release();
        await bothHold;
        const theirs = await tx.takeControlNumbers(b, { isa: 1 });
        return [mine.isa, theirs.isa];
      });
    const results = await Promise.all([crosswise(first, second), crosswise(second, first)]);
    expect(attempts).toBe(3);
    expect(results.flat().sort()).toEqual([1, 1, 2, 2]);
    const counters = await database.db('control_numbers').whereIn('partner_id', [first, second]).select('kind', 'last');
    expect(counters.map((row: { last: number }) => Number(row.last))).toEqual([2, 2]);
  });

  it('does not run again a transaction that failed for any other reason', async () => {
    let attempts = 0;
    await expect(
      orderStore(database.db).transaction(async () => {
        attempts += 1;
        throw new Error('a defect, not a conflict');
      }),
    ).rejects.toThrow('a defect, not a conflict');
    expect(attempts).toBe(1);
  });
});
