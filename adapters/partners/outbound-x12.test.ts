import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { getOrder, getPartnerX12, orderStore } from '../db/index.ts';
import { build855, identityFor, x12Document } from '../x12/outbound/index.ts';
import { tokenize } from '../x12/tokenize.ts';
import type { StoredOrder } from '../../domain/order.ts';
import { withoutNetwork } from '../../test/support/nock.ts';
import { startTestApp, type TestApp } from '../../test/support/app.ts';
import { storeDocument } from '../../pipeline/outbound.ts';
import { pushStuckDocuments, sendX12 } from './index.ts';

const bundle = readFileSync(new URL('../x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');
const fast = { retries: 4, minTimeoutMs: 5, maxTimeoutMs: 20, timeoutMs: 2_000 };

function acceptAll(order: StoredOrder) {
  return build855({
    order,
    ackDate: '2026-11-28',
    lines: order.lines.map((l) => ({ lineNumber: l.lineNumber, status: 'accepted' as const, quantity: l.quantity, uom: l.uom })),
  });
}

describe('outbound X12 documents', () => {
  let t: TestApp;
  /** Pushes with quick retries, through the test app's outbound policy (https, no allow-list; nock answers). */
  const push = () => ({ retry: fast, outbound: t.deps.outbound.endpoints, secrets: t.deps.secrets });
  withoutNetwork();
  beforeAll(async () => {
    t = await startTestApp('postgres');
  });
  afterAll(async () => t?.close());

  async function partnerWithOrder(name: string, sender: string, endpointUrl?: string) {
    const partner = await t.partner(name, {
      x12: { qualifier: 'ZZ', id: sender, ourQualifier: 'ZZ', ourId: 'ORDERGATE', ...(endpointUrl === undefined ? {} : { endpointUrl }) },
    });
    const res = await t.request({
      method: 'POST',
      url: '/v1/x12',
      key: partner.key,
      headers: { 'content-type': 'application/edi-x12' },
      payload: bundle.replaceAll('ACMEBUYER      ', sender.padEnd(15)).replaceAll('ACMEBUYER', sender),
    });
    expect(res.body).toContain('AK5*A~');
    const [id] = await t.database.db('orders').where({ partner_id: partner.id }).pluck('id');
    const order = await getOrder(t.database.db, id, { partnerId: partner.id });
    if (order === undefined) throw new Error('order not stored');
    return { partner, order };
  }

  it('stores an 855 before pushing it, and retries the partner endpoint with back-off until it answers', async () => {
    const { partner, order } = await partnerWithOrder('Pushed', 'PUSHBUYER', 'https://partner.example.com/edi/inbound');
    const received: string[] = [];
    const scope = nock('https://partner.example.com')
      .post('/edi/inbound')
      .reply(503, 'busy')
      .post('/edi/inbound')
      .reply(502)
      .post('/edi/inbound', (body) => {
        received.push(typeof body === 'string' ? body : JSON.stringify(body));
        return true;
      })
      .reply(200, 'thanks');
    const sent = await sendX12(t.database.db, partner.id, order.id, '855', acceptAll(order), push());
    expect(scope.isDone()).toBe(true);
    expect(sent).toMatchObject({ delivery: 'delivered', attempts: 3 });
    expect(received).toEqual([sent.body]);
    const segments = tokenize(sent.body).flatMap((e) => (e.kind === 'segment' ? [e.segment] : []));
    expect(segments.map((s) => s.tag)).toContain('BAK');
    expect(segments.find((s) => s.tag === 'BAK')?.elements[2]).toBe('PO-7001');
    // Our identity as sender, the partner's as receiver, the partner's 1st and 2nd control numbers (1 went to the 997).
    expect(segments[0]?.elements.slice(4, 8).map((v) => v.trim())).toEqual(['ZZ', 'ORDERGATE', 'ZZ', 'PUSHBUYER']);
    expect(sent.control).toEqual({ isaControlNumber: '000000002', gsControlNumber: '2', stControlNumber: '0001' });

    const docs = (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound&type=855', key: partner.key })).json().documents;
    expect(docs).toEqual([
      expect.objectContaining({ id: sent.documentId, orderId: order.id, delivery: { state: 'delivered', attempts: 3 } }),
    ]);
  });

  it('gives up on a refusal that will not pass (4xx) at once, and keeps the document to resend', async () => {
    const { partner, order } = await partnerWithOrder('Refusing', 'REFUSER', 'https://refuser.example.com/edi');
    const scope = nock('https://refuser.example.com').post('/edi').reply(400, 'bad envelope');
    const sent = await sendX12(t.database.db, partner.id, order.id, '855', acceptAll(order), push());
    expect(scope.isDone()).toBe(true);
    expect(sent).toMatchObject({ delivery: 'failed', attempts: 1 });
    const docs = (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound&type=855', key: partner.key })).json().documents;
    // The partner sees the class, not what its endpoint (or anything behind it) answered.
    expect(docs[0].delivery).toEqual({ state: 'failed', attempts: 1, lastError: 'HTTP 4xx' });
  });

  it('leaves documents in the mailbox of a partner without endpoint, control numbers never reused', async () => {
    const { partner, order } = await partnerWithOrder('Mailbox', 'MAILBUYER');
    const first = await sendX12(t.database.db, partner.id, order.id, '855', acceptAll(order), push());
    const second = await sendX12(t.database.db, partner.id, order.id, '855', acceptAll(order), push());
    expect([first.delivery, second.delivery]).toEqual(['mailbox', 'mailbox']);
    const docs = (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound', key: partner.key })).json().documents;
    expect(docs.map((d: { type: string; control: { isaControlNumber: string } }) => [d.type, d.control.isaControlNumber])).toEqual([
      ['997', '000000001'],
      ['855', '000000002'],
      ['855', '000000003'],
    ]);
  });

  it('pushes a document whose push after commit never happened, once its lease has run out', async () => {
    const { partner, order } = await partnerWithOrder('Crashed', 'CRASHBUYER', 'https://crashed.example.com/edi');
    const identity = await getPartnerX12(t.database.db, partner.id);
    if (identity === undefined) throw new Error('no identity');
    // Stored, then the process "dies": no push.
    const stored = await orderStore(t.database.db).transaction((tx) =>
      storeDocument(tx, x12Document(identityFor(identity), partner.id, order.id, '855', acceptAll(order)), identity.endpointUrl),
    );
    expect(await pushStuckDocuments(t.database.db, push())).toBe(0);
    await t.database
      .db('documents')
      .where({ id: stored.documentId })
      .update({ push_after: t.database.db.raw(`now() - interval '1 second'`) });
    const scope = nock('https://crashed.example.com').post('/edi', stored.body).reply(200, 'thanks');
    expect(await pushStuckDocuments(t.database.db, push())).toBe(1);
    expect(scope.isDone()).toBe(true);
    const docs = (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound&type=855', key: partner.key })).json().documents;
    expect(docs).toEqual([expect.objectContaining({ id: stored.documentId, delivery: { state: 'delivered', attempts: 1 } })]);
    expect(await pushStuckDocuments(t.database.db, push())).toBe(0);
  });
});
