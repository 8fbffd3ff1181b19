import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, orderStore, type Database } from '../adapters/db/index.ts';
import { sscc } from '../cli/vendor-sim/replies.ts';
import type { FulfillmentRequest } from '../domain/fulfillment-request.ts';
import { runDeadlineTimers, type DeadlineRun } from '../pipeline/deadlines.ts';
import { adminKey, startTestApp, type TestApp } from './support/app.ts';

// A partner's deadlines as timers on its orders, on the real PostgreSQL with the time passed in: an
// 855 within 24 hours of the 850, an 856 within 4 business hours (office calendar: New York,
// weekdays 09:00-17:00) of the goods leaving, our 997 within an hour. Met when the document is
// written; otherwise in jeopardy at 80% and missed at the end, each once, with two instances (two
// stores on connections of their own) running the step at the same moment.

const hour = 3_600_000;
/** 80% of 24 hours: 19 h 12 min. */
const warnAfter = (19 * 60 + 12) * 60_000;
const deadlines = [
  { document: '855', within: 'PT24H' },
  { document: '856', within: 'PT4H', calendar: 'office' },
  { document: '997', within: 'PT1H' },
  { document: '810', within: 'P2D' },
];

interface TimerRow {
  document: string;
  started_at: Date;
  warn_at: Date;
  due_at: Date;
  warned_at: Date | null;
  met_at: Date | null;
  missed_at: Date | null;
}

/** A partner with the deadlines above, posting 850s; its vendor answering through the mailbox. */
async function timedPartner(t: TestApp, sender: string) {
  const { key } = await t.partner(`Timed ${sender}`, {
    x12: { qualifier: 'ZZ', id: sender, ourQualifier: 'ZZ', ourId: 'ORDERGATE' },
    deadlines: deadlines as never,
  });
  let control = 100;
  /** An 850 of one line per SKU; the order it stored, with its received time. */
  const post850 = async (po: string, skus: string[]): Promise<{ id: string; createdAt: Date }> => {
    control += 1;
    const isa = `ISA*00*          *00*          *ZZ*${sender.padEnd(15)}*ZZ*${'ORDERGATE'.padEnd(15)}*261206*1000*U*00401*${String(control).padStart(9, '0')}*0*P*>`;
    const body = [
      'ST*850*0001',
      `BEG*00*SA*${po}**20261206`,
      ...skus.map((sku, i) => `PO1*${i + 1}*1*EA*10**VN*${sku}`),
      `CTT*${skus.length}`,
    ];
    const x12 = [
      isa,
      `GS*PO*${sender}*ORDERGATE*20261206*1000*${control}*X*004010`,
      ...body,
      `SE*${body.length + 1}*0001`,
      `GE*1*${control}`,
      `IEA*1*${String(control).padStart(9, '0')}`,
    ]
      .map((s) => `${s}~`)
      .join('\n');
    const posted = await t.request({
      method: 'POST',
      url: '/v1/x12',
      key,
      headers: { 'content-type': 'application/edi-x12' },
      payload: x12,
    });
    expect(posted.statusCode, posted.body).toBe(200);
    const order = (await t.request({ method: 'GET', url: `/v1/orders?externalRef=${po}`, key })).json().orders[0];
    return { id: order.id, createdAt: new Date(order.createdAt) };
  };
  return { key, post850 };
}

async function vendorRequests(t: TestApp, orderId: string): Promise<FulfillmentRequest[]> {
  const res = await t.request({ method: 'GET', url: '/v1/vendor/tasks?vendorId=vendor-a', key: adminKey });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().messages as { type: string; body: FulfillmentRequest }[])
    .filter((m) => m.type === 'fulfillment.request.v1' && m.body.orderId === orderId)
    .map((m) => m.body);
}

