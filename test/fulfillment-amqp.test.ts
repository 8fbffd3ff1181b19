import { readFileSync } from 'node:fs';
import { X12Parser } from 'node-x12';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../adapters/amqp/test-support.ts';
import { tokenize } from '../adapters/x12/tokenize.ts';
import { startAmqpGateway, type AmqpGateway } from './support/amqp-gateway.ts';
import type { TestApp } from './support/app.ts';
import { completePersonTasks, demoVendors } from './support/fulfillment.ts';

// The seed's internet bundle, end to end on the real RabbitMQ and PostgreSQL: requests published
// with confirms to each vendor's quorum queue, the simulated vendors' replies consumed from the
// gateway's reply queue, and the partner's documents in its own format.

const x12Bundle = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');
const cxmlBundle = readFileSync(new URL('../adapters/cxml/fixtures/composite-OrderRequest.xml', import.meta.url), 'utf8');

describe('fulfillment over RabbitMQ', () => {
  let gateway: AmqpGateway;
  let t: TestApp;
  beforeAll(async () => {
    gateway = await startAmqpGateway('e2e');
    t = gateway.t;
    await gateway.play(demoVendors);
  });
  afterAll(async () => gateway?.close());

  /** Waits for the vendors to finish, completes the person's task, waits for billing. */
  const fulfil = async (orderId: string, key: string) => {
    const tasks = async () =>
      (await t.request({ method: 'GET', url: `/v1/orders/${orderId}/tasks`, key })).json().tasks as { person: boolean; status: string }[];
    await waitUntil(
      'the vendors to finish their tasks',
      async () => (await tasks()).filter((task) => !task.person).every((task) => task.status === 'done'),
      20_000,
    );
    expect(await completePersonTasks(t, orderId, key)).toBe(1);
    const order = (await t.request({ method: 'GET', url: `/v1/orders/${orderId}`, key })).json();
    expect(order.status).toBe('ready_for_billing');
    const requests = await t.database.db('outbox').where({ correlation_id: orderId, type: 'fulfillment.request.v1' }).select('state');
    expect(requests.every((r: { state: string }) => r.state === 'sent')).toBe(true);
  };

  it('takes the seed bundle from an X12 850 to ready for billing, the 997, 855, 856s and 810 in the mailbox, each parsing cleanly', async () => {
    const acme = await t.partner('Acme', { x12: { qualifier: 'ZZ', id: 'ACMEBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' } });
    const res = await t.request({
      method: 'POST',
      url: '/v1/x12',
      key: acme.key,
      headers: { 'content-type': 'application/edi-x12' },
      payload: x12Bundle,
    });
    expect(res.statusCode).toBe(200);
    const [order] = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-7001', key: acme.key })).json().orders;
    await fulfil(order.id, acme.key);

    const docs = (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound', key: acme.key })).json().documents;
    expect(docs.map((d: { type: string }) => d.type)).toEqual(['997', '855', '856', '856', '810']);
    for (const doc of docs) {
      const body = (await t.request({ method: 'GET', url: `/v1/documents/${doc.id}`, key: acme.key })).body;
      expect(tokenize(body).filter((e) => e.kind === 'garbage')).toEqual([]);
      expect(() => new X12Parser(true).parse(body)).not.toThrow();
    }
    expect(gateway.log.has(/^error/)).toBe(false);
  });

  it('takes the same bundle from a cXML OrderRequest to ready for billing, with a ConfirmationRequest and a ShipNoticeRequest per shipment', async () => {
    const buyer = await t.partner('Buyer', {
      cxml: {
        fromDomain: 'NetworkID',
        fromIdentity: 'AN01000000001',
        sharedSecret: 's3cret-for-tests',
        // Ours in the buyer's network: the OrderRequest is addressed To it, our documents come From it.
        ourCredential: { domain: 'NetworkID', identity: 'AN09999999999', sharedSecret: 'our-secret-for-tests' },
      },
    });
    const res = await t.request({ method: 'POST', url: '/v1/cxml', headers: { 'content-type': 'text/xml' }, payload: cxmlBundle });
    expect(res.body).toContain('<Status code="200"');
    const [order] = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-9001', key: buyer.key })).json().orders;
    await fulfil(order.id, buyer.key);

    const docs = (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound', key: buyer.key })).json().documents;
    expect(docs.map((d: { type: string }) => d.type)).toEqual(['ConfirmationRequest', 'ShipNoticeRequest', 'ShipNoticeRequest']);
    const confirmation = (await t.request({ method: 'GET', url: `/v1/documents/${docs[0].id}`, key: buyer.key })).body;
    expect(confirmation).toContain('type="accept"');
    expect(confirmation).toContain('<From>\n      <Credential domain="NetworkID">\n        <Identity>AN09999999999</Identity>');
    const billing = await t.database.db('outbox').where({ correlation_id: order.id, type: 'order.ready-for-billing.v1' }).first('payload');
    expect(billing.payload.invoice.lines.length).toBeGreaterThan(0);
  });
});
