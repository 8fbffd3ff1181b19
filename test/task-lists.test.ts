import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCalendars } from '../adapters/calendars/index.ts';
import { composeServer, startCatalog } from '../app/compose.ts';
import type { ApprovalLevel } from '../domain/approval.ts';
import type { ApprovalGate } from '../pipeline/approvals.ts';
import { runEscalations } from '../pipeline/escalations.ts';
import { processSecretKey } from '../adapters/webhook/index.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from './support/app.ts';

// Task lists from both sides: what each person sees and may do, and the escalation job on a fake
// clock: a level due in two business hours, started on a Friday at 16:00 in New York, warns on
// Monday at 09:36 and escalates at 10:00, once, with two gateway instances running the job.

const loaded = loadCalendars();
if (!loaded.ok) throw new Error('the office calendar does not load');
const calendars = loaded.value;

/** Two business hours on the office calendar, then the supervisors. */
const review: ApprovalLevel = {
  level: 1,
  name: 'sales',
  assignees: [{ role: 'sales-manager' }],
  mode: 'any',
  method: 'click',
  sla: 'PT2H',
  calendar: 'office',
  escalateTo: { role: 'supervisor' },
};
const gate: ApprovalGate = async (_tx, order) =>
  order.totals.amount < 10_000
    ? { required: false }
    : { required: true, reasons: [{ code: 'total-at-least', policy: 'big', detail: 'big' }], levels: [review] };

/** New York wall-clock time (EST, −05:00, in December). */
const ny = (local: string) => new Date(`${local}-05:00`);