async function reply(
  t: TestApp,
  request: FulfillmentRequest,
  step: 'ack' | 'ship' | 'complete' | 'fail',
  shippedAt?: string,
): Promise<void> {
  const base = { taskId: request.taskId, orderId: request.orderId, vendorId: request.vendorId };
  const { lineNumber, uom } = request.line;
  const now = new Date().toISOString();
  const bodies = {
    ack: { ...base, ackedAt: now, lines: [{ lineNumber, uom, status: 'accepted', quantity: 1 }] },
    ship: {
      ...base,
      shipmentId: `SH-${request.taskId}`,
      shippedAt,
      carrier: { scac: 'UPSN', name: 'UPS' },
      trackingNumber: '1Z999',
      serviceLevel: 'G2',
      packages: [{ sscc: sscc(request.taskId), items: [{ lineNumber, quantity: 1, uom }] }],
    },
    complete: { ...base, completedAt: now },
    fail: { ...base, failedAt: now, code: 'not-serviceable', reason: 'the address cannot be served', retryable: false },
  };
  const posted = await t.request({
    method: 'POST',
    url: '/v1/vendor/replies',
    key: adminKey,
    payload: { messageId: `${request.taskId}-${step}`, type: `fulfillment.${step}.v1`, body: bodies[step] },
  });
  expect(posted.statusCode, posted.body).toBe(200);
}

const timers = async (db: Database, orderId: string): Promise<Record<string, TimerRow>> =>
  Object.fromEntries(((await db('order_deadlines').where({ order_id: orderId }).select()) as TimerRow[]).map((row) => [row.document, row]));

const deadlineEvents = async (db: Database, orderId: string) =>
  (await db('order_events').where({ order_id: orderId }).whereLike('cause', 'deadline.%').orderBy('id').select('cause', 'detail')) as {
    cause: string;
    detail: { document: string; dueAt: string };
  }[];

/** Two instances, each with its own pool, running the step at the same moment. */
function twoInstances(t: TestApp) {
  const other = connectDatabase({ url: t.database.url as string, dataDir: '', poolMax: 2 });
  const stores = [orderStore(t.database.db), orderStore(other)];
  return {
    run: async (now: Date): Promise<DeadlineRun[]> => Promise.all(stores.map((store) => runDeadlineTimers(store, now))),
    close: () => other.destroy(),
  };
}

/** The documents of the order's timers the runs warned (or missed); only `document`'s when given. */
const ofOrder = (runs: DeadlineRun[], orderId: string, kind: 'warned' | 'missed', document?: string) =>
  runs.flatMap((run) =>
    run[kind]
      .filter((timer) => timer.orderId === orderId && (document ?? timer.document) === timer.document)
      .map((timer) => timer.document),
  );

