import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repliesFor } from '../cli/vendor-sim/replies.ts';
import type { FulfillmentRequest } from '../domain/fulfillment-request.ts';
import type { VendorReply } from '../domain/vendor-reply.ts';
import { tokenize } from '../adapters/x12/tokenize.ts';
import { adminKey, startTestApp, type TestApp } from './support/app.ts';
import { completePersonTasks, demoVendors } from './support/fulfillment.ts';

// A strict retail partner's guide as partner data: registered through the API, then orders taken to
// billing with vendors that send cartons without SSCCs. Checked from the partner's side: its 856s and
// 810s parsed back, the SSCC check digit computed here by GS1's rule.

const bundle = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');
const prefix = '0614141';

const shipFrom = {
  name: 'Ordergate DC',
  idQualifier: 'UL',
  id: '0614141000012',
  address: { lines: ['200 Dock Rd'], city: 'Joliet', region: 'IL', postalCode: '60431', country: 'US' },
};
const remitTo = { name: 'Ordergate Receivables', idQualifier: '1', id: '123456789' };
const retailProfile = (sscc: 'require' | 'assign') => ({
  sscc,
  gs1CompanyPrefix: prefix,
  packagingCode: 'CTN25',
  shipFrom,
  remitTo,
  terms: { netDays: 30, discountPercent: 2, discountDays: 10 },
});

type Segments = string[][];
const segmentsOf = (text: string): Segments =>
  tokenize(text).flatMap((e) => (e.kind === 'segment' ? [[e.segment.tag, ...e.segment.elements]] : []));

/** GS1 General Specifications 7.9.1: weights 3, 1, 3, ... from the right; the check digit makes the sum a multiple of ten. */
function validSscc(value: string): boolean {
  if (!/^[0-9]{18}$/.test(value)) return false;
  const digits = [...value].map(Number);
  const check = digits.pop() as number;
  return (digits.reverse().reduce((sum, d, i) => sum + d * (i % 2 === 0 ? 3 : 1), 0) + check) % 10 === 0;
}

/** The SSCCs of the carton levels of an 856; fails when a carton has no MAN*GM. */
function cartonSsccs(segments: Segments): string[] {
  const starts = segments.flatMap((s, i) => (s[0] === 'HL' && s[3] === 'P' ? [i] : []));
  return starts.map((start) => {
    const end = segments.findIndex((s, i) => i > start && (s[0] === 'HL' || s[0] === 'CTT'));
    const man = segments.slice(start + 1, end).find((s) => s[0] === 'MAN' && s[1] === 'GM');
    expect(man, `carton at segment ${start} has MAN*GM`).toBeDefined();
    expect(man?.[2]).toMatch(/^00/);
    return (man?.[2] as string).slice(2);
  });
}

type Transform = (reply: VendorReply, shipNumber: number) => VendorReply;

/** The vendor's cartons as marks only, or one SSCC with its last digit wrong. */
const withoutSscc: Transform = (reply) =>
  reply.type !== 'fulfillment.ship.v1'
    ? reply
    : { ...reply, body: { ...reply.body, packages: reply.body.packages.map((p, i) => ({ marks: `CARTON ${i + 1}`, items: p.items })) } };
const wrongCheckDigit: Transform = (reply) =>
  reply.type !== 'fulfillment.ship.v1'
    ? reply
    : {
        ...reply,
        body: {
          ...reply.body,
          packages: reply.body.packages.map((p) => ({ ...p, sscc: `${p.sscc?.slice(0, 17)}${(Number(p.sscc?.[17]) + 1) % 10}` })),
        },
      };

