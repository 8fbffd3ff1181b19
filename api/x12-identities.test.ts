import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenize } from '../adapters/x12/tokenize.ts';
import { answerMailboxes, completePersonTasks } from '../test/support/fulfillment.ts';
import { adminKey, startTestApp, type TestApp } from '../test/support/app.ts';

// A partner with several X12 identities: each pair (their ISA sender, our ISA receiver) is a
// partnership of its own. An interchange is taken on any of the partner's pairs, answered from the
// receiver it addressed to the sender it came from, numbered per pair (the same ISA13 or GS06/ST02
// on two pairs are two documents), and an order's own documents go back on the pair it came in on.
// A pair belongs to one partner.

const bundle = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');

type Party = { qualifier: string; id: string };
type Pair = { qualifier: string; id: string; ourQualifier: string; ourId: string };

const segments = (text: string) => tokenize(text).flatMap((e) => (e.kind === 'segment' ? [[e.segment.tag, ...e.segment.elements]] : []));
const find = (text: string, tag: string) => segments(text).filter((s) => s[0] === tag);
/** ISA05..08 of the first interchange in `text`, unpadded: [sender qualifier, sender, receiver qualifier, receiver]. */
const addressOf = (text: string) =>
  find(text, 'ISA')[0]
    ?.slice(5, 9)
    .map((v) => v.trim());

/** The bundle interchange from `from` to `to`, with its own ISA13 and PO number (GS06 101, ST02 0001 as in the fixture). */
function interchange(from: Party, to: Party, { isa13 = '000000101', po = 'PO-7001' } = {}): string {
  return bundle
    .replace(
      'ISA*00*          *00*          *ZZ*ACMEBUYER      *ZZ*ORDERGATE      *',
      `ISA*00*          *00*          *${from.qualifier}*${from.id.padEnd(15)}*${to.qualifier}*${to.id.padEnd(15)}*`,
    )
    .replace('GS*PO*ACMEBUYER*ORDERGATE*', `GS*PO*${from.id}*${to.id}*`)
    .replace(/\*000000101\*0\*P/, `*${isa13}*0*P`)
    .replace(/IEA\*1\*000000101/, `IEA*1*${isa13}`)
    .replace('PO-7001', po);
}

const sender = (pair: Pair): Party => ({ qualifier: pair.qualifier, id: pair.id });
const receiver = (pair: Pair): Party => ({ qualifier: pair.ourQualifier, id: pair.ourId });

