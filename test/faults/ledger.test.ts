import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleOrder, startTestApp, type TestApp } from '../support/app.ts';
import { answerMailboxes, completePersonTasks } from '../support/fulfillment.ts';
import { checkLedger, type Accepted } from '../support/ledger.ts';
import { ensurePostgresRunning } from './postgres-cluster.ts';

// The checker the fault tests end with, checked itself: books that balance say so, and each kind
// of damage a fault could do (written into the database by hand here) lands in its own list.

describe('the ledger', () => {
  let t: TestApp;
  let acme: { id: string; key: string };
  const accepted: Accepted[] = [];
  const ids = new Map<string, string>();

  const post = async (externalRef: string) => {
    const res = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: acme.key,
      headers: { 'idempotency-key': externalRef },
      payload: { ...sampleOrder, externalRef },
    });
    expect(res.statusCode, res.body).toBe(201);
    ids.set(externalRef, res.json().id);
    return res.json().id as string;
  };

  beforeAll(async () => {
    await ensurePostgresRunning();
    t = await startTestApp('postgres');
    acme = await t.partner('Acme');
    for (const ref of ['L-1', 'L-2', 'L-3'])
      accepted.push({ partnerId: acme.id, externalRef: ref, orderId: await post(ref), via: 'POST /v1/orders 201' });
    // Vendors through the mailbox, then the customer's activation, until nothing is left.
    for (let round = 0; round < 5; round += 1) {
      let completed = 0;
      await answerMailboxes(t);
      for (const id of ids.values()) completed += await completePersonTasks(t, id, acme.key);
      if (completed === 0 && (await answerMailboxes(t)) === 0) break;
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('balances when every accepted order is ready for billing, each effect once', async () => {
    const report = await checkLedger(t.database.db, accepted);
    expect(report).toEqual({ lost: [], duplicated: [], unexpected: [], counts: { stored: 3, accepted: 3 } });
    // A replayed answer (same id) is one submission, not two.
    expect((await checkLedger(t.database.db, [...accepted, { ...(accepted[0] as Accepted) }])).duplicated).toEqual([]);
  });

  it('names what was lost, what happened twice and what nobody sent', async () => {
    const { db } = t.database;
    const one = ids.get('L-1') as string;
    const two = ids.get('L-2') as string;
    const three = ids.get('L-3') as string;
    // Lost: accepted but never stored; and accepted, stored, never fulfilled.
    const stuck = await post('L-STUCK');
    // Unexpected: stored, but no accepted submission names it.
    await post('L-STRAY');
    const books: Accepted[] = [
      ...accepted,
      { partnerId: acme.id, externalRef: 'L-GONE', orderId: randomUUID() },
      { partnerId: acme.id, externalRef: 'L-STUCK', orderId: stuck },
    ];

    // Duplicated: a transition twice, an acknowledgment event twice, a task requested twice,
    // a line shipped beyond its quantity, an order stored twice for one submission.
    await db.raw(
      `INSERT INTO order_events (order_id, from_status, to_status, cause, actor) SELECT order_id, from_status, to_status, cause, actor FROM order_events WHERE order_id = ? AND to_status = 'ready_for_billing'`,
      [one],
    );
    await db.raw(
      `INSERT INTO outbox (message_id, type, correlation_id, destination, payload, state) SELECT ?, type, correlation_id, destination, payload, state FROM outbox WHERE correlation_id = ? AND type = 'order.acknowledged.v1'`,
      [randomUUID(), two],
    );
    await db.raw(
      `INSERT INTO outbox (message_id, type, correlation_id, destination, payload, state, vendor_id, task_id) SELECT ?, type, correlation_id, destination, payload, state, vendor_id, task_id FROM outbox WHERE correlation_id = ? AND type = 'fulfillment.request.v1' ORDER BY id LIMIT 1`,
      [randomUUID(), three],
    );
    await db('order_lines').where({ order_id: three, line_number: '1' }).update({ shipped_quantity: 3 });
    const twin = randomUUID();
    await db.raw(
      `INSERT INTO orders (id, partner_id, channel, external_ref, order_type, status, order_date, currency, header, totals, extras) SELECT ?, partner_id, channel, external_ref, order_type, status, order_date, currency, header, totals, extras FROM orders WHERE id = ?`,
      [twin, one],
    );

    const report = await checkLedger(db, books);
    const matching = (list: string[], pattern: RegExp) => list.filter((entry) => pattern.test(entry));
    expect(matching(report.lost, /^L-GONE: accepted but not stored$/)).toHaveLength(1);
    expect(matching(report.lost, new RegExp(`^L-STUCK \\(order ${stuck}\\): status decomposed, expected ready_for_billing$`))).toHaveLength(
      1,
    );
    expect(matching(report.lost, /^L-STUCK .*: task .* never done$/).length).toBeGreaterThan(0);
    // The twin is not ready for billing's events either: it has none of its own.
    expect(report.lost.filter((entry) => !/^L-(GONE|STUCK)/.test(entry) && !entry.includes(twin))).toEqual([]);

    expect(matching(report.duplicated, /^L-1: one accepted submission stored as 2 orders/)).toHaveLength(1);
    expect(
      matching(report.duplicated, new RegExp(`^L-1 \\(order ${one}\\): transition fulfilled → ready_for_billing recorded 2 times$`)),
    ).toHaveLength(1);
    expect(matching(report.duplicated, new RegExp(`^L-2 \\(order ${two}\\): 2 × order.acknowledged.v1 in the outbox$`))).toHaveLength(1);
    expect(matching(report.duplicated, new RegExp(`^L-3 \\(order ${three}\\): task .* requested 2 times \\(1 allowed\\)$`))).toHaveLength(
      1,
    );
    expect(matching(report.duplicated, new RegExp(`^L-3 \\(order ${three}\\): line 1 shipped 3 of 2$`))).toHaveLength(1);
    expect(report.duplicated).toHaveLength(5);

    expect(report.unexpected).toEqual([
      expect.stringMatching(/^L-STRAY \(order .*\) of partner .*: stored \(status decomposed\) but nobody's accepted submission$/),
    ]);

    // One submission answered with two different ids is a duplicate too.
    const twice = await checkLedger(db, [...books, { partnerId: acme.id, externalRef: 'L-2', orderId: randomUUID() }]);
    expect(matching(twice.duplicated, /^L-2: one submission was answered with 2 different order ids/)).toHaveLength(1);
  });
});
