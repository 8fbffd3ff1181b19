import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { element, ISA, map850For, readX12 } from '../adapters/x12/index.ts';
import { tokenize } from '../adapters/x12/tokenize.ts';
import { adminKey, startTestApp, type TestApp } from '../test/support/app.ts';

// Every public 850 sample in the repository (adapters/x12/fixtures/MANIFEST.tsv), sent through
// POST /v1/x12 by a partner registered under the sample's own ISA sender and receiver, on real
// PostgreSQL: accepted with an accepting 997/999, and its orders stored (issue 11, item 1).

const fixtures = new URL('../adapters/x12/fixtures/', import.meta.url);
const samples850 = readFileSync(new URL('MANIFEST.tsv', fixtures), 'utf8')
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t'))
  .filter(([file, , , what]) => file?.startsWith('samples/') === true && / 850\b/.test(what ?? ''))
  .map(([file]) => file as string);

const segments = (text: string) => tokenize(text).flatMap((e) => (e.kind === 'segment' ? [[e.segment.tag, ...e.segment.elements]] : []));

describe('every public 850 sample through POST /v1/x12', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres');
  });
  afterAll(async () => t?.close());

  it('the manifest names the 850 samples', () => {
    expect(samples850).toEqual([
      'samples/bots-850-004010-08.x12',
      'samples/bots-850-004010.15.x12',
      'samples/bots-850-004030-03.x12',
      'samples/nodex12-850.edi',
      'samples/stedi-5010-850-input.edi',
    ]);
  });

  it.each(samples850)('%s: accepted with an accepting acknowledgment, its orders stored', async (file) => {
    const body = readFileSync(new URL(file, fixtures));
    const { interchanges } = readX12(body, { map: map850For('default') });
    const isa = interchanges[0]?.isa;
    if (isa === undefined) throw new Error(`${file} has no interchange`);
    const partner = await t.partner(file, {
      x12: {
        qualifier: element(isa, ISA.senderQualifier) ?? '',
        id: (element(isa, ISA.sender) ?? '').trim(),
        ourQualifier: element(isa, ISA.receiverQualifier) ?? '',
        ourId: (element(isa, ISA.receiver) ?? '').trim(),
      },
    });

    const res = await t.request({
      method: 'POST',
      url: '/v1/x12',
      key: partner.key,
      headers: { 'content-type': 'application/edi-x12' },
      payload: body,
    });
    expect(res.statusCode).toBe(200);
    const answer = segments(res.body);
    const lines = answer.filter((s) => /^(AK[2-5]|IK[3-5])$/.test(s[0] as string)).map((s) => s.join('*'));
    const setCount = answer.filter((s) => s[0] === 'AK2').length;
    expect(answer.filter((s) => s[0] === 'TA1' && s[4] !== 'A')).toEqual([]);
    expect(lines.filter((l) => !/^AK2\*|^(AK5|IK5)\*A$/.test(l))).toEqual([]);
    expect(answer.filter((s) => s[0] === 'AK9')).toEqual([['AK9', 'A', `${setCount}`, `${setCount}`, `${setCount}`]]);

    // Stored: the orders the partner reads back are those of the sets, line for line. An order
    // whose items the demo catalog does not know (or that orders 0 of a line) waits, held, its
    // lines named; none is failed.
    const expected = interchanges.flatMap((i) => i.accepted.map((a) => a.value));
    expect(expected).toHaveLength(setCount);
    const listed = (await t.request({ method: 'GET', url: '/v1/orders?limit=100', key: partner.key })).json().orders;
    const view = (o: { externalRef: string; lines: unknown[] }) => [o.externalRef, o.lines.length];
    expect(listed.map(view).sort()).toEqual(expected.map(view).sort());
    expect(listed.filter((o: { status: string }) => !['decomposed', 'held'].includes(o.status))).toEqual([]);
  });

  it("holds bots' order that asks for 0 of its PO1 9, naming the line, after an accepting 997", async () => {
    const listed = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=W1234567', key: adminKey })).json().orders;
    expect(listed.map((o: { status: string }) => o.status)).toEqual(['held']);
    const events = (await t.request({ method: 'GET', url: `/v1/orders/${listed[0].id}/events`, key: adminKey })).json().events;
    const held = events.find((e: { cause: string }) => e.cause === 'order.held');
    expect(held.detail.reason).toBe('unresolved-items and zero-quantity');
    expect(held.detail.lines.filter((l: { problem?: string }) => l.problem === 'zero-quantity')).toEqual([
      expect.objectContaining({ lineNumber: '9', detail: 'line 9: the quantity ordered is 0, so it is not clear what the partner wants' }),
    ]);
  });
});
