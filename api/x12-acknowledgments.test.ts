import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderStore } from '../adapters/db/index.ts';
import { seg } from '../adapters/x12/index.ts';
import { x12Document } from '../adapters/x12/outbound/index.ts';
import { markOverdueAcknowledgments } from '../pipeline/acknowledgments.ts';
import { sendDocument } from '../pipeline/outbound.ts';
import { answerMailboxes } from '../test/support/fulfillment.ts';
import { adminKey, startTestApp, type TestApp } from '../test/support/app.ts';

// The partner's acknowledgments of our documents: a 997/999 or TA1 posted to /v1/x12 is matched to
// the 855/856/810 it is about and its verdict recorded there; it is never answered. A document
// whose acknowledgment does not come in time is marked overdue.

const bundle = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');
const acmeIdentity = { qualifier: 'ZZ', id: 'ACMEBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' };
const globexIdentity = { qualifier: 'ZZ', id: 'GLOBEX', ourQualifier: 'ZZ', ourId: 'ORDERGATE', version: '005010X231A1' };

type Identity = { qualifier: string; id: string };

/** An interchange from the partner to us holding `body` (segments after the ISA, before the IEA). */
function fromPartner(partner: Identity, isa13: string, body: string[], version = '00401'): string {
  const isa = [
    'ISA',
    '00',
    '          ',
    '00',
    '          ',
    partner.qualifier,
    partner.id.padEnd(15),
    'ZZ',
    'ORDERGATE'.padEnd(15),
    '261206',
    '0900',
    version === '00501' ? '^' : 'U',
    version,
    isa13,
    '0',
    'P',
    '>',
  ].join('*');
  return [isa, ...body, `IEA*${body.filter((s) => s.startsWith('GS*')).length}*${isa13}`].map((s) => `${s}~`).join('');
}

/** A 997 (or 999) group answering our group `gs06`, set `st02`, with the given set loop and AK9. */
function functionalAck(kind: '997' | '999', gs06: string, ackGs06: string, setLoop: string[], ak9: string): string[] {
  const set = [
    kind === '999' ? `ST*999*0001*005010X231A1` : 'ST*997*0001',
    `AK1*PR*${gs06}${kind === '999' ? '*005010X231A1' : ''}`,
    ...setLoop,
    ak9,
  ];
  return [
    `GS*FA*PARTNER*ORDERGATE*20261206*0900*${ackGs06}*X*${kind === '999' ? '005010X231A1' : '004010'}`,
    ...set,
    `SE*${set.length + 1}*0001`,
    `GE*1*${ackGs06}`,
  ];
}

