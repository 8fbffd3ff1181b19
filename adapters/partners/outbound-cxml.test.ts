import nock from 'nock';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildConfirmationRequest,
  buildShipNoticeRequest,
  cxmlResponse,
  envelopeFor,
  sharedSecretPlaceholder,
  withSharedSecret,
  type ConfirmationInput,
} from '../cxml/index.ts';
import { getOrder, getPartnerCxml } from '../db/index.ts';
import type { StoredOrder } from '../../domain/order.ts';
import { withoutNetwork } from '../../test/support/nock.ts';
import { adminKey, startTestApp, type TestApp } from '../../test/support/app.ts';
import { sendCxml } from './index.ts';

const composite = readFileSync(new URL('../cxml/fixtures/composite-OrderRequest.xml', import.meta.url), 'utf8');
const fast = { retries: 4, minTimeoutMs: 5, maxTimeoutMs: 20, timeoutMs: 2_000 };
/** Ours in the buyers' network: the fixture's OrderRequests are addressed To it. */
const ourSecret = 'our-secret & <more>';
const ourCredential = { domain: 'NetworkID', identity: 'AN09999999999', sharedSecret: ourSecret };
/** As the gateway writes a document to store: the secret goes in only as it is sent. */
const us = { domain: 'NetworkID', identity: 'AN09999999999', userAgent: 'ordergate tests', sharedSecret: sharedSecretPlaceholder };
const xmlReply = { 'content-type': 'text/xml; charset=utf-8' };

/** 1 of 2 modems now and 1 backordered; the bundle and its components accepted. */
const answers = (order: StoredOrder): ConfirmationInput => ({
  order,
  lines: order.lines.map((l) =>
    l.lineNumber === '1'
      ? {
          lineNumber: '1',
          portions: [
            { status: 'accepted' as const, quantity: 1 },
            { status: 'backordered' as const, quantity: 1, deliveryDate: '2026-12-20' },
          ],
        }
      : { lineNumber: l.lineNumber, portions: [{ status: 'accepted' as const, quantity: l.quantity }] },
  ),
});

interface Doc {
  id: string;
  orderId: string;
  type: string;
  contentType: string;
  control: Record<string, string>;
  delivery: { state: string; attempts: number; lastError?: string };
}

