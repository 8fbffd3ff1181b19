import { XMLParser } from 'fast-xml-parser';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repliesFor } from '../cli/vendor-sim/replies.ts';
import { createOutbound } from '../adapters/http/index.ts';
import type { FulfillmentRequest } from '../domain/fulfillment-request.ts';
import { adminKey, startTestApp, type TestApp } from './support/app.ts';
import { validateAgainstDtd } from './support/dtd.ts';
import { completePersonTasks, demoVendors } from './support/fulfillment.ts';

// A cXML partnership as a buyer's network sees it: the network knows us by an identity of its own
// (here NetworkID AN01000000001) and gave us a shared secret; it takes a ConfirmationRequest or
// ShipNoticeRequest only From that identity, To the buyer, with our secret in Sender, and valid
// against Fulfill.dtd; anything else is 401. The network is a real HTTP server on the loopback
// (the outbound policy allows plain http to 127.0.0.1 for this test only); the checks are written
// from cXML's Header rules, read with a generic XML parser, not with the gateway's own reader.

const composite = readFileSync(new URL('../adapters/cxml/fixtures/composite-OrderRequest.xml', import.meta.url), 'utf8');

/** Our identity in the buyer's network and the secret it issued us. */
const ours = { domain: 'NetworkID', identity: 'AN01000000001', sharedSecret: 'network-issued <secret> & more' };

interface Seen {
  path: string;
  body: string;
  status: number;
  why: string;
}

type Credential = { domain?: string; identity?: string; secret?: string };

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, processEntities: true });

/** The network's verdict on one document, by the cXML Header rules. */
function judge(body: string, buyer: string): { status: number; why: string } {
  const dtd = validateAgainstDtd(body, 'Fulfill.dtd');
  if (!dtd.valid) return { status: 400, why: `not valid against Fulfill.dtd: ${dtd.errors.join('; ')}` };
  const header = parser.parse(body).cXML.Header;
  const credential = (party: string): Credential => {
    const c = header[party]?.Credential;
    return { domain: c?.['@domain'], identity: c?.Identity, secret: c?.SharedSecret };
  };
  const from = credential('From');
  const to = credential('To');
  const sender = credential('Sender');
  if (from.domain !== ours.domain || from.identity !== ours.identity)
    return { status: 401, why: `From ${from.domain}/${from.identity} unknown` };
  if (to.domain !== 'NetworkID' || to.identity !== buyer) return { status: 401, why: `To ${to.domain}/${to.identity} is not ${buyer}` };
  if (sender.domain !== ours.domain || sender.identity !== ours.identity) return { status: 401, why: 'Sender is not From' };
  if (sender.secret !== ours.sharedSecret) return { status: 401, why: 'wrong or missing SharedSecret' };
  if (typeof header.Sender?.UserAgent !== 'string' || header.Sender.UserAgent === '') return { status: 401, why: 'no UserAgent' };
  return { status: 200, why: 'OK' };
}