describe('acknowledgments of our documents', () => {
  let t: TestApp;
  let acme: { id: string; key: string };
  let globex: { id: string; key: string };

  beforeAll(async () => {
    t = await startTestApp('postgres');
    acme = await t.partner('Acme', { x12: acmeIdentity });
    globex = await t.partner('Globex', { x12: globexIdentity });
  });
  afterAll(async () => t?.close());

  const post = (body: string, key = acme.key) =>
    t.request({ method: 'POST', url: '/v1/x12', key, headers: { 'content-type': 'application/edi-x12' }, payload: body });
  const summary = async (id: string, key = acme.key) =>
    (await t.request({ method: 'GET', url: `/v1/documents/${id}?view=summary`, key })).json();

  /** An 855 of ours to the partner, stored as the fulfillment path stores it. */
  async function our855(partnerId: string, identity: typeof acmeIdentity & { version?: string }) {
    const document = x12Document({ ...identity, version: identity.version ?? '004010' }, partnerId, null, '855', [
      seg('BAK', '00', 'AC', 'PO-X', '20261206'),
    ]);
    return sendDocument(t.deps.pipeline.store, document, undefined);
  }

  it('marks the 855 of an order accepted when the partner 997 accepts it, and answers the 997 with nothing', async () => {
    expect((await post(bundle)).statusCode).toBe(200);
    let ours: { id: string; control: Record<string, string>; acknowledgment?: { state: string | null; dueAt?: string } } | undefined;
    for (let round = 0; round < 5 && ours === undefined; round += 1) {
      await answerMailboxes(t);
      ours = (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound&type=855', key: acme.key })).json().documents[0];
    }
    expect(ours).toBeDefined();
    const sent = ours as NonNullable<typeof ours>;
    // Waiting for the partner, for a day.
    expect(sent.acknowledgment?.state).toBeNull();
    const due = new Date(sent.acknowledgment?.dueAt as string).getTime();
    expect(Math.abs(due - Date.now() - 24 * 3_600_000)).toBeLessThan(120_000);

    const answer = await post(
      fromPartner(
        acmeIdentity,
        '000000501',
        functionalAck('997', sent.control.gsControlNumber as string, '501', ['AK2*855*0001', 'AK5*A'], 'AK9*A*1*1*1'),
      ),
    );
    expect(answer.statusCode).toBe(202);
    expect(answer.body).toBe('');

    const after = await summary(sent.id);
    expect(after.acknowledgment).toMatchObject({
      state: 'accepted',
      detail: { kind: '997', group: { status: 'A' }, set: { status: 'A' } },
    });
    const inbound = (await t.request({ method: 'GET', url: '/v1/documents?direction=inbound&type=997', key: acme.key })).json().documents;
    expect(inbound.map((d: { id: string }) => d.id)).toEqual([after.acknowledgment.detail.inboundDocumentId]);
    // No 997 went back for the 997.
    const outbound997 = (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound&type=997', key: acme.key })).json()
      .documents;
    expect(outbound997).toHaveLength(1); // the one answering the 850
  });

  it('marks an 855 rejected with the AK3/AK4 details, and a second post of the same 997 changes nothing', async () => {
    const sent = await our855(acme.id, acmeIdentity);
    const reject = fromPartner(
      acmeIdentity,
      '000000502',
      functionalAck(
        '997',
        sent.control.gsControlNumber as string,
        '502',
        ['AK2*855*0001', 'AK3*BAK*2**8', 'AK4*3*324*7*PO-X', 'AK5*R*5'],
        'AK9*R*1*1*0',
      ),
    );
    const first = await post(reject);
    expect(first.statusCode).toBe(202);
    const after = await summary(sent.documentId);
    expect(after.acknowledgment).toMatchObject({
      state: 'rejected',
      detail: {
        kind: '997',
        group: { gsControlNumber: sent.control.gsControlNumber, status: 'R', counts: { included: 1, received: 1, accepted: 0 } },
        set: {
          setId: '855',
          stControlNumber: '0001',
          status: 'R',
          codes: ['5'],
          errors: [{ segment: 'BAK', position: '2', code: '8', elements: [{ position: '3', reference: '324', code: '7', value: 'PO-X' }] }],
        },
      },
    });
    const again = await post(reject);
    expect(again.statusCode).toBe(202);
    expect(await summary(sent.documentId)).toEqual(after);
    const inbound = (await t.request({ method: 'GET', url: '/v1/documents?direction=inbound&type=997', key: acme.key })).json().documents;
    expect(inbound.filter((d: { control: { isaControlNumber: string } }) => d.control.isaControlNumber === '000000502')).toHaveLength(1);
  });

  it('reads a 999 (IK3/IK4/IK5) from a 5010 partner', async () => {
    const sent = await our855(globex.id, globexIdentity);
    const res = await post(
      fromPartner(
        globexIdentity,
        '000000601',
        functionalAck(
          '999',
          sent.control.gsControlNumber as string,
          '601',
          ['AK2*855*0001*005010X231A1', 'IK3*BAK*2**8', 'IK4*4**8', 'IK5*E'],
          'AK9*E*1*1*1',
        ),
        '00501',
      ),
      globex.key,
    );
    expect(res.statusCode).toBe(202);
    expect((await summary(sent.documentId, globex.key)).acknowledgment).toMatchObject({
      state: 'accepted-with-errors',
      detail: { kind: '999', set: { status: 'E', errors: [{ segment: 'BAK', elements: [{ position: '4', code: '8' }] }] } },
    });
  });

  it('marks our interchange rejected by a TA1', async () => {
    const sent = await our855(acme.id, acmeIdentity);
    const res = await post(fromPartner(acmeIdentity, '000000503', [`TA1*${sent.control.isaControlNumber}*261206*0900*R*006`]));
    expect(res.statusCode).toBe(202);
    expect((await summary(sent.documentId)).acknowledgment).toMatchObject({
      state: 'rejected',
      detail: { kind: 'TA1', interchange: { isaControlNumber: sent.control.isaControlNumber, status: 'R', note: '006' } },
    });
  });

  it('matches each group of one acknowledgment interchange to its own document, leading zeros or not, among thousands that match none', async () => {
    const [first, second] = [await our855(acme.id, acmeIdentity), await our855(acme.id, acmeIdentity)];
    const gs06 = (sent: typeof first) => sent.control.gsControlNumber as string;
    const unmatched = Array.from({ length: 3_000 }, (_, i) =>
      functionalAck('997', String(900_000 + i), String(600 + i), [], 'AK9*A*1*1*1'),
    ).flat();
    const res = await post(
      fromPartner(acmeIdentity, '000000505', [
        ...functionalAck('997', gs06(first), '5051', ['AK2*855*0001', 'AK5*A'], 'AK9*A*1*1*1'),
        ...unmatched,
        ...functionalAck('997', `000${gs06(second)}`, '5052', ['AK2*855*0001', 'AK5*R*5'], 'AK9*R*1*1*0'),
        `TA1*${Number(second.control.isaControlNumber)}*261206*0900*A*000`,
      ]),
    );
    expect(res.statusCode).toBe(202);
    expect((await summary(first.documentId)).acknowledgment).toMatchObject({ state: 'accepted', detail: { kind: '997' } });
    // The TA1 after it accepts only the envelope: the 997's rejection stands.
    expect((await summary(second.documentId)).acknowledgment).toMatchObject({
      state: 'rejected',
      detail: { kind: '997', set: { status: 'R' } },
    });
  });

  it('stores an acknowledgment of no document of ours, answering nothing', async () => {
    const res = await post(fromPartner(acmeIdentity, '000000504', functionalAck('997', '987654', '504', [], 'AK9*A*1*1*1')));
    expect(res.statusCode).toBe(202);
    const inbound = (await t.request({ method: 'GET', url: '/v1/documents?direction=inbound&type=997', key: acme.key })).json().documents;
    expect(inbound.some((d: { control: { isaControlNumber: string } }) => d.control.isaControlNumber === '000000504')).toBe(true);
  });

  it('marks a document overdue after its due time, with its event and metric, and not before', async () => {
    const sent = await our855(acme.id, acmeIdentity);
    const store = orderStore(t.database.db);
    const dayLater = Date.now() + 24 * 3_600_000;
    const before = await markOverdueAcknowledgments(store, new Date(dayLater - 10 * 60_000));
    expect(before.marked.map((d) => d.id)).not.toContain(sent.documentId);
    expect((await summary(sent.documentId)).acknowledgment.state).toBeNull();

    const after = await markOverdueAcknowledgments(store, new Date(dayLater + 10 * 60_000));
    expect(after.marked.map((d) => d.id)).toContain(sent.documentId);
    expect((await summary(sent.documentId)).acknowledgment.state).toBe('overdue');
    // Acknowledged documents are not overdue.
    expect(after.marked.some((d) => d.ackState !== null && d.ackState !== 'overdue')).toBe(false);
    const event = await t.database
      .db('outbox')
      .where({ type: 'document.ack-overdue.v1' })
      .whereRaw(`payload->>'documentId' = ?`, [sent.documentId]);
    expect(event).toHaveLength(1);
    expect(event[0].payload).toMatchObject({ documentId: sent.documentId, partnerId: acme.id, type: '855' });
    // Once only.
    expect((await markOverdueAcknowledgments(store, new Date(dayLater + 20 * 60_000))).marked.map((d) => d.id)).not.toContain(
      sent.documentId,
    );
    const metrics = await t.request({ method: 'GET', url: '/metrics', key: adminKey });
    expect(metrics.body).toMatch(/ordergate_documents_ack_overdue\{type="855"\} [1-9]/);

    // On the order desk's list, once; off it when the 997 comes after all.
    const onList = await t.database.db('work_items').where({ kind: 'overdue-ack', source_id: sent.documentId });
    expect(onList).toHaveLength(1);
    expect(onList[0]).toMatchObject({ status: 'open', assigned_roles: ['order-desk'], partner_id: acme.id });
    const late = fromPartner(
      acmeIdentity,
      '000000509',
      functionalAck('997', sent.control.gsControlNumber as string, '509', ['AK2*855*0001', 'AK5*A'], 'AK9*A*1*1*1'),
    );
    expect((await post(late)).statusCode).toBe(202);
    expect(await t.database.db('work_items').where({ kind: 'overdue-ack', source_id: sent.documentId }).first('status', 'outcome')).toEqual(
      {
        status: 'done',
        outcome: 'acknowledged accepted',
      },
    );
  });
});