describe('outbound cXML documents', () => {
  let t: TestApp;
  /** Pushes with quick retries, through the test app's outbound policy (https, no allow-list; nock answers). */
  const push = () => ({ retry: fast, outbound: t.deps.outbound.endpoints, secrets: t.deps.secrets });
  withoutNetwork();
  beforeAll(async () => {
    t = await startTestApp('postgres');
  });
  afterAll(async () => t?.close());

  /** A cXML partner whose composite OrderRequest came in through POST /v1/cxml. */
  async function partnerWithOrder(name: string, identity: string, confirmationUrl?: string) {
    const partner = await t.partner(name, {
      cxml: {
        fromDomain: 'NetworkID',
        fromIdentity: identity,
        sharedSecret: 's3cret-for-tests',
        ourCredential,
        ...(confirmationUrl === undefined ? {} : { confirmationUrl }),
      },
    });
    const res = await t.request({
      method: 'POST',
      url: '/v1/cxml',
      headers: { 'content-type': 'text/xml' },
      payload: composite.replaceAll('AN01000000001', identity),
    });
    expect(res.body).toContain('<Status code="200"');
    const [id] = await t.database.db('orders').where({ partner_id: partner.id }).pluck('id');
    const order = await getOrder(t.database.db, id, { partnerId: partner.id });
    const cxml = await getPartnerCxml(t.database.db, partner.id);
    if (order === undefined || cxml === undefined) throw new Error('order or identity not stored');
    return { partner, order, envelope: envelopeFor(cxml, us) };
  }

  async function confirmation(order: StoredOrder, envelope: ReturnType<typeof envelopeFor>): Promise<string> {
    const built = buildConfirmationRequest(answers(order), envelope);
    if (!built.ok) throw new Error(JSON.stringify(built.error));
    return built.value;
  }

  const outbound = async (key: string, type: string): Promise<Doc[]> =>
    (await t.request({ method: 'GET', url: `/v1/documents?direction=outbound&type=${type}`, key })).json().documents;

  it('stores a ConfirmationRequest before pushing it, and retries 503s with back-off until the partner answers cXML 200', async () => {
    const { partner, order, envelope } = await partnerWithOrder('Confirmed', 'AN01000000101', 'https://buyer.example.com/cxml/confirm');
    const xml = await confirmation(order, envelope);
    const received: string[] = [];
    const scope = nock('https://buyer.example.com')
      .post('/cxml/confirm')
      .reply(503, 'busy')
      .post('/cxml/confirm')
      .reply(503, 'still busy')
      .post('/cxml/confirm', (body) => {
        received.push(typeof body === 'string' ? body : JSON.stringify(body));
        return true;
      })
      .reply(200, cxmlResponse(200, 'confirmation received'), xmlReply);
    const sent = await sendCxml(t.database.db, partner.id, order.id, 'ConfirmationRequest', xml, push());
    expect(scope.isDone()).toBe(true);
    expect(sent).toMatchObject({ delivery: 'delivered', attempts: 3, body: xml });
    // Stored with the placeholder; sent with our secret in Sender, escaped as XML text.
    expect(sent.body).toContain(`<SharedSecret>${sharedSecretPlaceholder}</SharedSecret>`);
    expect(received).toEqual([withSharedSecret(sent.body, ourSecret)]);
    expect(received[0]).toContain('<SharedSecret>our-secret &amp; &lt;more&gt;</SharedSecret>');
    // The document refers to the order as it came in: the OrderRequest's payloadID, the bundle kept.
    expect(sent.body).toContain('<DocumentReference payloadID="1700000000.4711@buyer.example"/>');
    expect(sent.body).toContain('<ConfirmationItem quantity="1" lineNumber="3" parentLineNumber="2" itemType="item">');
    expect(sent.body).toContain('<To>\n      <Credential domain="NetworkID">\n        <Identity>AN01000000101</Identity>');

    const docs = await outbound(partner.key, 'ConfirmationRequest');
    const payloadId = /payloadID="([^"]+)"/.exec(xml)?.[1];
    expect(docs).toEqual([
      expect.objectContaining({
        id: sent.documentId,
        orderId: order.id,
        type: 'ConfirmationRequest',
        contentType: 'text/xml; charset=utf-8',
        control: { payloadId, cxmlStatus: '200', cxmlStatusText: 'OK' },
        delivery: { state: 'delivered', attempts: 3 },
      }),
    ]);
    const stored = await t.request({ method: 'GET', url: `/v1/documents/${sent.documentId}`, key: partner.key });
    expect(stored.body).toBe(sent.body);
    expect(stored.body).not.toContain('our-secret');
  });

  it('fails at once when the partner answers HTTP 200 with a cXML Status 400, and records that status', async () => {
    const { partner, order, envelope } = await partnerWithOrder('Refusing', 'AN01000000102', 'https://refuser.example.com/cxml');
    const scope = nock('https://refuser.example.com').post('/cxml').reply(200, cxmlResponse(400, 'unknown order PO-9001'), xmlReply);
    const sent = await sendCxml(t.database.db, partner.id, order.id, 'ConfirmationRequest', await confirmation(order, envelope), push());
    expect(scope.isDone()).toBe(true);
    expect(sent).toMatchObject({ delivery: 'failed', attempts: 1 });
    const [doc] = await outbound(partner.key, 'ConfirmationRequest');
    expect(doc?.delivery).toEqual({ state: 'failed', attempts: 1, lastError: 'cXML 400 Bad Request: unknown order PO-9001' });
    expect(doc?.control).toMatchObject({ cxmlStatus: '400', cxmlStatusText: 'Bad Request' });
  });

  it('retries a cXML Status 500 in an HTTP 200 like an HTTP 500, and sends a ShipNoticeRequest the same way', async () => {
    const { partner, order, envelope } = await partnerWithOrder('Shipped', 'AN01000000103', 'https://shipped.example.com/cxml');
    const built = buildShipNoticeRequest(
      order,
      {
        shipmentId: 'SHP-1',
        shippedAt: '2026-12-01T15:20:00Z',
        carrier: { scac: 'UPSN', name: 'UPS' },
        trackingNumber: '1Z999',
        packages: [{ items: order.lines.map((l) => ({ lineNumber: l.lineNumber, quantity: l.quantity, uom: l.uom })) }],
      },
      envelope,
    );
    if (!built.ok) throw new Error(JSON.stringify(built.error));
    const scope = nock('https://shipped.example.com')
      .post('/cxml')
      .reply(200, cxmlResponse(500, 'database restarting'), xmlReply)
      .post('/cxml')
      .reply(200, cxmlResponse(200, 'ok'), xmlReply);
    const sent = await sendCxml(t.database.db, partner.id, order.id, 'ShipNoticeRequest', built.value, push());
    expect(scope.isDone()).toBe(true);
    expect(sent).toMatchObject({ delivery: 'delivered', attempts: 2 });
    const [doc] = await outbound(partner.key, 'ShipNoticeRequest');
    expect(doc).toMatchObject({ type: 'ShipNoticeRequest', control: { cxmlStatus: '200' }, delivery: { state: 'delivered', attempts: 2 } });
  });

  it('leaves the document in the mailbox of a partner without confirmationUrl', async () => {
    const { partner, order, envelope } = await partnerWithOrder('Mailbox', 'AN01000000104');
    const sent = await sendCxml(t.database.db, partner.id, order.id, 'ConfirmationRequest', await confirmation(order, envelope), push());
    expect(sent).toMatchObject({ delivery: 'mailbox', attempts: 0 });
    const docs = await outbound(partner.key, 'ConfirmationRequest');
    expect(docs).toEqual([expect.objectContaining({ id: sent.documentId, delivery: { state: 'mailbox', attempts: 0 } })]);
  });

  it('sends nothing once the partnership has lost our credential: the push fails with the reason, the network is not called', async () => {
    const { partner, order, envelope } = await partnerWithOrder('Lost', 'AN01000000106', 'https://lost.example.com/cxml');
    const xml = await confirmation(order, envelope);
    const removed = await t.request({
      method: 'PATCH',
      url: `/v1/partners/${partner.id}`,
      key: adminKey,
      payload: { cxml: { ourCredential: null } },
    });
    expect(removed.statusCode, removed.body).toBe(200);
    const sent = await sendCxml(t.database.db, partner.id, order.id, 'ConfirmationRequest', xml, push());
    expect(sent).toMatchObject({ delivery: 'failed', attempts: 0 });
    const [doc] = await outbound(partner.key, 'ConfirmationRequest');
    expect(doc?.delivery).toEqual({
      state: 'failed',
      attempts: 0,
      lastError: 'not sent: the partner has no cXML credential of ours any more',
    });
  });

  it('refuses to send a document that is not the kind it is sent as', async () => {
    const { partner, order, envelope } = await partnerWithOrder('Mixup', 'AN01000000105');
    await expect(
      sendCxml(t.database.db, partner.id, order.id, 'ShipNoticeRequest', await confirmation(order, envelope), push()),
    ).rejects.toThrow('not a cXML ShipNoticeRequest');
  });
});