describe('task lists', () => {
  let t: TestApp;
  let now = ny('2026-12-04T16:00:00');
  let shop: { id: string; key: string };
  let other: { id: string; key: string };
  const people: Record<string, { id: string; key: string }> = {};

  beforeAll(async () => {
    t = await startTestApp('postgres', { server: { approvals: { gate, calendars }, clock: () => now } });
    shop = await t.partner('Shop');
    other = await t.partner('Other shop');
    for (const [name, roles] of [
      ['alice', ['sales-manager']],
      ['amir', ['sales-manager']],
      ['sam', ['supervisor']],
      ['olga', ['operations']],
    ] as const) {
      const created = await t.request({
        method: 'POST',
        url: '/v1/people',
        key: adminKey,
        payload: { name, email: `${name}@example.com`, roles },
      });
      const issued = await t.request({ method: 'POST', url: `/v1/people/${created.json().id}/api-keys`, key: adminKey });
      people[name] = { id: created.json().id, key: issued.json().key };
    }
  });
  afterAll(async () => t?.close());

  const submit = async (ref: string, unitPrice: number, key = shop.key) => {
    const res = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key,
      headers: { 'idempotency-key': ref },
      payload: { ...sampleOrder, externalRef: ref, lines: [{ lineNumber: '1', sku: 'MODEM-X1', quantity: 100, uom: 'EA', unitPrice }] },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; status: string };
  };
  const list = async (who: string, query = '') => {
    const key = who === 'admin' ? adminKey : who === 'shop' ? shop.key : who === 'other' ? other.key : people[who]?.key;
    const res = await t.request({ method: 'GET', url: `/v1/tasks${query}`, key });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().tasks as {
      id: string;
      orderId: string;
      type: string;
      claimedBy: string | null;
      dueAt: string;
      warnAt: string;
      overdue: boolean;
    }[];
  };
  const post = (who: string, url: string, payload?: object) =>
    t.request({ method: 'POST', url, key: who === 'admin' ? adminKey : people[who]?.key, ...(payload === undefined ? {} : { payload }) });
  const events = async (orderId: string, cause: string) =>
    (await t.request({ method: 'GET', url: `/v1/orders/${orderId}/events`, key: adminKey }))
      .json()
      .events.filter((e: { cause: string }) => e.cause === cause);

  it('a level due in two business hours from Friday 16:00 warns Monday 09:36 and escalates at 10:00, once, with two instances', async () => {
    now = ny('2026-12-04T16:00:00');
    const order = await submit('PO-FRIDAY', 150);
    expect(order.status).toBe('pending_approval');
    const [item] = (await list('alice')).filter((i) => i.orderId === order.id);
    expect(item).toMatchObject({
      type: 'approval',
      warnAt: ny('2026-12-07T09:36:00').toISOString(),
      dueAt: ny('2026-12-07T10:00:00').toISOString(),
    });

    // A second gateway on the same database: its own store and connections.
    const second = composeServer({
      db: t.database.db,
      catalog: startCatalog(),
      secretKey: processSecretKey(),
      bodyLimitBytes: 1 << 20,
      amqp: false,
      approvals: { gate, calendars },
    });
    const both = async (at: Date) => {
      const runs = await Promise.all([
        runEscalations({ approvals: t.deps.approvals }, at),
        runEscalations({ approvals: second.approvals }, at),
      ]);
      return {
        warned: runs.flatMap((run) => run.warned.map((w) => w.id)).filter((id) => id === item?.id).length,
        escalated: runs.flatMap((run) => run.escalated.map((w) => w.id)).filter((id) => id === item?.id).length,
      };
    };
    // Friday evening, the weekend and Monday before 09:36: nothing.
    for (const at of ['2026-12-04T17:30:00', '2026-12-05T12:00:00', '2026-12-06T23:00:00', '2026-12-07T09:35:00'])
      expect(await both(ny(at))).toEqual({ warned: 0, escalated: 0 });
    expect(await both(ny('2026-12-07T09:37:00'))).toEqual({ warned: 1, escalated: 0 });
    expect(await both(ny('2026-12-07T09:50:00'))).toEqual({ warned: 0, escalated: 0 });
    expect(await both(ny('2026-12-07T10:00:01'))).toEqual({ warned: 0, escalated: 1 });
    expect(await both(ny('2026-12-07T11:00:00'))).toEqual({ warned: 0, escalated: 0 });
    expect(await events(order.id, 'task.jeopardy')).toHaveLength(1);
    expect(await events(order.id, 'approval.escalated')).toHaveLength(1);

    // The supervisor now has it on their list and may decide it through it.
    const [escalated] = (await list('sam')).filter((i) => i.id === item?.id);
    expect(escalated).toMatchObject({
      escalatedAt: ny('2026-12-07T10:00:01').toISOString(),
      assignedRoles: ['sales-manager', 'supervisor'],
    });
    const done = await post('sam', `/v1/tasks/${item?.id}/complete`, { outcome: 'approve', comment: 'covering for sales' });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({
      status: 'done',
      outcome: 'approve',
      comment: 'covering for sales',
      completedBy: `person:${people.sam?.id}`,
    });
    expect((await t.request({ method: 'GET', url: `/v1/orders/${order.id}`, key: shop.key })).json().status).toBe('decomposed');
  });

  it("a role's task is everyone's in the role until one claims it; then the claimant's, released back, reassigned", async () => {
    now = new Date();
    const order = await submit('PO-CLAIM', 150);
    const mine = async (who: string) => (await list(who, '?assignee=me')).filter((i) => i.orderId === order.id).map((i) => i.id);
    const [id] = await mine('alice');
    expect(await mine('amir')).toEqual([id]);
    expect(await mine('olga')).toEqual([]);

    // Two claims at once: one wins.
    const claims = await Promise.all([post('alice', `/v1/tasks/${id}/claim`), post('amir', `/v1/tasks/${id}/claim`)]);
    expect(claims.map((c) => c.statusCode).sort()).toEqual([200, 409]);
    const winner = claims[0]?.statusCode === 200 ? 'alice' : 'amir';
    const loser = winner === 'alice' ? 'amir' : 'alice';
    expect(await mine(winner)).toEqual([id]);
    expect(await mine(loser)).toEqual([]);
    expect((await post(loser, `/v1/tasks/${id}/complete`, { outcome: 'approve' })).statusCode).toBe(404);
    expect((await post(loser, `/v1/tasks/${id}/release`)).statusCode).toBe(404);

    expect((await post(winner, `/v1/tasks/${id}/release`)).statusCode).toBe(200);
    expect(await mine(loser)).toEqual([id]);

    const moved = await post('admin', `/v1/tasks/${id}/reassign`, { role: 'operations', comment: 'sales is away' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ assignedRoles: ['operations'], assignedPeople: [], claimedBy: null });
    expect(await mine('olga')).toEqual([id]);
    expect(await mine('alice')).toEqual([]);
    expect((await post('admin', `/v1/tasks/${id}/reassign`, { person: 'nobody' })).statusCode).toBe(400);
    expect(await events(order.id, 'task.claimed')).toHaveLength(1);
    expect(await events(order.id, 'task.reassigned')).toHaveLength(1);
  });

  it('filters by type, order, partner, overdue and due time; a partner sees only its own orders; pages in due order', async () => {
    now = new Date();
    const a = await submit('PO-LIST-A', 150);
    const b = await submit('PO-LIST-B', 150, other.key);
    const ofOrder = await list('admin', `?order=${a.id}`);
    expect(ofOrder.map((i) => i.orderId)).toEqual([a.id]);
    expect((await list('other')).every((i) => i.orderId === b.id)).toBe(true);
    expect((await list('shop')).some((i) => i.orderId === b.id)).toBe(false);
    expect((await list('admin', `?partner=${other.id}&type=approval`)).map((i) => i.orderId)).toEqual([b.id]);
    expect((await list('admin', '?type=dead-letter')).length).toBe(0);
    const overdue = await list('admin', '?overdue=true&status=open');
    expect(overdue.every((i) => i.overdue)).toBe(true);
    const dueSoon = await list('admin', `?dueBefore=${encodeURIComponent(new Date(Date.now() + 2 * 86_400_000).toISOString())}`);
    expect(dueSoon.every((i) => new Date(i.dueAt).getTime() < Date.now() + 2 * 86_400_000)).toBe(true);

    // Pages of one: the same items, in due order, each once.
    const all = await list('admin', '?status=open');
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await t.request({
        method: 'GET',
        url: `/v1/tasks?status=open&limit=1${cursor === undefined ? '' : `&cursor=${cursor}`}`,
        key: adminKey,
      });
      paged.push(...res.json().tasks.map((i: { id: string }) => i.id));
      cursor = res.json().nextCursor;
    } while (cursor !== undefined);
    expect(paged).toEqual(all.map((i) => i.id));
    const dues = all.map((i) => i.dueAt);
    expect(dues).toEqual([...dues].sort());
    expect((await t.request({ method: 'GET', url: '/v1/tasks?assignee=me', key: adminKey })).statusCode).toBe(400);
  });

  it("a catalog person task goes on its role's list, due in business hours on its calendar; done through the list, the order goes on", async () => {
    const catalog = startCatalog(calendars);
    catalog.skus['SITE-SURVEY'] = {
      tasks: [
        {
          name: 'survey',
          type: 'customer-action',
          person: true,
          role: 'field-desk',
          dependsOn: [],
          sla: 'PT2H',
          slaMinutes: 120,
          calendar: calendars.get('office'),
          optional: false,
        },
      ],
    };
    now = ny('2026-12-04T16:00:00');
    const surveyed = await startTestApp('postgres', { catalog, server: { clock: () => now } });
    try {
      const partner = await surveyed.partner('Surveys');
      const res = await surveyed.request({
        method: 'POST',
        url: '/v1/orders',
        key: partner.key,
        headers: { 'idempotency-key': 'PO-SURVEY' },
        payload: { ...sampleOrder, externalRef: 'PO-SURVEY', lines: [{ lineNumber: '1', sku: 'SITE-SURVEY', quantity: 1, uom: 'EA' }] },
      });
      expect(res.statusCode, res.body).toBe(201);
      const [item] = (await surveyed.request({ method: 'GET', url: '/v1/tasks?role=field-desk', key: adminKey })).json().tasks;
      expect(item).toMatchObject({ type: 'person-task', assignedRoles: ['field-desk'], dueAt: ny('2026-12-07T10:00:00').toISOString() });

      // Past due on Monday: the supervisors join it, and its people and theirs are told.
      for (const person of [
        { name: 'fred', email: 'fred@example.com', phone: '+15550100', roles: ['field-desk'] },
        { name: 'sue', email: 'sue@example.com', roles: ['supervisor'] },
        { name: 'ann', email: 'ann@example.com', roles: ['sales-manager'] },
      ])
        expect((await surveyed.request({ method: 'POST', url: '/v1/people', key: adminKey, payload: person })).statusCode).toBe(201);
      const escalation = { approvals: surveyed.deps.approvals, baseUrl: 'http://localhost:8080' };
      expect((await runEscalations(escalation, ny('2026-12-07T10:00:01'))).escalated.map((e) => e.id)).toEqual([item.id]);
      expect((await runEscalations(escalation, ny('2026-12-07T10:30:00'))).escalated).toEqual([]);
      const told = await surveyed.database
        .db('notifications')
        .where({ work_item_id: item.id })
        .orderBy(['to', 'channel'])
        .select('channel', 'to', 'subject');
      expect(told).toEqual([
        { channel: 'sms', to: '+15550100', subject: null },
        { channel: 'email', to: 'fred@example.com', subject: `Overdue: ${item.title}` },
        { channel: 'email', to: 'sue@example.com', subject: `Overdue: ${item.title}` },
      ]);
      const escalated = (await surveyed.request({ method: 'GET', url: `/v1/tasks/${item.id}`, key: adminKey })).json();
      expect(escalated.assignedRoles).toEqual(['field-desk', 'supervisor']);
      const done = await surveyed.request({
        method: 'POST',
        url: `/v1/tasks/${item.id}/complete`,
        key: adminKey,
        payload: { comment: 'site fine' },
      });
      expect(done.statusCode, done.body).toBe(200);
      expect(done.json()).toMatchObject({ status: 'done', outcome: 'done', comment: 'site fine', completedBy: 'admin' });
      const order = (await surveyed.request({ method: 'GET', url: `/v1/orders/${res.json().id}`, key: partner.key })).json();
      expect(order.status).toBe('ready_for_billing');
    } finally {
      await surveyed.close();
    }
  });

  it('a rejection through the task list needs its comment and ends the order', async () => {
    now = new Date();
    const order = await submit('PO-REJECT', 150);
    const [item] = (await list('alice')).filter((i) => i.orderId === order.id);
    expect((await post('alice', `/v1/tasks/${item?.id}/complete`, { outcome: 'reject' })).statusCode).toBe(400);
    expect((await post('olga', `/v1/tasks/${item?.id}/complete`, { outcome: 'reject', comment: 'no' })).statusCode).toBe(404);
    const done = await post('alice', `/v1/tasks/${item?.id}/complete`, { outcome: 'reject', comment: 'price too low' });
    expect(done.statusCode, done.body).toBe(200);
    expect((await t.request({ method: 'GET', url: `/v1/orders/${order.id}`, key: shop.key })).json().status).toBe('rejected');
  });
});