const cxmlStatus = (status: number, why: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><cXML payloadID="net-${Date.now()}@network" timestamp="2026-12-06T10:00:00+00:00"><Response><Status code="${status}" text="${status === 200 ? 'OK' : 'Unauthorized'}">${why.replace(/[<&]/g, ' ')}</Status></Response></cXML>`;

describe('a cXML partnership: our credential in the buyer network', () => {
  let t: TestApp;
  let network: Server;
  let base = '';
  const seen: Seen[] = [];

  const admin = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.request({ method, url, key: adminKey, ...(payload === undefined ? {} : { payload }) });

  beforeAll(async () => {
    t = await startTestApp('postgres', {
      server: { outbound: createOutbound({ allowHttp: true, allowHosts: [], allowCidrs: ['127.0.0.1/32'], webhooksUseAllowList: false }) },
    });
    network = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        // The path names the buyer the network routes to: /buyer/AN...
        const buyer = decodeURIComponent((req.url ?? '').split('/')[2] ?? '');
        const { status, why } = judge(body, buyer);
        seen.push({ path: req.url ?? '', body, status, why });
        res.writeHead(status, { 'content-type': 'text/xml; charset=utf-8' }).end(cxmlStatus(status, why));
      });
    });
    await new Promise<void>((ready) => network.listen(0, '127.0.0.1', ready));
    base = `http://127.0.0.1:${(network.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((done) => network?.close(done));
    await t?.close();
  });

  /** A buyer registered through the admin API; `credential` is ours in its network, as the admin gives it. */
  async function register(
    name: string,
    buyer: string,
    credential?: object,
  ): Promise<{ id: string; key: string; body: Record<string, unknown> }> {
    const res = await admin('POST', '/v1/partners', {
      name,
      cxml: {
        fromDomain: 'NetworkID',
        fromIdentity: buyer,
        sharedSecret: `${buyer}-secret`,
        confirmationUrl: `${base}/buyer/${buyer}`,
        ...(credential === undefined ? {} : { ourCredential: credential }),
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const issued = await admin('POST', `/v1/partners/${res.json().id}/api-keys`);
    expect(issued.statusCode, issued.body).toBe(201);
    const key = issued.json().key as string;
    return { id: res.json().id, key, body: res.json() };
  }

  /** The composite OrderRequest from `buyer`, addressed to `to`. */
  const orderRequest = (buyer: string, payloadId: string, to = ours.identity, toDomain = 'NetworkID') =>
    t.request({
      method: 'POST',
      url: '/v1/cxml',
      headers: { 'content-type': 'text/xml' },
      // The buyer's identity first: ours is the fixture's From (AN01000000001).
      payload: composite
        .replaceAll('AN01000000001', buyer)
        .replace(
          '<To><Credential domain="NetworkID"><Identity>AN09999999999</Identity>',
          `<To><Credential domain="${toDomain}"><Identity>${to}</Identity>`,
        )
        .replaceAll('s3cret-for-tests', `${buyer}-secret`)
        .replace('1700000000.4711@buyer.example', payloadId),
    });

  /** The vendors answer every request (ship replies with `estimate`, when given), then the person's task is done. */
  async function fulfil(orderId: string, key: string, estimate?: string): Promise<void> {
    for (let round = 0; round < 10; round++) {
      let answered = 0;
      for (const vendorId of demoVendors) {
        const res = await admin('GET', `/v1/vendor/tasks?vendorId=${vendorId}`);
        for (const message of (res.json().messages as { type: string; body: FulfillmentRequest }[]).filter(
          (m) => m.type === 'fulfillment.request.v1',
        )) {
          for (const { messageId, reply } of repliesFor(message.body)) {
            const body =
              reply.type === 'fulfillment.ship.v1' && estimate !== undefined
                ? { ...reply.body, estimatedDeliveryDate: estimate }
                : reply.body;
            const posted = await admin('POST', '/v1/vendor/replies', { messageId, type: reply.type, body });
            expect(posted.statusCode, posted.body).toBe(200);
          }
          answered++;
        }
      }
      if (answered === 0) break;
    }
    expect(await completePersonTasks(t, orderId, key)).toBe(1);
  }

  const orderOf = async (key: string, externalRef = 'PO-9001') =>
    (await t.request({ method: 'GET', url: `/v1/orders?externalRef=${externalRef}`, key })).json().orders[0] as {
      id: string;
      status: string;
    };

  const outboundDocs = async (key: string) =>
    (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound', key })).json().documents as {
      id: string;
      type: string;
      delivery: { state: string; attempts: number; lastError?: string };
    }[];

  it('sends the ConfirmationRequest and ShipNoticeRequests From our credential with our secret, which the buyer network takes', async () => {
    const buyer = 'AN02000000001';
    const partner = await register('Network buyer', buyer, ours);
    // The secret is write-only: the answer and every read show our identity, never the secret.
    expect(partner.body.cxml).toEqual({
      fromDomain: 'NetworkID',
      fromIdentity: buyer,
      confirmationUrl: `${base}/buyer/${buyer}`,
      ourCredential: { domain: ours.domain, identity: ours.identity },
    });
    const read = await admin('GET', `/v1/partners/${partner.id}`);
    const listed = await admin('GET', `/v1/partners?q=${buyer}`);
    for (const body of [read.body, listed.body]) {
      expect(body).toContain(ours.identity);
      expect(body).not.toContain('network-issued');
    }
    // Sealed at rest: not in the partner's row in clear.
    const row = await t.database.db('partner_cxml').where({ partner_id: partner.id }).first();
    expect(JSON.stringify(row)).not.toContain('network-issued');
    expect(row.our_secret_sealed).toMatch(/^v1\./);

    const res = await orderRequest(buyer, 'net-1@buyer');
    expect(res.body).toContain('<Status code="200"');
    const order = await orderOf(partner.key);
    await fulfil(order.id, partner.key, '2026-12-09');

    const mine = seen.filter((s) => s.path === `/buyer/${buyer}`);
    expect(mine.map((s) => [s.status, s.why])).toEqual([
      [200, 'OK'],
      [200, 'OK'],
      [200, 'OK'],
    ]);
    const docs = await outboundDocs(partner.key);
    expect(docs.map((d) => [d.type, d.delivery.state])).toEqual([
      ['ConfirmationRequest', 'delivered'],
      ['ShipNoticeRequest', 'delivered'],
      ['ShipNoticeRequest', 'delivered'],
    ]);
    for (const { body } of mine) {
      const doc = parser.parse(body).cXML;
      const request = doc.Request.ConfirmationRequest ?? doc.Request.ShipNoticeRequest.ShipNoticePortion;
      // The OrderRequest's orderDate, time and zone as it came.
      expect(request.OrderReference['@orderDate']).toBe('2026-11-27T10:14:00-05:00');
      // The vendor's estimate as the DTD's required deliveryDate.
      if (doc.Request.ShipNoticeRequest !== undefined)
        expect(doc.Request.ShipNoticeRequest.ShipNoticeHeader['@deliveryDate']).toBe('2026-12-09T00:00:00+00:00');
    }
    // What is kept (and what the partner pulls) holds no secret: it goes in only as the document is sent.
    for (const doc of docs) {
      const stored = (await t.request({ method: 'GET', url: `/v1/documents/${doc.id}`, key: partner.key })).body;
      expect(stored).toContain('<SharedSecret>[redacted]</SharedSecret>');
      expect(stored).not.toContain('network-issued');
    }
    const bodies: Buffer[] = await t.database.db('documents').where({ partner_id: partner.id }).pluck('body');
    expect(bodies.length).toBe(4);
    expect(bodies.filter((b) => Buffer.from(b).toString('utf8').includes('network-issued'))).toEqual([]);
  });

  it('is refused by the buyer network (401) when our secret there is not the one it issued, and records that', async () => {
    const buyer = 'AN02000000002';
    const partner = await register('Wrong secret', buyer, { ...ours, sharedSecret: 'not-what-the-network-issued' });
    expect((await orderRequest(buyer, 'net-2@buyer')).body).toContain('<Status code="200"');
    const order = await orderOf(partner.key);
    await fulfil(order.id, partner.key);
    const mine = seen.filter((s) => s.path === `/buyer/${buyer}`);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((s) => s.status === 401 && s.why === 'wrong or missing SharedSecret')).toBe(true);
    const docs = await outboundDocs(partner.key);
    expect(docs[0]?.delivery).toMatchObject({ state: 'failed', attempts: 1 });
    // The network's 401, as the gateway records a refusal: by its status class.
    expect(docs[0]?.delivery.lastError).toBe('HTTP 4xx');

    // The admin sets the right secret: documents sent from then on are taken.
    const patched = await admin('PATCH', `/v1/partners/${partner.id}`, { cxml: { ourCredential: ours } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.body).not.toContain('network-issued');
  });

  it('writes no cXML document for a partner without our credential: the answer is noted in the order history, the order is taken', async () => {
    const buyer = 'AN02000000003';
    const partner = await register('No credential', buyer);
    expect(partner.body.cxml).not.toHaveProperty('ourCredential');
    // Nothing to check the To against: any To is taken, as before.
    expect((await orderRequest(buyer, 'net-3@buyer', 'SOMEONE-ELSE')).body).toContain('<Status code="200"');
    const order = await orderOf(partner.key);
    await fulfil(order.id, partner.key);
    expect(seen.filter((s) => s.path === `/buyer/${buyer}`)).toEqual([]);
    expect(await outboundDocs(partner.key)).toEqual([]);
    const events = (await t.request({ method: 'GET', url: `/v1/orders/${order.id}/events`, key: partner.key })).json().events as {
      cause: string;
      detail: { answer?: string; problems?: string };
    }[];
    const notWritten = events.filter((e) => e.cause === 'answer.not-written');
    expect(notWritten.map((e) => e.detail.answer)).toEqual(['acknowledgment', 'shipment', 'shipment']);
    expect(notWritten[0]?.detail.problems).toContain('no cXML credential of ours is set for this partner (cxml.ourCredential');
    expect((await orderOf(partner.key)).status).toBe('ready_for_billing');
  });

  it('refuses an OrderRequest not addressed to our credential with cXML 406 naming its To, and takes one in any case of domain', async () => {
    const buyer = 'AN02000000004';
    await register('Addressed', buyer, ours);
    const wrong = await orderRequest(buyer, 'net-4@buyer', 'AN09999999999');
    expect(wrong.statusCode).toBe(406);
    expect(wrong.body).toContain('<Status code="406" text="Not Acceptable">');
    expect(wrong.body).toContain(
      'Header/To NetworkID/AN09999999999 is not our credential with this sender: address the document to NetworkID/AN01000000001',
    );
    // Refused before it is stored: the same payloadID, addressed right, is a new order.
    const right = await orderRequest(buyer, 'net-4@buyer', ours.identity, 'networkid');
    expect(right.statusCode, right.body).toBe(200);
    // Who sends with a wrong secret does not learn our credential.
    const stranger = await t.request({
      method: 'POST',
      url: '/v1/cxml',
      headers: { 'content-type': 'text/xml' },
      payload: composite.replaceAll('AN01000000001', buyer).replace('1700000000.4711@buyer.example', 'net-5@buyer'),
    });
    expect(stranger.statusCode).toBe(401);
    expect(stranger.body).not.toContain(ours.identity);
  });

  it('validates our credential at registration and change with 400s naming the field, and removes it with null', async () => {
    const problem = async (cxml: object, id?: string) => {
      const res =
        id === undefined
          ? await admin('POST', '/v1/partners', {
              name: 'Bad',
              cxml: { fromDomain: 'NetworkID', fromIdentity: 'AN02000000009', sharedSecret: 'their-secret', ...cxml },
            })
          : await admin('PATCH', `/v1/partners/${id}`, { cxml });
      expect(res.statusCode, res.body).toBe(400);
      return (res.json().errors as { pointer: string }[]).map((e) => e.pointer);
    };
    expect(await problem({ ourCredential: { domain: 'NetworkID', identity: 'AN01' } })).toContain('/cxml/ourCredential/sharedSecret');
    expect(await problem({ ourCredential: { domain: 'NetworkID', identity: ' AN01', sharedSecret: 'x' } })).toContain(
      '/cxml/ourCredential/identity',
    );
    expect(await problem({ ourCredential: { domain: '', identity: 'AN01', sharedSecret: 'x' } })).toContain('/cxml/ourCredential/domain');
    expect(await problem({ ourCredential: { domain: 'NetworkID', identity: 'AN01', sharedSecret: 'a\u0001b' } })).toContain(
      '/cxml/ourCredential/sharedSecret',
    );
    expect(await problem({ ourCredential: { ...ours, secret: 'typo' } })).toContain('/cxml/ourCredential/secret');

    const partner = await register('Changing', 'AN02000000005', ours);
    expect(await problem({ ourCredential: { domain: 'NetworkID', identity: 'AN01' } }, partner.id)).toContain(
      '/cxml/ourCredential/sharedSecret',
    );
    const changed = await admin('PATCH', `/v1/partners/${partner.id}`, { cxml: { ourCredential: { ...ours, identity: 'AN01000000099' } } });
    expect(changed.json().cxml.ourCredential).toEqual({ domain: 'NetworkID', identity: 'AN01000000099' });
    // A change of the partner's own fields keeps ours.
    const renamed = await admin('PATCH', `/v1/partners/${partner.id}`, { cxml: { confirmationUrl: null } });
    expect(renamed.json().cxml.ourCredential).toEqual({ domain: 'NetworkID', identity: 'AN01000000099' });
    const removed = await admin('PATCH', `/v1/partners/${partner.id}`, { cxml: { ourCredential: null } });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json().cxml).not.toHaveProperty('ourCredential');
    const row = await t.database.db('partner_cxml').where({ partner_id: partner.id }).first();
    expect([row.our_domain, row.our_identity, row.our_secret_sealed]).toEqual([null, null, null]);
  });
});
