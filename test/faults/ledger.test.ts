import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleOrder, startTestApp, type TestApp } from '../support/app.ts';
import { answerMailboxes, completePersonTasks } from '../support/fulfillment.ts';
import { checkLedger, describeLedger, shipmentIdOf, type Accepted } from '../support/ledger.ts';
import { x12Identity, x12Interchange } from './fulfillment-rig.ts';

// The checker the fault tests end with, checked itself: books that balance say so, and each kind
// of damage a fault could do (written into the database by hand here) lands in its own list. The
// orders are JSON orders and two X12 850s (their partner gets the 855, 856s and 810 as documents).

describe('the ledger', () => {
  let t: TestApp;
  let acme: { id: string; key: string };
  let edi: { id: string; key: string };
  const accepted: Accepted[] = [];
  const ids = new Map<string, string>();
  const x12Refs = ['L-X12-A', 'L-X12-B'];

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
    t = await startTestApp('postgres');
    acme = await t.partner('Acme');
    for (const ref of ['L-1', 'L-2', 'L-3'])
      accepted.push({ partnerId: acme.id, externalRef: ref, orderId: await post(ref), via: 'POST /v1/orders 201' });
    edi = await t.partner('EDI buyer', { x12: x12Identity });
    const interchange = x12Interchange(4242, x12Refs);
    const res = await t.request({
      method: 'POST',
      url: '/v1/x12',
      key: edi.key,
      headers: { 'content-type': 'application/edi-x12' },
      payload: interchange.kind === 'x12' ? interchange.body : '',
    });
    expect(res.statusCode, res.body).toBe(200);
    const x12Orders: { id: string; external_ref: string }[] = await t.database
      .db('orders')
      .where({ partner_id: edi.id })
      .select('id', 'external_ref');
    expect(x12Orders.map((o) => o.external_ref).sort()).toEqual(x12Refs);
    for (const order of x12Orders) {
      ids.set(order.external_ref, order.id);
      accepted.push({ partnerId: edi.id, externalRef: order.external_ref, via: 'X12 997 AK5*A' });
    }
    const keyOf = (ref: string) => (x12Refs.includes(ref) ? edi.key : acme.key);
    // Vendors through the mailbox, then the customer's activation, until nothing is left.
    for (let round = 0; round < 5; round += 1) {
      let completed = 0;
      await answerMailboxes(t);
      for (const [ref, id] of ids) completed += await completePersonTasks(t, id, keyOf(ref));
      if (completed === 0 && (await answerMailboxes(t)) === 0) break;
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('balances when every accepted order is ready for billing, each effect once', async () => {
    const report = await checkLedger(t.database.db, accepted);
    expect(report).toEqual({
      lost: [],
      duplicated: [],
      unexpected: [],
      missing: [],
      outOfOrder: [],
      counts: expect.objectContaining({ stored: 5, accepted: 5, billed: 5, x12Sequences: 2 }),
    });
    // Something to check: every ship task has its shipment, and each X12 shipment its 856.
    expect(report.counts.shipTasks).toBeGreaterThanOrEqual(5);
    expect(report.counts.shipments).toBe(report.counts.shipTasks);
    const notices: { body: Buffer }[] = await t.database.db('documents').where({ type: '856' }).select('body');
    expect(notices.length).toBeGreaterThanOrEqual(2);
    for (const notice of notices) expect(shipmentIdOf('856', notice.body)).toMatch(/\S/);
    expect(describeLedger(report)).toMatch(
      /^ledger: 5 accepted, 5 stored; 0 lost, 0 duplicated, 0 unexpected, 0 missing, 0 out of order \(checked: \d+ ship tasks, \d+ shipments, 5 acknowledgments and invoices, 2 X12 document sequences\)$/,
    );
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

  it('counts missing effects on their own: a shipment without its 856 or event, a ship task without a shipment, an order without its acknowledgment or invoice; and documents out of order', async () => {
    const { db } = t.database;
    const a = ids.get('L-X12-A') as string;
    const b = ids.get('L-X12-B') as string;
    const name = (ref: string) => `${ref} \\(order ${ids.get(ref) as string}\\)`;
    const before = await checkLedger(db, accepted);

    // Order A: one shipment's 856 and its order.shipped.v1 event gone; the 810 gone; the
    // acknowledgment event gone.
    const [shipment] = (await db('shipments').where({ order_id: a }).orderBy('created_at').select('vendor_shipment_id', 'task_id')) as {
      vendor_shipment_id: string;
      task_id: string;
    }[];
    const notices: { id: string; body: Buffer }[] = await db('documents').where({ order_id: a, type: '856' }).select('id', 'body');
    const notice = notices.find((doc) => shipmentIdOf('856', doc.body) === shipment?.vendor_shipment_id);
    expect(notice, 'the 856 of the first shipment').toBeDefined();
    await db('documents').where({ id: notice?.id }).delete();
    await db('outbox')
      .where({ correlation_id: a, type: 'order.shipped.v1' })
      .whereRaw(`payload->'shipment'->>'shipmentId' = ?`, [shipment?.vendor_shipment_id ?? ''])
      .delete();
    await db('documents').where({ order_id: a, type: '810' }).delete();
    await db('outbox').where({ correlation_id: a, type: 'order.acknowledged.v1' }).delete();

    // Order B: a done ship task's shipment gone (and with it what it expected); the 855 stored last.
    const [shipTask] = (await db('shipments').where({ order_id: b }).orderBy('created_at').select('task_id')) as { task_id: string }[];
    await db('shipments').where({ task_id: shipTask?.task_id }).delete();
    const [last] = (await db('documents')
      .where({ order_id: b })
      .whereIn('type', ['855', '856', '810'])
      .select(db.raw(`max((control->>'isaControlNumber')::bigint) AS n`))) as { n: string }[];
    await db('documents')
      .where({ order_id: b, type: '855' })
      .update({
        control: db.raw(`jsonb_set(control, '{isaControlNumber}', to_jsonb(?::text))`, [String(Number(last?.n) + 1).padStart(9, '0')]),
      });

    const report = await checkLedger(db, accepted);
    const added = (list: string[], was: string[]) => list.filter((entry) => !was.includes(entry));
    const missing = added(report.missing, before.missing);
    expect(missing).toHaveLength(5);
    expect(missing).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(`^${name('L-X12-A')}: shipment ${shipment?.vendor_shipment_id} of .* has 0 of 1 856 document\\(s\\)$`),
        ),
        expect.stringMatching(
          new RegExp(`^${name('L-X12-A')}: shipment ${shipment?.vendor_shipment_id} of .* has 0 of 1 order.shipped.v1 event\\(s\\)$`),
        ),
        expect.stringMatching(new RegExp(`^${name('L-X12-A')}: ready_for_billing, but no 810$`)),
        expect.stringMatching(new RegExp(`^${name('L-X12-A')}: ready_for_billing, but no order.acknowledged.v1 event$`)),
        expect.stringMatching(new RegExp(`^${name('L-X12-B')}: ship task .* is done without a shipment$`)),
      ]),
    );
    // Counted apart from the other lists: the damage above is missing effects, nothing else
    // (the 856 of the shipment removed from B is one more than its shipments: that is the
    // existing duplicated check, and says so).
    expect(added(report.lost, before.lost)).toEqual([]);
    expect(added(report.unexpected, before.unexpected)).toEqual([]);
    expect(added(report.duplicated, before.duplicated)).toEqual([
      expect.stringMatching(new RegExp(`^${name('L-X12-B')}: \\d+ outbound 856 documents for \\d+ shipment\\(s\\)$`)),
    ]);
    const outOfOrder = added(report.outOfOrder, before.outOfOrder);
    // The 855 stored after the 856s and the 810: one entry, for the document out of its place.
    expect(outOfOrder).toEqual([expect.stringMatching(new RegExp(`^${name('L-X12-B')}: 855 \\(ISA \\d+\\) after 856 \\(ISA \\d+\\)$`))]);
    expect(describeLedger(report)).toMatch(new RegExp(`${report.missing.length} missing, ${report.outOfOrder.length} out of order`));
  });
});