describe('partner deadlines: timers from receipt', () => {
  let t: TestApp;
  let instances: ReturnType<typeof twoInstances>;
  let partner: Awaited<ReturnType<typeof timedPartner>>;
  beforeAll(async () => {
    t = await startTestApp('postgres');
    instances = twoInstances(t);
    partner = await timedPartner(t, 'TIMEDBUYER');
  });
  afterAll(async () => {
    await instances?.close();
    await t?.close();
  });

  it('an order gets its timers at receipt: the 855 due 24 hours after, warned at 80%; the 997 met as the interchange is answered; no 856 before a shipment', async () => {
    const order = await partner.post850('PO-TIMED-1', ['WIDGET-1']);
    const rows = await timers(t.database.db, order.id);
    expect(Object.keys(rows).sort()).toEqual(['810', '855', '997']);
    const ack = rows['855'] as TimerRow;
    expect(ack.started_at).toEqual(order.createdAt);
    expect(ack.due_at.getTime() - order.createdAt.getTime()).toBe(24 * hour);
    expect(ack.warn_at.getTime() - order.createdAt.getTime()).toBe(warnAfter);
    expect(ack.met_at).toBeNull();
    const interchangeAck = rows['997'] as TimerRow;
    // Written in the transaction that stored the order, moments after its received time.
    expect(interchangeAck.met_at?.getTime()).toBeGreaterThanOrEqual(order.createdAt.getTime() - 1_000);
    expect(interchangeAck.met_at?.getTime()).toBeLessThan(interchangeAck.warn_at.getTime());
    expect(interchangeAck.missed_at).toBeNull();
  });

  it('the 855 written in time is met and never warned; the 856 runs from the shipment and is met by its 856; the 810 by the invoice', async () => {
    const order = await partner.post850('PO-TIMED-2', ['WIDGET-2']);
    const [request] = await vendorRequests(t, order.id);
    await reply(t, request as FulfillmentRequest, 'ack');
    const shippedAt = new Date();
    await reply(t, request as FulfillmentRequest, 'ship', shippedAt.toISOString());
    await reply(t, request as FulfillmentRequest, 'complete');
    const rows = await timers(t.database.db, order.id);
    expect(rows['855']?.met_at).not.toBeNull();
    expect(rows['855']?.met_at?.getTime()).toBeLessThan((rows['855'] as TimerRow).warn_at.getTime());
    expect(rows['856']?.started_at).toEqual(shippedAt);
    expect(rows['856']?.met_at).not.toBeNull();
    expect(rows['810']?.met_at).not.toBeNull();
    // Past every warning point and due time: nothing to say about an order whose documents went in time.
    for (const after of [21 * hour, 25 * hour, 7 * 24 * hour]) {
      const runs = await instances.run(new Date(order.createdAt.getTime() + after));
      expect([...ofOrder(runs, order.id, 'warned'), ...ofOrder(runs, order.id, 'missed')]).toEqual([]);
    }
    expect(await deadlineEvents(t.database.db, order.id)).toEqual([]);
    const after = await timers(t.database.db, order.id);
    expect(Object.values(after).map((row) => [row.document, row.warned_at, row.missed_at])).toEqual(
      expect.arrayContaining([
        ['810', null, null],
        ['855', null, null],
        ['856', null, null],
        ['997', null, null],
      ]),
    );
  });

  it('an 855 not written: jeopardy at 80% once, missed at its due time once, with two instances running the step together', async () => {
    const order = await partner.post850('PO-TIMED-3', ['WIDGET-3']);
    const at = (ms: number) => new Date(order.createdAt.getTime() + ms);
    const { due_at: dueAt } = (await timers(t.database.db, order.id))['855'] as TimerRow;

    expect(ofOrder(await instances.run(at(warnAfter - 60_000)), order.id, 'warned', '855')).toEqual([]);
    const warned = await instances.run(at(warnAfter + 60_000));
    expect(ofOrder(warned, order.id, 'warned', '855')).toEqual(['855']);
    // The two instances split the work: the timer was claimed by exactly one of them.
    expect(warned.filter((run) => run.warned.some((timer) => timer.orderId === order.id && timer.document === '855'))).toHaveLength(1);
    expect(ofOrder(await instances.run(at(23 * hour)), order.id, 'warned', '855')).toEqual([]);

    expect(ofOrder(await instances.run(at(24 * hour - 1)), order.id, 'missed', '855')).toEqual([]);
    const missed = await instances.run(at(24 * hour));
    expect(ofOrder(missed, order.id, 'missed', '855')).toEqual(['855']);
    expect(missed.filter((run) => run.missed.some((timer) => timer.orderId === order.id && timer.document === '855'))).toHaveLength(1);
    expect(ofOrder(await instances.run(at(48 * hour)), order.id, 'missed', '855')).toEqual([]);

    expect((await deadlineEvents(t.database.db, order.id)).filter((e) => e.detail.document === '855')).toEqual([
      { cause: 'deadline.jeopardy', detail: expect.objectContaining({ document: '855', dueAt: dueAt.toISOString() }) },
      { cause: 'deadline.missed', detail: expect.objectContaining({ document: '855', dueAt: dueAt.toISOString() }) },
    ]);
    const row = (await timers(t.database.db, order.id))['855'] as TimerRow;
    expect(row.warned_at).toEqual(at(warnAfter + 60_000));
    expect(row.missed_at).toEqual(at(24 * hour));
    // The order desk answers for it: one item on its list, due two hours after the miss.
    const timer = await t.database.db('order_deadlines').where({ order_id: order.id, document: '855' }).first('id');
    const items = await t.database.db('work_items').where({ kind: 'deadline-missed', source_id: String(timer.id) });
    expect(items.map((item) => [item.order_id, item.assigned_roles, new Date(item.due_at).getTime() - at(24 * hour).getTime()])).toEqual([
      [order.id, ['order-desk'], 2 * hour],
    ]);

    // Written late, the 855 is recorded (met_at) and the deadline stays missed.
    const [request] = await vendorRequests(t, order.id);
    await reply(t, request as FulfillmentRequest, 'ack');
    const late = (await timers(t.database.db, order.id))['855'] as TimerRow;
    expect(late.met_at).not.toBeNull();
    expect(late.missed_at).toEqual(at(24 * hour));
  });
});