describe('a partner with several X12 identities', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres');
  });
  afterAll(async () => t?.close());

  const admin = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.request({ method, url, key: adminKey, ...(payload === undefined ? {} : { payload }) });
  const send = (body: string, key: string) =>
    t.request({ method: 'POST', url: '/v1/x12', key, headers: { 'content-type': 'application/edi-x12' }, payload: body });

  /** Registered through the API, with a key of its own. */
  async function register(name: string, identities: Pair[]): Promise<{ id: string; key: string }> {
    const res = await admin('POST', '/v1/partners', { name, x12: { identities } });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().x12.identities).toEqual(identities);
    const { id } = res.json() as { id: string };
    const key = (await admin('POST', `/v1/partners/${id}/api-keys`)).json().key as string;
    return { id, key };
  }

  const ordersOf = async (key: string) =>
    (await t.request({ method: 'GET', url: '/v1/orders', key })).json().orders as { id: string; externalRef: string }[];

  it('takes an interchange from each of its sender ids, numbered per sender, and answers each back to the sender it came from', async () => {
    const pairs = [
      { qualifier: 'ZZ', id: 'MULTISEND-A', ourQualifier: 'ZZ', ourId: 'ORDERGATE' },
      { qualifier: '01', id: '123456789', ourQualifier: 'ZZ', ourId: 'ORDERGATE' },
    ];
    const partner = await register('Two Senders', pairs);
    // Each sender numbers its own interchanges: the same ISA13, GS06 and ST02 from both.
    const fromA = interchange(sender(pairs[0] as Pair), receiver(pairs[0] as Pair), { po: 'PO-SEND-A' });
    const fromB = interchange(sender(pairs[1] as Pair), receiver(pairs[1] as Pair), { po: 'PO-SEND-B' });
    const answerA = await send(fromA, partner.key);
    const answerB = await send(fromB, partner.key);
    for (const [answer, pair] of [
      [answerA, pairs[0]],
      [answerB, pairs[1]],
    ] as const) {
      expect(answer.statusCode, answer.body).toBe(200);
      expect(find(answer.body, 'TA1')).toEqual([]);
      expect(find(answer.body, 'AK5')).toEqual([['AK5', 'A']]);
      // From the receiver it addressed, to the sender it came from; the group likewise.
      expect(addressOf(answer.body)).toEqual(['ZZ', 'ORDERGATE', pair?.qualifier, pair?.id]);
      expect(find(answer.body, 'GS')[0]?.slice(2, 4)).toEqual(['ORDERGATE', pair?.id]);
    }

    const orders = await ordersOf(partner.key);
    expect(orders.map((o) => o.externalRef).sort()).toEqual(['PO-SEND-A', 'PO-SEND-B']);
    const inbound = (await t.request({ method: 'GET', url: '/v1/documents?direction=inbound&type=850', key: partner.key })).json()
      .documents as { control: Record<string, string> }[];
    expect(inbound.map((d) => [d.control.isaSender, d.control.isaReceiver])).toEqual([
      ['ZZ/MULTISEND-A', 'ZZ/ORDERGATE'],
      ['01/123456789', 'ZZ/ORDERGATE'],
    ]);

    // The same interchange again, from either sender: the first answer, nothing new.
    expect((await send(fromB, partner.key)).body).toBe(answerB.body);
    expect((await send(fromA, partner.key)).body).toBe(answerA.body);
    expect(await ordersOf(partner.key)).toHaveLength(2);
    // A sender of no pair of the partner's: refused as before, TA1 006.
    const stranger = await send(interchange({ qualifier: 'ZZ', id: 'STRANGER' }, receiver(pairs[0] as Pair)), partner.key);
    expect(find(stranger.body, 'TA1')[0]?.slice(4, 6)).toEqual(['R', '006']);
  });

  it('takes interchanges to each of our receiver ids paired with its sender, answering from that receiver', async () => {
    const pairs = [
      { qualifier: 'ZZ', id: 'TWODESKS', ourQualifier: 'ZZ', ourId: 'ORDERGATE' },
      { qualifier: 'ZZ', id: 'TWODESKS', ourQualifier: '12', ourId: '5551234567' },
    ];
    const partner = await register('Two Receivers', pairs);
    for (const [index, pair] of pairs.entries()) {
      const answer = await send(interchange(sender(pair), receiver(pair), { po: `PO-DESK-${index}` }), partner.key);
      expect(answer.statusCode, answer.body).toBe(200);
      expect(find(answer.body, 'AK5')).toEqual([['AK5', 'A']]);
      expect(addressOf(answer.body)).toEqual([pair.ourQualifier, pair.ourId, 'ZZ', 'TWODESKS']);
    }
    expect((await ordersOf(partner.key)).map((o) => o.externalRef).sort()).toEqual(['PO-DESK-0', 'PO-DESK-1']);
    // Its sender to a receiver of ours it is not paired with: refused as before, TA1 009, nothing stored.
    const elsewhere = await send(
      interchange(sender(pairs[0] as Pair), { qualifier: 'ZZ', id: 'ELSEWHERE' }, { po: 'PO-LOST' }),
      partner.key,
    );
    expect(find(elsewhere.body, 'TA1')[0]?.slice(4, 6)).toEqual(['R', '009']);
    expect(await ordersOf(partner.key)).toHaveLength(2);
  });

  it('gives a pair to one partner only: 409 naming the pair, while the same sender to another receiver of ours may be another partner', async () => {
    const held = { qualifier: 'ZZ', id: 'SHAREDSEND', ourQualifier: 'ZZ', ourId: 'ORDERGATE' };
    const otherDesk = { ...held, ourId: 'OTHERDESK' };
    const holder = await register('Pair Holder', [held]);
    // The same sender addressing another receiver of ours is another partnership: another partner may have it.
    const neighbour = await register('Pair Neighbour', [otherDesk]);

    const claimed = await admin('PATCH', `/v1/partners/${neighbour.id}`, { x12: { identities: [otherDesk, held] } });
    expect(claimed.statusCode).toBe(409);
    expect(claimed.headers['content-type']).toContain('application/problem+json');
    expect(claimed.json()).toMatchObject({ code: 'identity-in-use', errors: [{ in: 'body', pointer: '/x12/identities/1' }] });
    const registered = await admin('POST', '/v1/partners', { name: 'Pair Thief', x12: { identities: [held] } });
    expect(registered.statusCode).toBe(409);
    expect(registered.json()).toMatchObject({ code: 'identity-in-use', errors: [{ pointer: '/x12/identities/0' }] });
    // The single-pair shape names the id, as it always did.
    const flat = await admin('POST', '/v1/partners', { name: 'Pair Thief', x12: held });
    expect(flat.statusCode).toBe(409);
    expect(flat.json()).toMatchObject({ code: 'identity-in-use', errors: [{ pointer: '/x12/id' }] });
    expect((await admin('GET', '/v1/partners?q=Pair%20Thief')).json().partners).toEqual([]);
    // Both partners are found by the sender id they share.
    const found = (await admin('GET', '/v1/partners?q=SHAREDSEND')).json().partners as { id: string }[];
    expect(found.map((p) => p.id)).toEqual([holder.id, neighbour.id]);

    // Each partner's key sends on its own pair only.
    expect(find((await send(interchange(sender(held), receiver(held), { po: 'PO-HELD' }), holder.key)).body, 'AK5')).toEqual([
      ['AK5', 'A'],
    ]);
    const wrongDesk = await send(interchange(sender(held), receiver(held), { po: 'PO-NOT-MINE' }), neighbour.key);
    expect(find(wrongDesk.body, 'TA1')[0]?.slice(4, 6)).toEqual(['R', '009']);
    expect(await ordersOf(neighbour.key)).toEqual([]);
  });

  it('refuses a pair given twice, both shapes at once, and one flat pair for a partner with several (400)', async () => {
    const pair = { qualifier: 'ZZ', id: 'TWICEGIVEN', ourQualifier: 'ZZ', ourId: 'ORDERGATE' };
    const twice = await admin('POST', '/v1/partners', { name: 'Twice', x12: { identities: [pair, { ...pair }] } });
    expect(twice.statusCode).toBe(400);
    expect(twice.json()).toMatchObject({ code: 'invalid-request', errors: [{ pointer: '/x12/identities/1' }] });
    const both = await admin('POST', '/v1/partners', { name: 'Both', x12: { identities: [pair], ...pair } });
    expect(both.statusCode).toBe(400);
    expect(both.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      '/x12/qualifier',
      '/x12/id',
      '/x12/ourQualifier',
      '/x12/ourId',
    ]);
    const empty = await admin('POST', '/v1/partners', { name: 'Empty', x12: { identities: [] } });
    expect(empty.statusCode).toBe(400);

    const partner = await register('Several', [pair, { ...pair, ourId: 'SECONDDESK' }]);
    const flat = await admin('PATCH', `/v1/partners/${partner.id}`, { x12: { id: 'RENAMED' } });
    expect(flat.statusCode).toBe(400);
    expect(flat.json()).toMatchObject({ code: 'invalid-request', errors: [{ pointer: '/x12/identities' }] });
    // The whole list replaces the old one; the settings stay.
    const patched = await admin('PATCH', `/v1/partners/${partner.id}`, {
      x12: { identities: [{ ...pair, id: 'RENAMED' }], version: '005010' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().x12).toEqual({ identities: [{ ...pair, id: 'RENAMED' }], version: '005010', map: 'default' });
    // A settings-only change keeps the pairs.
    const mapped = await admin('PATCH', `/v1/partners/${partner.id}`, { x12: { map: 'known-parties' } });
    expect(mapped.json().x12).toEqual({ identities: [{ ...pair, id: 'RENAMED' }], version: '005010', map: 'known-parties' });
    // A partner without X12 gets it only with its pairs.
    const plain = await t.partner('No X12 Yet');
    const incomplete = await admin('PATCH', `/v1/partners/${plain.id}`, { x12: { version: '004010' } });
    expect(incomplete.statusCode).toBe(400);
    expect(incomplete.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/x12/identities']);
  });

  it('sends the 855, 856 and 810 of an order on the pair the order came in on, not the partner’s first', async () => {
    const pairs = [
      { qualifier: 'ZZ', id: 'ANSWERME', ourQualifier: 'ZZ', ourId: 'ORDERGATE' },
      { qualifier: '01', id: '987654321', ourQualifier: '12', ourId: '5550001111' },
    ];
    const partner = await register('Answered On Its Pair', pairs);
    const second = pairs[1] as Pair;
    const accepted = await send(interchange(sender(second), receiver(second), { po: 'PO-ON-PAIR-2' }), partner.key);
    expect(find(accepted.body, 'AK5')).toEqual([['AK5', 'A']]);

    const [order] = await ordersOf(partner.key);
    if (order === undefined) throw new Error('the order was not stored');
    for (let round = 0; round < 5; round += 1) {
      const answered = await answerMailboxes(t);
      const completed = await completePersonTasks(t, order.id, partner.key);
      if (answered === 0 && completed === 0) break;
    }
    const answers = (
      (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound', key: partner.key })).json().documents as {
        id: string;
        type: string;
      }[]
    ).filter((d) => d.type !== '997');
    expect(answers.map((d) => d.type)).toEqual(['855', '856', '856', '810']);
    for (const document of answers) {
      const body = (await t.request({ method: 'GET', url: `/v1/documents/${document.id}`, key: partner.key })).body;
      // From the receiver it addressed to the sender it came from, the group likewise.
      expect([document.type, addressOf(body)]).toEqual([document.type, ['12', '5550001111', '01', '987654321']]);
      expect(find(body, 'GS')[0]?.slice(2, 4)).toEqual(['5550001111', '987654321']);
    }
  });
});
