import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenize } from '../adapters/x12/tokenize.ts';
import type { ApprovalLevel } from '../domain/approval.ts';
import { signatureRequestsJob } from '../app/jobs/signature-requests.ts';
import type { ApprovalGate } from '../pipeline/approvals.ts';
import { runEscalations } from '../pipeline/escalations.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from './support/app.ts';
import { validateAgainstDtd } from './support/dtd.ts';
import { answerMailboxes } from './support/fulfillment.ts';
import { partnerAnswers } from './support/partner-answers.ts';

// Orders a policy catches wait in pending_approval for the people of each level in turn; the last
// approval plans and sends the order, a rejection ends it and answers the partner in its format.

const salesManager: ApprovalLevel = { level: 1, name: 'sales', assignees: [{ role: 'sales-manager' }], mode: 'any', method: 'click' };
const finance: ApprovalLevel = { level: 2, name: 'finance', assignees: [{ role: 'finance' }], mode: 'any', method: 'click' };
/** A level decided by a DocuSign signature, on a gateway with no DocuSign settings. */
const signed: ApprovalLevel = {
  level: 1,
  name: 'finance',
  assignees: [{ role: 'finance' }],
  mode: 'any',
  method: 'signature',
  signatureProvider: 'docusign',
};
/** A level with a clock: after four hours, the order desk may decide it too. */
const timed: ApprovalLevel = { ...salesManager, sla: 'PT4H', escalateTo: { role: 'order-desk' } };

/** Stands in for the policies: 10,000 or more needs sales, 50,000 or more finance too. */
const gate: ApprovalGate = async (_tx, order) => {
  const total = order.totals.amount;
  if (total < 10_000) return { required: false };
  const reason = { code: 'total-at-least', policy: 'big-orders', detail: `computed total ${total} ${order.currency} is at least 10000` };
  if (order.externalRef.startsWith('PO-TIMED')) return { required: true, reasons: [reason], levels: [timed] };
  if (order.externalRef.startsWith('PO-SIGNED')) return { required: true, reasons: [reason], levels: [signed] };
  return { required: true, reasons: [reason], levels: total >= 50_000 ? [salesManager, finance] : [salesManager] };
};

const priced = (ref: string, unitPrice: number) => ({
  ...sampleOrder,
  externalRef: ref,
  lines: [{ lineNumber: '1', sku: 'MODEM-X1', quantity: 100, uom: 'EA', unitPrice }],
});