describe('partner deadlines: a document written after its due time', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres');
  });
  afterAll(async () => t?.close());

  it('is missed though no step saw it due: the vendor told of a shipment a week late, its 856 goes out at once', async () => {
    const partner = await timedPartner(t, 'LATEBUYER');
    const order = await partner.post850('PO-LATE-1', ['WIDGET-L']);
    const [request] = await vendorRequests(t, order.id);
    await reply(t, request as FulfillmentRequest, 'ack');
    // A week back, so that the 4 business hours ended before now whatever the weekday (two days back
    // from a Sunday is a Friday afternoon, whose 4 business hours end on Monday).
    const aWeekAgo = new Date(Date.now() - 7 * 24 * hour);
    await reply(t, request as FulfillmentRequest, 'ship', aWeekAgo.toISOString());
    const row = (await timers(t.database.db, order.id))['856'] as TimerRow;
    expect(row.started_at).toEqual(aWeekAgo);
    expect(row.met_at?.getTime()).toBeGreaterThan(row.due_at.getTime());
    expect(row.missed_at).toEqual(row.due_at);
    // Nothing left for the step: the document is out, so no deadline.missed for the order desk.
    const runs = [await runDeadlineTimers(orderStore(t.database.db), new Date())];
    expect(ofOrder(runs, order.id, 'missed', '856')).toEqual([]);
    expect((await deadlineEvents(t.database.db, order.id)).filter((e) => e.detail.document === '856')).toEqual([]);
  });
});

describe('partner deadlines: orders that end without a bill', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres');
  });
  afterAll(async () => t?.close());

  it('a failed order is owed its refusal 855 (met as it is written) but no invoice: the 810 timer is dropped, never missed', async () => {
    const partner = await timedPartner(t, 'FAILBUYER');
    const order = await partner.post850('PO-FAIL-1', ['WIDGET-F']);
    const [request] = await vendorRequests(t, order.id);
    await reply(t, request as FulfillmentRequest, 'fail');
    const rows = await timers(t.database.db, order.id);
    expect(rows['855']?.met_at).not.toBeNull();
    expect(rows['810']?.met_at).toBeNull();
    const runs = [await runDeadlineTimers(orderStore(t.database.db), new Date(order.createdAt.getTime() + 7 * 24 * hour))];
    expect([...ofOrder(runs, order.id, 'warned'), ...ofOrder(runs, order.id, 'missed')]).toEqual([]);
    expect(Object.keys(await timers(t.database.db, order.id)).sort()).toEqual(['855', '997']);
  });
});

describe('partner deadlines: a cancelled order', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres');
  });
  afterAll(async () => t?.close());

  it('is owed no document: its open timers are dropped by the step, so nothing is warned or missed', async () => {
    const partner = await timedPartner(t, 'CANCELBUYER');
    const order = await partner.post850('PO-CANCEL-1', ['WIDGET-C']);
    const cancelled = await t.request({ method: 'POST', url: `/v1/orders/${order.id}/cancel`, key: partner.key, payload: {} });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    const runs = await Promise.all([runDeadlineTimers(orderStore(t.database.db), new Date(order.createdAt.getTime() + 48 * hour))]);
    expect([...ofOrder(runs, order.id, 'warned'), ...ofOrder(runs, order.id, 'missed')]).toEqual([]);
    expect(await deadlineEvents(t.database.db, order.id)).toEqual([]);
    // The 997 was met with the order and stays, counted as met.
    expect(Object.keys(await timers(t.database.db, order.id))).toEqual(['997']);
  });
});

