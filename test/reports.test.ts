import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPerson, createPersonKey, createVendor } from '../adapters/db/index.ts';
import { adminKey, startTestApp, type TestApp } from './support/app.ts';

// The four reports against a small history written row by row, each figure worked out by hand in
// the comments. Times are minutes after T0 (Monday 2026-03-02 00:00 UTC); the period asked is March.
// percentile_disc over n sorted values: p is the value at position ceil(p·n) (1-based).

const T0 = Date.parse('2026-03-02T00:00:00Z');
const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);
const ago = (minutes: number): Date => new Date(Date.now() - minutes * 60_000);
const H = 60;
const D = 24 * H;
const march = 'from=2026-03-01&to=2026-04-01';

describe('reports on postgres', () => {
  let t: TestApp;
  let a: { id: string; key: string };
  let b: { id: string; key: string };
  let p1: string;
  let p2: string;
  let personKey: string;
  let vendorKey: string;
  const ids: Record<string, string> = {};

  const get = (path: string, key = adminKey, accept?: string) =>
    t.request({ method: 'GET', url: path, key, ...(accept === undefined ? {} : { headers: { accept } }) });

  async function order(name: string, partnerId: string, channel: string, status: string, created: Date, skus: string[]) {
    const id = randomUUID();
    ids[name] = id;
    await t.database.db('orders').insert({
      id,
      partner_id: partnerId,
      channel,
      external_ref: name,
      order_type: 'new',
      status,
      order_date: '2026-03-01',
      currency: 'USD',
      header: '{}',
      totals: '{}',
      created_at: created,
      updated_at: created,
    });
    await t.database
      .db('order_events')
      .insert({ order_id: id, from_status: null, to_status: 'received', cause: 'api.received', actor: 'test', at: created });
    for (const [index, sku] of skus.entries())
      await t.database.db('order_lines').insert({
        id: randomUUID(),
        order_id: id,
        position: index + 1,
        line_number: String(index + 1),
        sku,
        quantity: 1,
        uom: 'EA',
        detail: '{}',
      });
    return id;
  }

  const event = (orderId: string, cause: string, when: Date) =>
    t.database.db('order_events').insert({ order_id: orderId, from_status: 'x', to_status: 'x', cause, actor: 'test', at: when });

  async function task(orderId: string, key: string, vendor: string | null, type: string, status: string, due: Date, updated: Date) {
    await t.database.db('tasks').insert({
      id: randomUUID(),
      order_id: orderId,
      task_key: key,
      position: 1,
      line_number: '1',
      type,
      vendor_id: vendor,
      person: vendor === null,
      sla_minutes: 60,
      due_at: due,
      status,
      created_at: at(0),
      updated_at: updated,
    });
  }

  async function workItem(fields: Record<string, unknown>) {
    await t.database.db('work_items').insert({ id: randomUUID(), source_id: randomUUID(), title: 'work', ...fields });
  }

  beforeAll(async () => {
    t = await startTestApp('postgres');
    a = await t.partner('Alpha');
    b = await t.partner('Beta');
    p1 = (await createPerson(t.database.db, { name: 'Pat', roles: ['sales'] })).id;
    p2 = (await createPerson(t.database.db, { name: 'Sam', roles: ['sales', 'finance'] })).id;
    personKey = ((await createPersonKey(t.database.db, p1)) as { key: string }).key;
    for (const vendor of ['v1', 'v2']) {
      const created = await createVendor(t.database.db, { id: vendor, name: vendor, channel: 'amqp' });
      if (created !== 'exists' && vendor === 'v1') vendorKey = created.apiKey;
    }

    // Cycle times.
    // o1 (Alpha, api, SKU-X + SKU-Y): received 0, approved 60, acknowledged 120, shipped 300, ready for billing 600.
    //   approved 60 min = 3600 s; acknowledged 120−60 = 3600 s; first_shipment 300−120 = 10800 s;
    //   ready_for_billing 600−300 = 18000 s; total 600 min = 36000 s.
    const o1 = await order('o1', a.id, 'api', 'ready_for_billing', at(0), ['SKU-X', 'SKU-Y']);
    await event(o1, 'order.approved', at(60));
    await event(o1, 'order.acknowledged', at(120));
    await event(o1, 'order.shipped', at(300));
    await event(o1, 'order.ready-for-billing', at(600));
    // A replacement acknowledgment later changes nothing: the first one is the milestone.
    await event(o1, 'order.acknowledged', at(500));
    // o2 (Alpha, x12, SKU-X): received 1 day, no approval, acknowledged +30, shipped +90, billing +150.
    //   approved: none (skipped, not zero); acknowledged 30 min = 1800 s (from received);
    //   first_shipment 90−30 = 3600 s; ready_for_billing 150−90 = 3600 s; total 150 min = 9000 s.
    const o2 = await order('o2', a.id, 'x12', 'ready_for_billing', at(D), ['SKU-X']);
    await event(o2, 'order.acknowledged', at(D + 30));
    await event(o2, 'order.shipped', at(D + 90));
    await event(o2, 'order.ready-for-billing', at(D + 150));
    // o3 (Beta, x12, SKU-Y): received 2 days, approved +10, shipped +20 (before the acknowledgment), acknowledged +40.
    //   approved 600 s; acknowledged 40−10 = 1800 s (from approved); first_shipment 20−10 = 600 s
    //   (from approved: the acknowledgment came after it); no billing, no total.
    const o3 = await order('o3', b.id, 'x12', 'partially_shipped', at(2 * D), ['SKU-Y']);
    await event(o3, 'order.approved', at(2 * D + 10));
    await event(o3, 'order.shipped', at(2 * D + 20));
    await event(o3, 'order.acknowledged', at(2 * D + 40));
    // o4: February, outside the period: in no figure of March.
    const o4 = await order('o4', a.id, 'api', 'billed', new Date('2026-02-20T00:00:00Z'), ['SKU-X']);
    await event(o4, 'order.approved', new Date('2026-02-20T01:00:00Z'));
    // Open orders for the throughput's age buckets (not in March): o5 2 h old, o6 10 days old.
    await order('o5', a.id, 'api', 'in_fulfillment', ago(2 * H), []);
    await order('o6', a.id, 'api', 'received', ago(10 * D), []);

    // Vendor tasks (o1's two with v1, o3's with v2) and a person's task (not a vendor task: left out).
    await task(o1, 'ship', 'v1', 'ship', 'done', at(5 * H), at(4 * H)); // done in time
    await task(o1, 'activate', 'v1', 'activate', 'done', at(5 * H), at(6 * H)); // done late
    await task(o3, 'ship', 'v2', 'ship', 'dispatched', at(2 * D + H), at(2 * D)); // open past due: overdue
    await task(o2, 'call', null, 'call', 'done', at(D), at(2 * D));

    // Work items.
    await workItem({
      kind: 'approval',
      partner_id: a.id,
      order_id: o1,
      assigned_roles: ['sales'],
      claimed_by: p1,
      completed_by: p1,
      status: 'done',
      created_at: at(0),
      due_at: at(4 * H),
      completed_at: at(2 * H),
    });
    await workItem({
      kind: 'approval',
      level: 1,
      partner_id: a.id,
      order_id: o1,
      assigned_roles: ['sales', 'finance'],
      completed_by: p2,
      status: 'done',
      created_at: at(0),
      due_at: at(4 * H),
      escalated_at: at(4 * H),
      completed_at: at(5 * H),
    });
    await workItem({
      kind: 'dead-letter',
      partner_id: b.id,
      order_id: o3,
      assigned_roles: ['ops'],
      status: 'open',
      created_at: at(D),
      due_at: at(D + H),
      escalated_at: at(D + H),
    });
    await workItem({
      kind: 'person-task',
      assigned_people: [p1],
      claimed_by: p1,
      status: 'open',
      created_at: at(D),
      due_at: new Date('2099-01-01T00:00:00Z'),
    });
    // Half an hour old: in no March figure, in the youngest age bucket.
    await workItem({ kind: 'dead-letter', assigned_roles: ['ops'], status: 'open', created_at: ago(30) });

    // Partner deadlines.
    const deadline = (
      orderId: string,
      partnerId: string,
      document: string,
      started: Date,
      due: Date,
      met: Date | null,
      missed: Date | null,
    ) =>
      t.database.db('order_deadlines').insert({
        order_id: orderId,
        partner_id: partnerId,
        document,
        within: 'PT24H',
        started_at: started,
        warn_at: due,
        due_at: due,
        met_at: met,
        missed_at: missed,
      });
    await deadline(o1, a.id, '855', at(0), at(D), at(2 * H), null); // met
    await deadline(o1, a.id, '856', at(0), at(2 * D), null, at(2 * D)); // missed
    await deadline(o3, b.id, '855', at(2 * D), at(3 * D), null, null); // open
    await deadline(o2, a.id, '855', at(D), at(2 * D), at(D + H), null); // met

    // Approvals.
    const approval = async (
      orderId: string,
      partnerId: string,
      status: string,
      level: number,
      created: Date,
      levelStarted: Date,
      decided: Date | null,
      policies: string[],
    ) => {
      const id = randomUUID();
      await t.database.db('approvals').insert({
        id,
        order_id: orderId,
        partner_id: partnerId,
        status,
        reasons: JSON.stringify(policies.map((policy) => ({ code: 'total-at-least', policy, detail: '' }))),
        levels: '[]',
        current_level: level,
        level_started_at: levelStarted,
        created_at: created,
        decided_at: decided,
      });
      return id;
    };
    const decision = (approvalId: string, level: number, personId: string, verdict: 'approve' | 'reject', when: Date) =>
      t.database
        .db('approval_decisions')
        .insert({ approval_id: approvalId, level, person_id: personId, decision: verdict, via: 'api', created_at: when });
    // a1 (Alpha): level 1 approved by Pat at 30, level 2 (from 30) by Sam at 60: approved, 3600 s in all.
    const a1 = await approval(o1, a.id, 'approved', 2, at(0), at(30), at(60), ['big-orders']);
    await decision(a1, 1, p1, 'approve', at(30));
    await decision(a1, 2, p2, 'approve', at(60));
    // a2 (Beta): level 1 rejected by Sam 2 h after it started: 7200 s.
    const a2 = await approval(o3, b.id, 'rejected', 1, at(2 * D), at(2 * D), at(2 * D + 2 * H), ['big-orders', 'new-partner']);
    await decision(a2, 1, p2, 'reject', at(2 * D + 2 * H));
    // a3 (Alpha): level 1 waiting.
    await approval(o2, a.id, 'pending', 1, at(D), at(D), null, ['new-partner']);
  }, 120_000);

  afterAll(async () => t?.close());

  describe('cycle times', () => {
    it('gives p50/p90/p99 and count per stage; a skipped stage is not counted, the next one runs from the last milestone', async () => {
      const response = await get(`/v1/reports/cycle-times?${march}`);
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body).toMatchObject({
        from: '2026-03-01T00:00:00.000Z',
        to: '2026-04-01T00:00:00.000Z',
        groupBy: null,
        percentile: 'percentile_disc',
      });
      expect(body.groups).toHaveLength(1);
      expect(body.groups[0].stages).toEqual({
        // [600, 3600]: p50 at ceil(1.0) = 1 → 600; p90 at ceil(1.8) = 2 → 3600; p99 → 3600.
        approved: { count: 2, p50: 600, p90: 3600, p99: 3600 },
        // o1 3600, o2 1800, o3 1800 → [1800, 1800, 3600]: p50 at ceil(1.5) = 2 → 1800; p90 at ceil(2.7) = 3 → 3600.
        acknowledged: { count: 3, p50: 1800, p90: 3600, p99: 3600 },
        // o1 10800, o2 3600, o3 600 → [600, 3600, 10800]: p50 → 3600; p90 → 10800.
        first_shipment: { count: 3, p50: 3600, p90: 10800, p99: 10800 },
        // o1 18000, o2 3600 → [3600, 18000].
        ready_for_billing: { count: 2, p50: 3600, p90: 18000, p99: 18000 },
        // o1 36000, o2 9000 → [9000, 36000].
        total: { count: 2, p50: 9000, p90: 36000, p99: 36000 },
      });
    });

    it('groups by partner, SKU, vendor, channel and period', async () => {
      const byPartner = (await get(`/v1/reports/cycle-times?${march}&groupBy=partner`)).json().groups;
      const alpha = byPartner.find((g: { group: string }) => g.group === a.id);
      const beta = byPartner.find((g: { group: string }) => g.group === b.id);
      // Alpha: o1 and o2; approved only o1 (3600); acknowledged [1800, 3600].
      expect(alpha.stages.approved).toEqual({ count: 1, p50: 3600, p90: 3600, p99: 3600 });
      expect(alpha.stages.acknowledged).toEqual({ count: 2, p50: 1800, p90: 3600, p99: 3600 });
      // Beta: o3 only, never ready for billing.
      expect(beta.stages.first_shipment).toEqual({ count: 1, p50: 600, p90: 600, p99: 600 });
      expect(beta.stages.total).toEqual({ count: 0, p50: null, p90: null, p99: null });

      const bySku = (await get(`/v1/reports/cycle-times?${march}&groupBy=sku`)).json().groups;
      // SKU-X: o1 and o2 → total [9000, 36000]; SKU-Y: o1 and o3 → approved [600, 3600], total o1's alone.
      expect(bySku.map((g: { group: string }) => g.group)).toEqual(['SKU-X', 'SKU-Y']);
      expect(bySku[0].stages.total).toEqual({ count: 2, p50: 9000, p90: 36000, p99: 36000 });
      expect(bySku[1].stages.approved).toEqual({ count: 2, p50: 600, p90: 3600, p99: 3600 });
      expect(bySku[1].stages.total).toEqual({ count: 1, p50: 36000, p90: 36000, p99: 36000 });

      const byVendor = (await get(`/v1/reports/cycle-times?${march}&groupBy=vendor`)).json().groups;
      // v1: o1 once (two tasks of it); v2: o3. o2 has no vendor task.
      expect(byVendor.map((g: { group: string; stages: { approved: { count: number } } }) => [g.group, g.stages.approved.count])).toEqual([
        ['v1', 1],
        ['v2', 1],
      ]);

      const byChannel = (await get(`/v1/reports/cycle-times?${march}&groupBy=channel`)).json().groups;
      // api: o1; x12: o2, o3 → acknowledged [1800, 1800].
      expect(byChannel.find((g: { group: string }) => g.group === 'x12').stages.acknowledged).toEqual({
        count: 2,
        p50: 1800,
        p90: 1800,
        p99: 1800,
      });

      const byDay = (await get(`/v1/reports/cycle-times?${march}&groupBy=period`)).json().groups;
      expect(byDay.map((g: { group: string }) => g.group)).toEqual(['2026-03-02', '2026-03-03', '2026-03-04']);
      // Weeks start on Monday: all three in the week of 2026-03-02.
      const byWeek = (await get(`/v1/reports/cycle-times?${march}&groupBy=period&period=week`)).json().groups;
      expect(
        byWeek.map((g: { group: string; stages: { acknowledged: { count: number } } }) => [g.group, g.stages.acknowledged.count]),
      ).toEqual([['2026-03-02', 3]]);
    });

    it('answers CSV, one row per group under a header row, when asked with Accept: text/csv', async () => {
      const response = await get(`/v1/reports/cycle-times?${march}&groupBy=partner`, a.key, 'text/csv');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/csv/);
      const lines = response.body.trim().split('\n');
      expect(lines[0]).toBe(
        'group,approved_seconds_count,approved_seconds_p50,approved_seconds_p90,approved_seconds_p99,acknowledged_seconds_count,acknowledged_seconds_p50,acknowledged_seconds_p90,acknowledged_seconds_p99,first_shipment_seconds_count,first_shipment_seconds_p50,first_shipment_seconds_p90,first_shipment_seconds_p99,ready_for_billing_seconds_count,ready_for_billing_seconds_p50,ready_for_billing_seconds_p90,ready_for_billing_seconds_p99,total_seconds_count,total_seconds_p50,total_seconds_p90,total_seconds_p99',
      );
      // Alpha's key: Alpha alone. first_shipment [3600, 10800]; ready_for_billing [3600, 18000]; total [9000, 36000].
      expect(lines.slice(1)).toEqual([
        `${a.id},1,3600,3600,3600,2,1800,3600,3600,2,3600,10800,10800,2,3600,18000,18000,2,9000,36000,36000`,
      ]);
    });
  });

  describe('sla', () => {
    it('counts vendor tasks and work items done late, overdue and escalated, and deadlines met and missed', async () => {
      const [all] = (await get(`/v1/reports/sla?${march}`)).json().groups;
      // Tasks: three vendor tasks; done 2 (ship, activate); late 1 (activate: 6 h > 5 h); overdue 1 (o3's ship).
      expect(all.tasks).toEqual({ total: 3, done: 2, late: 1, overdue: 1 });
      // Work items in March: 4; done 2; late 1 (completed 5 h > due 4 h); overdue 1 (the dead letter);
      // escalated 2 after 4 h = 14400 s and 1 h = 3600 s → [3600, 14400].
      expect(all.workItems).toEqual({
        total: 4,
        done: 2,
        late: 1,
        overdue: 1,
        escalated: 2,
        timeToEscalation: { count: 2, p50: 3600, p90: 14400, p99: 14400 },
      });
      // Deadlines: met 2 (both 855s of Alpha), missed 1, open 1; met rate 2 / 3.
      expect(all.deadlines).toEqual({ total: 4, met: 2, missed: 1, open: 1, metRate: 0.6667 });
    });

    it('groups by vendor, type, role, person, document and partner, leaving out what a grouping does not apply to', async () => {
      const byVendor = (await get(`/v1/reports/sla?${march}&groupBy=vendor`)).json().groups;
      expect(byVendor).toEqual([
        { group: 'v1', tasks: { total: 2, done: 2, late: 1, overdue: 0 }, workItems: null, deadlines: null },
        { group: 'v2', tasks: { total: 1, done: 0, late: 0, overdue: 1 }, workItems: null, deadlines: null },
      ]);
      const byRole = (await get(`/v1/reports/sla?${march}&groupBy=role`)).json().groups;
      const role = (name: string | null) => byRole.find((g: { group: string | null }) => g.group === name).workItems;
      // sales: both approvals (one late, escalated after 14400 s); finance: the second; ops: the dead letter; none: the person task.
      expect(role('sales')).toMatchObject({
        total: 2,
        done: 2,
        late: 1,
        overdue: 0,
        escalated: 1,
        timeToEscalation: { count: 1, p50: 14400 },
      });
      expect(role('finance')).toMatchObject({ total: 1, done: 1, late: 1, escalated: 1 });
      expect(role('ops')).toMatchObject({ total: 1, done: 0, overdue: 1, escalated: 1, timeToEscalation: { p50: 3600 } });
      expect(role(null)).toMatchObject({ total: 1, done: 0, overdue: 0 });
      const byPerson = (await get(`/v1/reports/sla?${march}&groupBy=person`)).json().groups;
      const person = (id: string | null) => byPerson.find((g: { group: string | null }) => g.group === id).workItems;
      // Pat completed one and holds the person task; Sam completed the late one.
      expect(person(p1)).toMatchObject({ total: 2, done: 1, late: 0 });
      expect(person(p2)).toMatchObject({ total: 1, done: 1, late: 1 });
      const byType = (await get(`/v1/reports/sla?${march}&groupBy=type`)).json().groups;
      const type = (name: string) => byType.find((g: { group: string }) => g.group === name);
      expect(type('ship').tasks).toEqual({ total: 2, done: 1, late: 0, overdue: 1 });
      expect(type('approval').workItems).toMatchObject({ total: 2, late: 1 });
      expect(type('ship').deadlines).toBeNull();
      const byDocument = (await get(`/v1/reports/sla?${march}&groupBy=document`)).json().groups;
      expect(byDocument).toEqual([
        { group: '855', tasks: null, workItems: null, deadlines: { total: 3, met: 2, missed: 0, open: 1, metRate: 1 } },
        { group: '856', tasks: null, workItems: null, deadlines: { total: 1, met: 0, missed: 1, open: 0, metRate: 0 } },
      ]);
    });

    it("shows a partner key its own figures only, and refuses another partner's", async () => {
      const groups = (await get(`/v1/reports/sla?${march}&groupBy=partner`, b.key)).json().groups;
      // Beta: o3's overdue task, the dead letter, the open 855.
      expect(groups).toEqual([
        {
          group: b.id,
          tasks: { total: 1, done: 0, late: 0, overdue: 1 },
          workItems: {
            total: 1,
            done: 0,
            late: 0,
            overdue: 1,
            escalated: 1,
            timeToEscalation: { count: 1, p50: 3600, p90: 3600, p99: 3600 },
          },
          deadlines: { total: 1, met: 0, missed: 0, open: 1, metRate: null },
        },
      ]);
      const other = await get(`/v1/reports/sla?${march}&partnerId=${a.id}`, b.key);
      expect(other.statusCode).toBe(403);
    });
  });

  describe('approvals', () => {
    it('gives outcomes, rates and turnaround overall, per level, approver and policy', async () => {
      const [all] = (await get(`/v1/reports/approvals?${march}`, personKey)).json().groups;
      // a1 approved in 3600 s, a2 rejected in 7200 s, a3 pending: rates 1/2 each.
      expect(all).toEqual({
        group: null,
        total: 3,
        approved: 1,
        rejected: 1,
        pending: 1,
        cancelled: 0,
        approvalRate: 0.5,
        rejectionRate: 0.5,
        turnaround: { count: 2, p50: 3600, p90: 7200, p99: 7200 },
      });
      const byLevel = (await get(`/v1/reports/approvals?${march}&groupBy=level`)).json().groups;
      // Level 1: a1 (approved in 1800 s), a2 (rejected in 7200 s), a3 (pending) → [1800, 7200]. Level 2: a1's, 30 → 60 = 1800 s.
      expect(byLevel).toEqual([
        {
          group: '1',
          total: 3,
          approved: 1,
          rejected: 1,
          pending: 1,
          cancelled: 0,
          approvalRate: 0.5,
          rejectionRate: 0.5,
          turnaround: { count: 2, p50: 1800, p90: 7200, p99: 7200 },
        },
        {
          group: '2',
          total: 1,
          approved: 1,
          rejected: 0,
          pending: 0,
          cancelled: 0,
          approvalRate: 1,
          rejectionRate: 0,
          turnaround: { count: 1, p50: 1800, p90: 1800, p99: 1800 },
        },
      ]);
      const byApprover = (await get(`/v1/reports/approvals?${march}&groupBy=approver`)).json().groups;
      const approver = (id: string) => byApprover.find((g: { group: string }) => g.group === id);
      // Pat: a1 level 1, 1800 s after it started. Sam: a1 level 2 (1800 s) and a2's rejection (7200 s).
      expect(approver(p1)).toMatchObject({ total: 1, approved: 1, rejected: 0, turnaround: { count: 1, p50: 1800 } });
      expect(approver(p2)).toMatchObject({
        total: 2,
        approved: 1,
        rejected: 1,
        approvalRate: 0.5,
        turnaround: { count: 2, p50: 1800, p90: 7200 },
      });
      const byPolicy = (await get(`/v1/reports/approvals?${march}&groupBy=policy`)).json().groups;
      // big-orders: a1, a2 → [3600, 7200]; new-partner: a2 (rejected), a3 (pending) → rejection rate 1.
      expect(
        byPolicy.map(
          (g: { group: string; total: number; approvalRate: number | null; rejectionRate: number | null; turnaround: { p50: number } }) => [
            g.group,
            g.total,
            g.approvalRate,
            g.rejectionRate,
            g.turnaround.p50,
          ],
        ),
      ).toEqual([
        ['big-orders', 2, 0.5, 0.5, 3600],
        ['new-partner', 2, 0, 1, 7200],
      ]);
    });

    it('shows a partner key its own approvals only', async () => {
      const [beta] = (await get(`/v1/reports/approvals?${march}`, b.key)).json().groups;
      expect(beta).toMatchObject({ total: 1, approved: 0, rejected: 1, pending: 0, rejectionRate: 1 });
    });
  });

  describe('throughput', () => {
    it('counts orders per day by channel and status, and open work by age', async () => {
      const body = (await get(`/v1/reports/throughput?${march}`)).json();
      expect(body.orders).toEqual([
        { period: '2026-03-02', channel: 'api', status: 'ready_for_billing', count: 1 },
        { period: '2026-03-03', channel: 'x12', status: 'ready_for_billing', count: 1 },
        { period: '2026-03-04', channel: 'x12', status: 'partially_shipped', count: 1 },
      ]);
      // Open orders: o3 (March, > 7 d), o5 (2 h: 1h-4h), o6 (10 d: > 7 d); o1, o2 ready for billing and o4 billed are not open.
      // Open work items: the March dead letter and person task (> 7 d), the one of half an hour (< 1h).
      const open = Object.fromEntries(
        body.openWork.map((row: { kind: string; age: string; count: number }) => [`${row.kind} ${row.age}`, row.count]),
      );
      expect(open).toEqual({
        'order <1h': 0,
        'order 1h-4h': 1,
        'order 4h-24h': 0,
        'order 1d-3d': 0,
        'order 3d-7d': 0,
        'order >7d': 2,
        'work-item <1h': 1,
        'work-item 1h-4h': 0,
        'work-item 4h-24h': 0,
        'work-item 1d-3d': 0,
        'work-item 3d-7d': 0,
        'work-item >7d': 2,
      });
      const monthly = (await get(`/v1/reports/throughput?${march}&period=month`)).json().orders;
      expect(monthly.map((row: { period: string; channel: string; count: number }) => [row.period, row.channel, row.count])).toEqual([
        ['2026-03-01', 'api', 1],
        ['2026-03-01', 'x12', 1],
        ['2026-03-01', 'x12', 1],
      ]);
    });

    it("answers CSV with both lists, and a partner key's holds its own orders and work only", async () => {
      const response = await get(`/v1/reports/throughput?${march}`, b.key, 'text/csv');
      const lines = response.body.trim().split('\n');
      expect(lines[0]).toBe('section,period,channel,status,kind,age,count');
      // Beta: o3 received on 03-04, open for more than a week; the March dead letter.
      expect(lines).toContain('orders,2026-03-04,x12,partially_shipped,,,1');
      expect(lines).toContain('open-work,,,,order,>7d,1');
      expect(lines).toContain('open-work,,,,order,1h-4h,0');
      expect(lines).toContain('open-work,,,,work-item,>7d,1');
      expect(lines).toContain('open-work,,,,work-item,<1h,0');
    });
  });

  describe('access and parameters', () => {
    it('refuses vendor keys, and a partner key asking for another partner', async () => {
      expect((await get(`/v1/reports/throughput`, vendorKey)).statusCode).toBe(403);
      expect((await get(`/v1/reports/cycle-times?partnerId=${a.id}`, b.key)).statusCode).toBe(403);
      expect((await get(`/v1/reports/cycle-times?partnerId=${b.id}`, b.key)).statusCode).toBe(200);
      expect((await get(`/v1/reports/cycle-times`)).statusCode).toBe(200);
      expect((await t.request({ method: 'GET', url: '/v1/reports/sla' })).statusCode).toBe(401);
    });

    it('lets the admin narrow to one partner', async () => {
      const [alpha] = (await get(`/v1/reports/approvals?${march}&partnerId=${a.id}`)).json().groups;
      expect(alpha).toMatchObject({ total: 2, approved: 1, pending: 1 });
    });

    it('refuses a period that is no date, or ends before it starts, and a grouping the report does not have', async () => {
      expect((await get(`/v1/reports/sla?from=yesterday-ish`)).statusCode).toBe(400);
      expect((await get(`/v1/reports/sla?from=2026-04-01&to=2026-03-01`)).statusCode).toBe(400);
      expect((await get(`/v1/reports/cycle-times?groupBy=role`)).statusCode).toBe(400);
      expect((await get(`/v1/reports/sla?from=${'2'.repeat(40)}`)).statusCode).toBe(400);
    });
  });

  describe('stage histogram on /metrics', () => {
    it('holds the stages that ended in the last 24 hours, in their buckets', async () => {
      // Received 3 h ago, approved 2 h ago (3600 s: the 3600 bucket), acknowledged 90 min ago (1800 s: the 3600 bucket too).
      const now = Date.now();
      const before = (minutes: number) => new Date(now - minutes * 60_000);
      const recent = await order('recent', a.id, 'api', 'approved', before(3 * H), []);
      await event(recent, 'order.approved', before(2 * H));
      await event(recent, 'order.acknowledged', before(90));
      const text = (await t.request({ method: 'GET', url: '/metrics' })).body;
      const line = (series: string) =>
        text
          .split('\n')
          .find((row) => row.startsWith(`ordergate_order_stage_duration_seconds${series} `))
          ?.split(' ')[1];
      expect(line('_bucket{stage="approved",le="900"}')).toBe('0');
      expect(line('_bucket{stage="approved",le="3600"}')).toBe('1');
      expect(line('_bucket{stage="acknowledged",le="3600"}')).toBe('1');
      expect(line('_bucket{stage="acknowledged",le="+Inf"}')).toBe('1');
      expect(Number(line('_sum{stage="approved"}'))).toBeCloseTo(3600, 0);
      expect(line('_count{stage="total"}')).toBe('0');
    });
  });
});