describe('approvals', () => {
  let t: TestApp;
  let shop: { id: string; key: string };
  const people: Record<string, { id: string; key: string }> = {};

  beforeAll(async () => {
    t = await startTestApp('postgres', { server: { approvals: { gate } } });
    shop = await t.partner('Shop');
    for (const [name, roles] of [
      ['alice', ['sales-manager']],
      ['amir', ['sales-manager']],
      ['bob', ['finance']],
      ['carol', ['order-desk']],
    ] as const) {
      const created = await t.request({
        method: 'POST',
        url: '/v1/people',
        key: adminKey,
        payload: { name, email: `${name}@example.com`, roles },
      });
      expect(created.statusCode, created.body).toBe(201);
      const issued = await t.request({ method: 'POST', url: `/v1/people/${created.json().id}/api-keys`, key: adminKey });
      expect(issued.statusCode, issued.body).toBe(201);
      people[name] = { id: created.json().id, key: issued.json().key };
    }
  });
  afterAll(async () => t?.close());

  const submit = async (body: object, key = shop.key) => {
    const res = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key,
      headers: { 'idempotency-key': (body as { externalRef: string }).externalRef },
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; status: string };
  };
  const approvalOf = async (orderId: string) => {
    const res = await t.request({ method: 'GET', url: `/v1/orders/${orderId}/approvals`, key: shop.key });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().approvals[0];
  };
  const decide = (approvalId: string, who: string, payload: object) =>
    t.request({ method: 'POST', url: `/v1/approvals/${approvalId}/decision`, key: people[who]?.key, payload });
  const statusOf = async (orderId: string) =>
    (await t.request({ method: 'GET', url: `/v1/orders/${orderId}`, key: shop.key })).json().status;
  const requestsOf = (orderId: string) =>
    t.database.db('outbox').where({ correlation_id: orderId, type: 'fulfillment.request.v1' }).count('* as n').first();

  it('plans an order under every threshold at once', async () => {
    const order = await submit(priced('PO-SMALL', 10));
    expect(order.status).toBe('decomposed');
    expect(await approvalOf(order.id)).toBeUndefined();
  });

  it('holds an order above the threshold until its one level approves, then plans and sends it in the same step', async () => {
    const order = await submit(priced('PO-12K', 120));
    expect(order.status).toBe('pending_approval');
    expect(Number((await requestsOf(order.id))?.n)).toBe(0);
    const approval = await approvalOf(order.id);
    expect(approval).toMatchObject({
      status: 'pending',
      currentLevel: 1,
      reasons: [{ code: 'total-at-least' }],
      levels: [{ name: 'sales' }],
    });

    const mine = async (who: string) =>
      (await t.request({ method: 'GET', url: '/v1/approvals?assignee=me&status=pending', key: people[who]?.key }))
        .json()
        .approvals.map((a: { id: string }) => a.id);
    expect(await mine('alice')).toContain(approval.id);
    expect(await mine('carol')).not.toContain(approval.id);
    expect(await mine('bob')).not.toContain(approval.id);

    const notHers = await decide(approval.id, 'carol', { decision: 'approve' });
    expect(notHers.statusCode).toBe(403);
    expect(notHers.json().detail).toBe('level 1 (sales) is for role sales-manager');
    const bare = await decide(approval.id, 'alice', { decision: 'reject' });
    expect(bare.statusCode).toBe(400);
    expect(bare.json().errors[0]).toMatchObject({ in: 'body', pointer: '/comment' });
    const admin = await t.request({
      method: 'POST',
      url: `/v1/approvals/${approval.id}/decision`,
      key: adminKey,
      payload: { decision: 'approve' },
    });
    expect(admin.statusCode).toBe(403);

    const approved = await decide(approval.id, 'alice', { decision: 'approve', comment: 'known customer' });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({
      status: 'approved',
      decisions: [{ personId: people.alice?.id, decision: 'approve', via: 'api', level: 1 }],
    });
    expect(await statusOf(order.id)).toBe('decomposed');
    expect(Number((await requestsOf(order.id))?.n)).toBeGreaterThan(0);
    const again = await decide(approval.id, 'amir', { decision: 'approve' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code ?? again.json().type).toMatch(/already-decided/);

    const history = (await t.request({ method: 'GET', url: `/v1/orders/${order.id}/events`, key: shop.key })).json().events;
    expect(history.map((e: { cause: string }) => e.cause)).toEqual(
      expect.arrayContaining([
        'order.pending-approval',
        'approval.level-started',
        'approval.approved',
        'order.approved',
        'order.decomposed',
      ]),
    );
  });

  it('asks its levels in turn: finance only once sales has approved', async () => {
    const order = await submit(priced('PO-60K', 600));
    const approval = await approvalOf(order.id);
    expect(approval.levels.map((l: { name: string }) => l.name)).toEqual(['sales', 'finance']);
    expect((await decide(approval.id, 'bob', { decision: 'approve' })).statusCode).toBe(403);
    expect((await decide(approval.id, 'alice', { decision: 'approve' })).json()).toMatchObject({ status: 'pending', currentLevel: 2 });
    expect(await statusOf(order.id)).toBe('pending_approval');
    expect((await decide(approval.id, 'alice', { decision: 'approve' })).statusCode).toBe(403);
    expect((await decide(approval.id, 'bob', { decision: 'approve' })).json()).toMatchObject({ status: 'approved' });
    expect(await statusOf(order.id)).toBe('decomposed');
  });

  it('counts exactly one of two decisions made at once', async () => {
    for (let round = 0; round < 5; round += 1) {
      const order = await submit(priced(`PO-RACE-${round}`, 120));
      const approval = await approvalOf(order.id);
      const answers = await Promise.all([
        decide(approval.id, 'alice', { decision: 'approve' }),
        decide(approval.id, 'amir', { decision: 'reject', comment: 'too big for this customer' }),
      ]);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
      const final = (await t.request({ method: 'GET', url: `/v1/approvals/${approval.id}`, key: adminKey })).json();
      expect(final.decisions).toHaveLength(1);
      expect(await statusOf(order.id)).toBe(final.status === 'approved' ? 'decomposed' : 'rejected');
    }
  });

  it('answers a rejected X12 order with an 855 refusing every line (BAK02 RD), with the reason', async () => {
    const acme = await t.partner('Acme', { x12: { qualifier: 'ZZ', id: 'APPROVBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' } });
    const isa = `ISA*00*          *00*          *ZZ*${'APPROVBUYER'.padEnd(15)}*ZZ*${'ORDERGATE'.padEnd(15)}*261206*1000*U*00401*000000901*0*P*>`;
    const body = ['ST*850*0001', 'BEG*00*SA*PO-BIG-X12**20261206', 'PO1*1*200*EA*60**VN*MODEM-X1', 'CTT*1'];
    const x12 = [
      isa,
      'GS*PO*APPROVBUYER*ORDERGATE*20261206*1000*901*X*004010',
      ...body,
      `SE*${body.length + 1}*0001`,
      'GE*1*901',
      'IEA*1*000000901',
    ]
      .map((s) => `${s}~`)
      .join('\n');
    const posted = await t.request({
      method: 'POST',
      url: '/v1/x12',
      key: acme.key,
      headers: { 'content-type': 'application/edi-x12' },
      payload: x12,
    });
    expect(posted.statusCode, posted.body).toBe(200);
    const order = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-BIG-X12', key: acme.key })).json().orders[0];
    expect(order.status).toBe('pending_approval');
    const approval = (await t.request({ method: 'GET', url: `/v1/orders/${order.id}/approvals`, key: acme.key })).json().approvals[0];
    expect((await decide(approval.id, 'alice', { decision: 'reject', comment: 'credit on hold' })).statusCode).toBe(200);
    const [ack] = await partnerAnswers(t, acme.key, order.id);
    const segments = tokenize(ack ?? '').flatMap((e) => (e.kind === 'segment' ? [[e.segment.tag, ...e.segment.elements]] : []));
    expect(segments.find((s) => s[0] === 'BAK')?.[2]).toBe('RD');
    expect(segments.filter((s) => s[0] === 'ACK').map((s) => s.slice(1, 4).join('*'))).toEqual(['IR*200*EA']);
    expect(segments.find((s) => s[0] === 'MSG')?.[1]).toBe('rejected in approval: credit on hold');
    const events = await t.database.db('outbox').where({ correlation_id: order.id, type: 'order.rejected.v1' }).pluck('payload');
    expect(events[0]).toMatchObject({ reason: 'rejected in approval: credit on hold' });
  });

  it('answers a rejected cXML order with a rejecting ConfirmationRequest, valid against the DTD', async () => {
    const ourCredential = { domain: 'NetworkID', identity: 'AN09999999999', sharedSecret: 'ours-with-approv' };
    const buyer = await t.partner('Buyer', {
      cxml: { fromDomain: 'NetworkID', fromIdentity: 'AN01000000090', sharedSecret: 'approv-secret-90', ourCredential },
    });
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">
<cXML payloadID="big.1@buyer.example" timestamp="2026-12-06T10:14:00-05:00" xml:lang="en-US">
  <Header>
    <From><Credential domain="NetworkID"><Identity>AN01000000090</Identity></Credential></From>
    <To><Credential domain="NetworkID"><Identity>AN09999999999</Identity></Credential></To>
    <Sender><Credential domain="NetworkID"><Identity>AN01000000090</Identity><SharedSecret>approv-secret-90</SharedSecret></Credential><UserAgent>Buyer 1.0</UserAgent></Sender>
  </Header>
  <Request deploymentMode="production">
    <OrderRequest>
      <OrderRequestHeader orderID="PO-BIG-CXML" orderDate="2026-12-06T10:14:00-05:00" type="new">
        <Total><Money currency="USD">12000</Money></Total>
        <BillTo><Address addressID="HQ"><Name xml:lang="en">Buyer</Name><PostalAddress><Street>1 St</Street><City>X</City><Country isoCountryCode="US">US</Country></PostalAddress></Address></BillTo>
      </OrderRequestHeader>
      <ItemOut quantity="100" lineNumber="1">
        <ItemID><SupplierPartID>MODEM-X1</SupplierPartID></ItemID>
        <ItemDetail><UnitPrice><Money currency="USD">120</Money></UnitPrice><Description xml:lang="en">Modem</Description><UnitOfMeasure>EA</UnitOfMeasure><Classification domain="UNSPSC">43222609</Classification></ItemDetail>
      </ItemOut>
    </OrderRequest>
  </Request>
</cXML>`;
    const posted = await t.request({ method: 'POST', url: '/v1/cxml', headers: { 'content-type': 'text/xml' }, payload: xml });
    expect(posted.statusCode, posted.body).toBe(200);
    const order = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-BIG-CXML', key: buyer.key })).json().orders[0];
    const approval = (await t.request({ method: 'GET', url: `/v1/orders/${order.id}/approvals`, key: buyer.key })).json().approvals[0];
    expect((await decide(approval.id, 'amir', { decision: 'reject', comment: 'not this quarter' })).statusCode).toBe(200);
    const [confirmation] = await partnerAnswers(t, buyer.key, order.id);
    expect(validateAgainstDtd(confirmation ?? '', 'Fulfill.dtd')).toEqual({ valid: true, errors: [] });
    expect(confirmation).toContain('type="reject"');
    expect(confirmation).not.toContain('<ConfirmationItem');
    expect(confirmation).toContain('rejected in approval: not this quarter');
  });

  it('makes a held order an exception for the order desk: a cross-reference from its person resumes it, and it is fulfilled', async () => {
    const held = await submit({
      ...sampleOrder,
      externalRef: 'PO-HELD-1',
      lines: [{ lineNumber: '1', identifiers: { buyerPart: 'ACME-77' }, quantity: 1, uom: 'EA', unitPrice: 49.5 }],
    });
    expect(held.status).toBe('held');
    const approval = await approvalOf(held.id);
    expect(approval).toMatchObject({
      status: 'pending',
      reasons: [{ code: 'unresolved-items', lineNumber: '1' }],
      levels: [{ name: 'order desk' }],
    });
    const mine = (await t.request({ method: 'GET', url: '/v1/approvals?assignee=me&status=pending', key: people.carol?.key })).json()
      .approvals;
    expect(mine.map((a: { id: string }) => a.id)).toContain(approval.id);
    const premature = await decide(approval.id, 'carol', { decision: 'approve' });
    expect(premature.statusCode).toBe(409);
    expect(premature.json().detail).toContain('add the cross-references');
    // Only the order desk (or the admin) maps items.
    const byAlice = await t.request({
      method: 'POST',
      url: `/v1/partners/${shop.id}/item-references`,
      key: people.alice?.key,
      payload: { references: [{ partnerItem: 'ACME-77', sku: 'MODEM-X1' }] },
    });
    expect(byAlice.statusCode).toBe(403);
    const mapped = await t.request({
      method: 'POST',
      url: `/v1/partners/${shop.id}/item-references`,
      key: people.carol?.key,
      payload: { references: [{ partnerItem: 'ACME-77', sku: 'MODEM-X1' }] },
    });
    expect(mapped.statusCode, mapped.body).toBe(200);
    expect(mapped.json().resumed).toEqual([held.id]);
    expect(await approvalOf(held.id)).toMatchObject({ status: 'approved' });
    await answerMailboxes(t);
    expect(await statusOf(held.id)).toBe('ready_for_billing');
  });

  it('lets the order desk reject a held order, which answers its partner', async () => {
    const held = await submit({
      ...sampleOrder,
      externalRef: 'PO-HELD-2',
      lines: [{ lineNumber: '1', identifiers: { buyerPart: 'NOBODY-1' }, quantity: 1, uom: 'EA' }],
    });
    const approval = await approvalOf(held.id);
    const rejected = await decide(approval.id, 'carol', { decision: 'reject', comment: 'we do not sell this item' });
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect(await statusOf(held.id)).toBe('rejected');
    const events = await t.database.db('outbox').where({ correlation_id: held.id, type: 'order.rejected.v1' }).pluck('payload');
    expect(events[0]).toMatchObject({ reason: 'rejected in approval: we do not sell this item' });
  });

  it('cancels the approval of an order cancelled while it waits; a decision then changes nothing', async () => {
    const order = await submit(priced('PO-CANCELLED', 120));
    const approval = await approvalOf(order.id);
    expect((await t.request({ method: 'POST', url: `/v1/orders/${order.id}/cancel`, key: shop.key, payload: {} })).statusCode).toBe(200);
    expect(await approvalOf(order.id)).toMatchObject({ status: 'cancelled' });
    // Off every task list with it.
    expect(await t.database.db('work_items').where({ order_id: order.id }).pluck('status')).toEqual(['cancelled']);
    expect((await decide(approval.id, 'alice', { decision: 'approve' })).statusCode).toBe(409);
    expect(await statusOf(order.id)).toBe('cancelled');
  });

  it('escalates a level whose SLA ran out, once, to its escalatee, who may then decide it', async () => {
    const order = await submit(priced('PO-TIMED-1', 120));
    const approval = await approvalOf(order.id);
    expect((await decide(approval.id, 'carol', { decision: 'approve' })).statusCode).toBe(403);
    const created = new Date(approval.createdAt).getTime();
    const escalated = async (at: Date) =>
      (await runEscalations({ approvals: t.deps.approvals }, at)).escalated.map((item) => item.sourceId);
    expect(await escalated(new Date(created + 3 * 3_600_000))).not.toContain(approval.id);
    const later = new Date(created + 4 * 3_600_000 + 1_000);
    expect(await escalated(later)).toContain(approval.id);
    expect(await escalated(later)).not.toContain(approval.id);
    const history = (await t.request({ method: 'GET', url: `/v1/orders/${order.id}/events`, key: shop.key })).json().events;
    expect(history.filter((e: { cause: string }) => e.cause === 'approval.escalated')).toHaveLength(1);
    expect((await decide(approval.id, 'carol', { decision: 'approve' })).statusCode).toBe(200);
    expect(await statusOf(order.id)).toBe('decomposed');
  });

  it('puts a held order that resumes through the policies, as a new order: a big one waits for its approval', async () => {
    const held = await submit({
      ...sampleOrder,
      externalRef: 'PO-HELD-BIG',
      lines: [{ lineNumber: '1', identifiers: { buyerPart: 'ACME-88' }, quantity: 100, uom: 'EA', unitPrice: 150 }],
    });
    expect(held.status).toBe('held');
    const mapped = await t.request({
      method: 'POST',
      url: `/v1/partners/${shop.id}/item-references`,
      key: adminKey,
      payload: { references: [{ partnerItem: 'ACME-88', sku: 'MODEM-X1' }] },
    });
    expect(mapped.json().resumed).toEqual([held.id]);
    expect(await statusOf(held.id)).toBe('pending_approval');
    const approvals = (await t.request({ method: 'GET', url: `/v1/orders/${held.id}/approvals`, key: shop.key })).json().approvals;
    expect(approvals.map((a: { status: string; levels: { name: string }[] }) => [a.status, a.levels[0]?.name])).toEqual([
      ['approved', 'order desk'],
      ['pending', 'sales'],
    ]);
  });

  it('notes a signature request that cannot go out, and does not try again at once', async () => {
    const order = await submit(priced('PO-SIGNED-1', 120));
    const job = signatureRequestsJob(t.deps.approvals.store, { db: t.database.db, senders: {} });
    await job.run();
    await job.run();
    const history = (await t.request({ method: 'GET', url: `/v1/orders/${order.id}/events`, key: shop.key })).json().events;
    const failures = history.filter((e: { cause: string }) => e.cause === 'approval.signature-not-sent');
    expect(failures).toHaveLength(1);
    expect(failures[0].detail.reason).toContain('signature provider docusign is not configured on this gateway');
  });
});