describe('partner deadlines: business hours across a weekend', () => {
  let t: TestApp;
  let instances: ReturnType<typeof twoInstances>;
  beforeAll(async () => {
    t = await startTestApp('postgres');
    instances = twoInstances(t);
  });
  afterAll(async () => {
    await instances?.close();
    await t?.close();
  });

  it('goods shipped Friday 15:00 in New York: the 856 within 4 business hours warns Monday 10:12 and is missed Monday 11:00, once', async () => {
    const partner = await timedPartner(t, 'WEEKENDBUYER');
    // Two lines, one answered: the 855 waits for the other, and the 856 of the first line's shipment waits for the 855.
    const order = await partner.post850('PO-WEEKEND-1', ['WIDGET-A', 'WIDGET-B']);
    const requests = await vendorRequests(t, order.id);
    const first = requests.find((r) => r.line.lineNumber === '1') as FulfillmentRequest;
    await reply(t, first, 'ack');
    await reply(t, first, 'ship', '2026-12-04T20:00:00.000Z'); // Friday 15:00 EST

    const row = (await timers(t.database.db, order.id))['856'] as TimerRow;
    expect(row.started_at.toISOString()).toBe('2026-12-04T20:00:00.000Z');
    // 4 working hours = 2 on Friday (15:00-17:00) and 2 on Monday (09:00-11:00); 80% is 3 h 12 min.
    expect(row.warn_at.toISOString()).toBe('2026-12-07T15:12:00.000Z');
    expect(row.due_at.toISOString()).toBe('2026-12-07T16:00:00.000Z');
    expect(row.met_at).toBeNull();

    const ship = async (iso: string) => {
      const runs = await instances.run(new Date(iso));
      return { warned: ofOrder(runs, order.id, 'warned'), missed: ofOrder(runs, order.id, 'missed') };
    };
    const none = { warned: [], missed: [] };
    const only856 = (result: { warned: string[]; missed: string[] }) => ({
      warned: result.warned.filter((d) => d === '856'),
      missed: result.missed.filter((d) => d === '856'),
    });
    expect(only856(await ship('2026-12-04T22:30:00.000Z'))).toEqual(none); // Friday 17:30: 2 of 4 hours gone
    expect(only856(await ship('2026-12-05T17:00:00.000Z'))).toEqual(none); // Saturday noon
    expect(only856(await ship('2026-12-07T15:11:00.000Z'))).toEqual(none); // Monday 10:11
    expect(only856(await ship('2026-12-07T15:12:00.000Z'))).toEqual({ warned: ['856'], missed: [] });
    expect(only856(await ship('2026-12-07T15:59:00.000Z'))).toEqual(none);
    expect(only856(await ship('2026-12-07T16:00:00.000Z'))).toEqual({ warned: [], missed: ['856'] });
    expect(only856(await ship('2026-12-08T16:00:00.000Z'))).toEqual(none);
    const events = (await deadlineEvents(t.database.db, order.id)).filter((e) => e.detail.document === '856');
    expect(events.map((e) => [e.cause, e.detail.dueAt])).toEqual([
      ['deadline.jeopardy', '2026-12-07T16:00:00.000Z'],
      ['deadline.missed', '2026-12-07T16:00:00.000Z'],
    ]);
  });
});

describe('partner deadlines on the embedded database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite');
  });
  afterAll(async () => t?.close());

  it('the same SQL: timers set from receipt, the 997 met, the 855 warned and missed once', async () => {
    const partner = await timedPartner(t, 'EMBEDDEDBUYER');
    const order = await partner.post850('PO-EMBEDDED-1', ['WIDGET-E']);
    const store = orderStore(t.database.db);
    const at = (ms: number) => new Date(order.createdAt.getTime() + ms);
    expect(ofOrder([await runDeadlineTimers(store, at(warnAfter))], order.id, 'warned')).toEqual(['855']);
    expect(ofOrder([await runDeadlineTimers(store, at(24 * hour))], order.id, 'missed')).toEqual(['855']);
    expect(ofOrder([await runDeadlineTimers(store, at(25 * hour))], order.id, 'missed')).toEqual([]);
    const rows = await timers(t.database.db, order.id);
    expect(rows['997']?.met_at).not.toBeNull();
    expect(rows['855']?.missed_at).toEqual(at(24 * hour));
  });
});
