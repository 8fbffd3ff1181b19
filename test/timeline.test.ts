import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalLevel } from '../domain/approval.ts';
import type { ApprovalGate } from '../pipeline/approvals.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from './support/app.ts';
import { answerMailboxes, completePersonTasks } from './support/fulfillment.ts';

// The order's timeline, read as an operations person would: an X12 order from its 850 to ready for
// billing, and an order that waited for a person's approval.

const bundle = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');
const identity = { qualifier: 'ZZ', id: 'ACMEBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' };

const sales: ApprovalLevel = { level: 1, name: 'sales manager', assignees: [{ role: 'sales-manager' }], mode: 'any', method: 'click' };
/** Stands in for the policies: 10,000 or more waits for a sales manager. */
const gate: ApprovalGate = async (_tx, order) =>
  order.totals.amount < 10_000
    ? { required: false }
    : { required: true, reasons: [{ code: 'total-at-least', policy: 'big-orders', detail: 'at least 10000' }], levels: [sales] };

interface Entry {
  at: string;
  kind: string;
  summary: string;
  ref: { id: string };
  [field: string]: unknown;
}

describe('the order timeline', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres', { server: { approvals: { gate } } });
  });
  afterAll(async () => t?.close());

  const timeline = (orderId: string, key: string) => t.request({ method: 'GET', url: `/v1/orders/${orderId}/timeline`, key });

  it('shows an X12 order from its 850 and 997 through its tasks, 855, 856s and 810 to ready for billing, in time order', async () => {
    const acme = await t.partner('Acme', { x12: identity });
    const posted = await t.request({
      method: 'POST',
      url: '/v1/x12',
      key: acme.key,
      headers: { 'content-type': 'application/edi-x12' },
      payload: bundle,
    });
    expect(posted.statusCode, posted.body).toBe(200);
    const orderId = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-7001', key: acme.key })).json().orders[0].id;
    for (let round = 0; round < 5; round += 1) {
      const answered = await answerMailboxes(t);
      const completed = await completePersonTasks(t, orderId, acme.key);
      if (answered === 0 && completed === 0) break;
    }

    const res = await timeline(orderId, acme.key);
    expect(res.statusCode, res.body).toBe(200);
    const entries = res.json().entries as Entry[];
    const times = entries.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const index = (match: (e: Entry) => boolean, what: string) => {
      const found = entries.findIndex(match);
      expect(found, `${what} in ${entries.map((e) => e.summary).join(' | ')}`).toBeGreaterThanOrEqual(0);
      return found;
    };
    const status = (to: string) => index((e) => e.kind === 'event' && e.to === to && e.from !== to, `status ${to}`);
    const doc = (direction: string, type: string) =>
      index((e) => e.kind === 'document' && e.direction === direction && e.type === type, `${direction} ${type}`);

    const received = status('received');
    const inbound850 = doc('inbound', '850');
    const answer997 = doc('outbound', '997');
    const ack855 = doc('outbound', '855');
    const ship856 = doc('outbound', '856');
    const invoice810 = doc('outbound', '810');
    expect(received).toBeLessThan(inbound850);
    expect(inbound850).toBeLessThan(answer997);
    expect(answer997).toBeLessThan(ack855);
    expect(ack855).toBeLessThan(ship856);
    expect(ship856).toBeLessThan(invoice810);
    expect(status('ready_for_billing')).toBeLessThan(invoice810);
    expect(status('partially_shipped')).toBeLessThan(status('fulfilled'));
    expect(status('fulfilled')).toBeLessThan(status('ready_for_billing'));

    expect(entries[inbound850]?.summary).toBe('850 received over x12');
    expect(entries[answer997]?.summary).toMatch(/^997 sent over x12/);
    expect(entries[ack855]).toMatchObject({ channel: 'x12', direction: 'outbound' });
    // The partner has not answered our 855 yet: its acknowledgment is due.
    expect(entries[ack855]?.summary).toMatch(/^855 sent over x12, .*acknowledgment due by \d{4}-/);
    expect(entries[ship856]?.summary).toMatch(/acknowledgment due by/);

    // The partner's 997 accepts our 855: its timeline entry says so, the 856 still waits.
    const our855 = entries[ack855] as Entry & { control: { gsControlNumber: string } };
    const isa = `ISA*00*          *00*          *ZZ*${'ACMEBUYER'.padEnd(15)}*ZZ*${'ORDERGATE'.padEnd(15)}*261206*0900*U*00401*000000701*0*P*>`;
    const ack = [
      isa,
      'GS*FA*ACMEBUYER*ORDERGATE*20261206*0900*701*X*004010',
      'ST*997*0001',
      `AK1*PR*${our855.control.gsControlNumber}`,
      'AK2*855*0001',
      'AK5*A',
      'AK9*A*1*1*1',
      'SE*6*0001',
      'GE*1*701',
      'IEA*1*000000701',
    ]
      .map((segment) => `${segment}~`)
      .join('');
    const acked = await t.request({
      method: 'POST',
      url: '/v1/x12',
      key: acme.key,
      headers: { 'content-type': 'application/edi-x12' },
      payload: ack,
    });
    expect(acked.statusCode, acked.body).toBe(202);
    const after = (await timeline(orderId, acme.key)).json().entries as Entry[];
    expect(after.find((e) => e.ref.id === our855.ref.id)).toMatchObject({
      summary: expect.stringMatching(/^855 sent over x12, .*acknowledged accepted$/),
      acknowledgment: { state: 'accepted' },
    });
    expect(after.find((e) => e.ref.id === entries[ship856]?.ref.id)?.summary).toMatch(/acknowledgment due by/);
    expect(entries.filter((e) => e.kind === 'document').every((e) => !('body' in e))).toBe(true);

    const tasks = (await t.request({ method: 'GET', url: `/v1/orders/${orderId}/tasks`, key: acme.key })).json().tasks as {
      id: string;
      key: string;
      vendorId: string | null;
    }[];
    const taskEntries = entries.filter((e) => e.kind === 'task');
    expect(taskEntries.map((e) => e.ref.id).sort()).toEqual(tasks.map((task) => task.id).sort());
    const vendorTask = tasks.find((task) => task.vendorId !== null);
    expect(taskEntries.find((e) => e.ref.id === vendorTask?.id)?.summary).toBe(`task ${vendorTask?.key} done by ${vendorTask?.vendorId}`);
    // Each task is shown when it was done, after the order went into fulfillment.
    for (const task of taskEntries) expect(entries.indexOf(task)).toBeGreaterThan(status('in_fulfillment'));

    // The admin reads the same timeline.
    const asAdmin = await timeline(orderId, adminKey);
    expect(asAdmin.json().entries).toEqual(after);
  });

  it('answers 404 for another partner’s order, exactly as GET /v1/orders/{id} does', async () => {
    const owner = await t.partner('Owner');
    const other = await t.partner('Other');
    const created = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: owner.key,
      headers: { 'idempotency-key': 'PO-OWN' },
      payload: { ...sampleOrder, externalRef: 'PO-OWN' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const orderId = created.json().id;

    const own = await timeline(orderId, owner.key);
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().entries[0]).toMatchObject({ kind: 'event', to: 'received', actor: `partner:${owner.id}` });
    expect(own.json().entries.find((e: Entry) => e.kind === 'document')).toMatchObject({
      direction: 'inbound',
      channel: 'api',
      summary: 'order.json received over api',
    });

    const theirs = await timeline(orderId, other.key);
    const order = await t.request({ method: 'GET', url: `/v1/orders/${orderId}`, key: other.key });
    expect(theirs.statusCode).toBe(404);
    expect(order.statusCode).toBe(404);
    const { instance: _timeline, ...refusal } = theirs.json();
    const { instance: _order, ...orderRefusal } = order.json();
    expect(refusal).toEqual(orderRefusal);
    const missing = await timeline('00000000-0000-4000-8000-000000000000', adminKey);
    expect(missing.statusCode).toBe(404);
  });

  it('shows the approval an order waited for and the decision that let it go', async () => {
    const shop = await t.partner('Shop');
    const person = await t.request({
      method: 'POST',
      url: '/v1/people',
      key: adminKey,
      payload: { name: 'Sam Sales', roles: ['sales-manager'] },
    });
    expect(person.statusCode, person.body).toBe(201);
    const sam = (await t.request({ method: 'POST', url: `/v1/people/${person.json().id}/api-keys`, key: adminKey })).json().key;
    const created = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: shop.key,
      headers: { 'idempotency-key': 'PO-BIG' },
      payload: {
        ...sampleOrder,
        externalRef: 'PO-BIG',
        lines: [{ lineNumber: '1', sku: 'MODEM-X1', quantity: 100, uom: 'EA', unitPrice: 120 }],
      },
    });
    expect(created.json().status).toBe('pending_approval');
    const orderId = created.json().id;
    const approvalId = (await t.request({ method: 'GET', url: `/v1/orders/${orderId}/approvals`, key: shop.key })).json().approvals[0].id;
    const decided = await t.request({
      method: 'POST',
      url: `/v1/approvals/${approvalId}/decision`,
      key: sam,
      payload: { decision: 'approve', comment: 'known customer' },
    });
    expect(decided.statusCode, decided.body).toBe(200);

    const res = await timeline(orderId, sam);
    expect(res.statusCode, res.body).toBe(200);
    const entries = res.json().entries as Entry[];
    const approval = entries.findIndex((e) => e.kind === 'approval');
    const decision = entries.findIndex((e) => e.kind === 'decision');
    expect(entries[approval]).toMatchObject({ ref: { id: approvalId }, status: 'approved', level: 1, levels: 1 });
    expect(entries[approval]?.summary).toBe('approval approved, level 1 (sales manager) of 1: at least 10000');
    expect(entries[decision]).toMatchObject({ ref: { approvalId }, decision: 'approve', level: 1, via: 'api' });
    expect(entries[decision]?.summary).toBe('approval level 1 (sales manager) approved by Sam Sales via api: known customer');
    const waiting = entries.findIndex((e) => e.kind === 'event' && e.to === 'pending_approval');
    const planned = entries.findIndex((e) => e.kind === 'event' && e.from === 'pending_approval' && e.to !== 'pending_approval');
    expect(waiting).toBeGreaterThanOrEqual(0);
    expect(waiting).toBeLessThan(decision);
    expect(decision).toBeLessThan(planned);
  });
});