describe("a retail partner's guide profile", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres');
  });
  afterAll(async () => t?.close());

  async function register(name: string, sender: string, profile: unknown) {
    const created = await t.request({
      method: 'POST',
      url: '/v1/partners',
      key: adminKey,
      payload: { name, x12: { qualifier: 'ZZ', id: sender, ourQualifier: 'ZZ', ourId: 'ORDERGATE', profile } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const partner = created.json();
    const key = (await t.request({ method: 'POST', url: `/v1/partners/${partner.id}/api-keys`, key: adminKey })).json().key as string;
    return { partner, key, sender };
  }

  /** The seed bundle (PO-7001) from this partner, under interchange/group control number `control`. */
  async function order(p: { key: string; sender: string }, control: number): Promise<string> {
    const x12 = bundle
      .replaceAll('ACMEBUYER      ', p.sender.padEnd(15))
      .replaceAll('ACMEBUYER', p.sender)
      .replaceAll('000000101', String(control).padStart(9, '0'))
      .replace('*101*X*', `*${control}*X*`)
      .replace('GE*1*101', `GE*1*${control}`);
    const res = await t.request({
      method: 'POST',
      url: '/v1/x12',
      key: p.key,
      headers: { 'content-type': 'application/edi-x12' },
      payload: x12,
    });
    expect(res.body).toContain('AK5*A~');
    const orders = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-7001', key: p.key })).json().orders as {
      id: string;
    }[];
    return (orders.at(-1) as { id: string }).id;
  }

  /**
   * Answers every request as the simulated vendors do, each ship reply first as `transform` makes it;
   * a refused one is sent again as the simulator wrote it. Returns the refusals.
   */
  async function drive(orders: { id: string; key: string }[], transform: Transform): Promise<string[]> {
    const refusals: string[] = [];
    let ships = 0;
    for (let round = 0; round < 10; round += 1) {
      let worked = 0;
      for (const vendorId of demoVendors) {
        const res = await t.request({ method: 'GET', url: `/v1/vendor/tasks?vendorId=${vendorId}`, key: adminKey });
        for (const message of (res.json().messages as { type: string; body: FulfillmentRequest }[]).filter(
          (m) => m.type === 'fulfillment.request.v1',
        )) {
          for (const { messageId, reply } of repliesFor(message.body)) {
            const post = (r: VendorReply) =>
              t.request({ method: 'POST', url: '/v1/vendor/replies', key: adminKey, payload: { messageId, type: r.type, body: r.body } });
            if (reply.type === 'fulfillment.ship.v1') ships += 1;
            let posted = await post(transform(reply, ships));
            if (posted.statusCode === 422) {
              refusals.push(posted.json().detail);
              posted = await post(reply);
            }
            expect(posted.statusCode, posted.body).toBe(200);
          }
          worked += 1;
        }
      }
      for (const o of orders) worked += await completePersonTasks(t, o.id, o.key);
      if (worked === 0) break;
    }
    return refusals;
  }

  async function outbound(key: string, orderId: string, type: string): Promise<Segments[]> {
    const docs = (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound', key })).json().documents as {
      id: string;
      type: string;
      orderId: string;
    }[];
    const bodies: Segments[] = [];
    for (const doc of docs.filter((d) => d.type === type && d.orderId === orderId))
      bodies.push(
        segmentsOf(
          (await t.request({ method: 'GET', url: `/v1/documents/${doc.id}`, key, headers: { accept: 'application/edi-x12' } })).body,
        ),
      );
    return bodies;
  }

  it('is stored with the partner, returned by GET, refused with the field named when incomplete, and removed with null', async () => {
    const { partner } = await register('Profiled', 'PROFILED', retailProfile('assign'));
    const got = (await t.request({ method: 'GET', url: `/v1/partners/${partner.id}`, key: adminKey })).json();
    expect(got.x12.profile).toEqual(retailProfile('assign'));

    const patch = (profile: unknown) =>
      t.request({ method: 'PATCH', url: `/v1/partners/${partner.id}`, key: adminKey, payload: { x12: { profile } } });
    const incomplete = await patch({
      sscc: 'assign',
      shipFrom: { name: 'DC', idQualifier: 'UL' },
      terms: { netDays: 30, discountPercent: 2 },
    });
    expect(incomplete.statusCode).toBe(400);
    expect(incomplete.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      '/x12/profile/gs1CompanyPrefix',
      '/x12/profile/shipFrom/id',
      '/x12/profile/terms/discountDays',
    ]);
    const malformed = await patch({ sscc: 'assign', gs1CompanyPrefix: '12AB', packagingCode: 'carton' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(
      expect.arrayContaining(['/x12/profile/gs1CompanyPrefix', '/x12/profile/packagingCode']),
    );
    // A refused change leaves the profile as it was.
    expect((await t.request({ method: 'GET', url: `/v1/partners/${partner.id}`, key: adminKey })).json().x12.profile).toEqual(
      retailProfile('assign'),
    );

    const other = await t.request({ method: 'PATCH', url: `/v1/partners/${partner.id}`, key: adminKey, payload: { name: 'Profiled Inc' } });
    expect(other.json().x12.profile).toEqual(retailProfile('assign'));
    const replaced = await patch({ sscc: 'require' });
    expect(replaced.json().x12.profile).toEqual({ sscc: 'require' });
    const removed = await patch(null);
    expect(removed.statusCode).toBe(200);
    expect(removed.json().x12).not.toHaveProperty('profile');
  });

  it('require: a ship reply with a carton without a valid SSCC is refused back to the vendor, and no 856 goes out bare', async () => {
    const p = await register('Strict Retail', 'STRICTRTL', retailProfile('require'));
    const orderId = await order(p, 201);
    const refusals = await drive([{ id: orderId, key: p.key }], (reply, n) => (n % 2 === 1 ? withoutSscc : wrongCheckDigit)(reply, n));
    expect(refusals.length).toBeGreaterThanOrEqual(2);
    expect(refusals[0]).toMatch(/^sscc-required: package 1 of shipment SH-\w+: the partner requires an SSCC-18 on every carton/);
    expect(refusals[1]).toMatch(/^sscc-invalid: package 1 of shipment SH-\w+: sscc is not a valid SSCC-18/);

    const stored = (await t.request({ method: 'GET', url: `/v1/orders/${orderId}`, key: p.key })).json();
    expect(stored.status).toBe('ready_for_billing');
    const asns = await outbound(p.key, orderId, '856');
    expect(asns.length).toBe(refusals.length);
    // Only the shipments sent again with their SSCCs were recorded.
    const recorded = await t.database.db('shipments').where({ order_id: orderId }).count('* as n').first();
    expect(Number(recorded?.n)).toBe(asns.length);
    for (const asn of asns) for (const sscc of cartonSsccs(asn)) expect(validSscc(sscc), sscc).toBe(true);
  });

  it('assign: cartons without an SSCC get one from the prefix, never one twice, even for two partners of one prefix', async () => {
    const first = await register('Assigned Retail', 'ASSIGNRTL', retailProfile('assign'));
    const second = await register('Assigned Too', 'ASSIGNTOO', retailProfile('assign'));
    const orders = [
      { id: await order(first, 301), key: first.key },
      { id: await order(second, 302), key: second.key },
    ];
    expect(await drive(orders, withoutSscc)).toEqual([]);

    const all: string[] = [];
    for (const o of orders) {
      const asns = await outbound(o.key, o.id, '856');
      expect(asns.length).toBeGreaterThan(0);
      const ssccs = asns.flatMap(cartonSsccs);
      for (const sscc of ssccs) {
        expect(validSscc(sscc), sscc).toBe(true);
        expect(sscc.slice(1, 1 + prefix.length)).toBe(prefix);
      }
      all.push(...ssccs);
      // The assignments are in the order's history, as the vendor needs them for its labels.
      const events = (await t.request({ method: 'GET', url: `/v1/orders/${o.id}/events`, key: o.key })).json().events as {
        cause: string;
        detail: { cartons: { sscc: string }[] };
      }[];
      const assigned = events.filter((e) => e.cause === 'shipment.sscc-assigned').flatMap((e) => e.detail.cartons.map((c) => c.sscc));
      expect(assigned.sort()).toEqual([...ssccs].sort());
      for (const asn of asns) {
        expect(asn.find((s) => s[0] === 'TD1')?.[1]).toBe('CTN25');
        expect(asn.find((s) => s[0] === 'N1' && s[1] === 'SF')).toEqual(['N1', 'SF', 'Ordergate DC', 'UL', '0614141000012']);
      }
    }
    expect(new Set(all).size).toBe(all.length);
  });

  it('assign: when the prefix has no serial left, the 856 is not written (never sent bare) and the history says why', async () => {
    const longPrefix = '061414112345';
    const p = await register('Used Up', 'USEDUPRTL', { sscc: 'assign', gs1CompanyPrefix: longPrefix });
    // Twelve digits of prefix leave four of serial: 9999 is the last.
    await t.database.db('sscc_serials').insert({ extension_digit: '0', company_prefix: longPrefix, last: 9999 });
    const orderId = await order(p, 501);
    expect(await drive([{ id: orderId, key: p.key }], withoutSscc)).toEqual([]);
    expect(await outbound(p.key, orderId, '856')).toEqual([]);
    const events = (await t.request({ method: 'GET', url: `/v1/orders/${orderId}/events`, key: p.key })).json().events as {
      cause: string;
      detail: { answer?: string; problems?: string };
    }[];
    const notWritten = events.filter((e) => e.cause === 'answer.not-written');
    expect(notWritten.length).toBeGreaterThan(0);
    for (const e of notWritten) {
      expect(e.detail.answer).toBe('shipment');
      expect(e.detail.problems).toContain(`the serial references of GS1 company prefix ${longPrefix} (extension digit 0) are used up`);
    }
  });

  it('856 and 810 name a bundle component by the SLN01 the partner sent; every invoice has a number of its own, with ITD and N1*RI', async () => {
    const p = await register('Invoiced Retail', 'INVRETAIL', retailProfile('assign'));
    // The same PO sent twice (a partner may reuse a PO number): two orders, two invoices.
    const orders = [
      { id: await order(p, 401), key: p.key },
      { id: await order(p, 402), key: p.key },
    ];
    expect(orders[0]?.id).not.toBe(orders[1]?.id);
    await drive(orders, withoutSscc);

    const numbers: string[] = [];
    for (const o of orders) {
      const [invoice, ...more] = await outbound(p.key, o.id, '810');
      expect(more).toEqual([]);
      const big = invoice?.find((s) => s[0] === 'BIG') as string[];
      expect(big[4]).toBe('PO-7001');
      expect(big[2]?.length).toBeLessThanOrEqual(22);
      numbers.push(big[2] as string);
      expect(invoice?.find((s) => s[0] === 'ITD')).toEqual(['ITD', '08', '3', '2', '', '10', '', '30']);
      expect(invoice?.find((s) => s[0] === 'N1' && s[1] === 'RI')).toEqual(['N1', 'RI', 'Ordergate Receivables', '1', '123456789']);

      // The partner's bundle is PO1 2 with SLN 1, 2, 3: a shipped component is LIN*<its SLN01>…*PL*2.
      const components = (await outbound(p.key, o.id, '856')).flatMap((asn) => asn.filter((s) => s[0] === 'LIN' && s.includes('PL')));
      expect(components.length).toBeGreaterThan(0);
      for (const lin of components) {
        expect(lin.at(-2)).toBe('PL');
        expect(lin.at(-1)).toBe('2');
        expect(['1', '2', '3']).toContain(lin[1]);
      }
    }
    expect(new Set(numbers).size).toBe(2);
  });
});
