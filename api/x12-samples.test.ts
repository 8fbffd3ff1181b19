import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { element, ISA, map850For, readX12 } from '../adapters/x12/index.ts';
import { tokenize } from '../adapters/x12/tokenize.ts';
import { startTestApp, type TestApp } from '../test/support/app.ts';

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

/**
 * Sets refused for a rule of the canonical order rather than of the standard, which item 1 does not
 * change: bots' fourth 850 orders a quantity of 0 on its PO1 9 (every channel refuses a line of zero).
 */
const refusedByTheDomain: Record<string, string[]> = {
  'samples/bots-850-004010.15.x12': ['AK2*850*0004', 'AK3*PO1*12**8', 'AK4*2**7*0', 'AK5*R*5'],
};

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
    const refused = refusedByTheDomain[file] ?? [];
    const setCount = answer.filter((s) => s[0] === 'AK2').length;
    expect(answer.filter((s) => s[0] === 'TA1' && s[4] !== 'A')).toEqual([]);
    expect(lines.filter((l) => !refused.includes(l)).every((l) => /^AK2\*|^(AK5|IK5)\*A$/.test(l))).toBe(true);
    expect(lines.filter((l) => refused.includes(l))).toEqual(refused);
    const accepted = setCount - (refused.length > 0 ? 1 : 0);
    const ak9 =
      refused.length === 0
        ? ['AK9', 'A', `${setCount}`, `${setCount}`, `${setCount}`]
        : ['AK9', 'P', `${setCount}`, `${setCount}`, `${accepted}`];
    expect(answer.filter((s) => s[0] === 'AK9')).toEqual([ak9]);

    // Stored: the orders the partner reads back are those of the accepted sets, line for line.
    const expected = interchanges.flatMap((i) => i.accepted.map((a) => a.value));
    expect(expected).toHaveLength(accepted);
    const listed = (await t.request({ method: 'GET', url: '/v1/orders?limit=100', key: partner.key })).json().orders;
    const view = (o: { externalRef: string; lines: unknown[] }) => [o.externalRef, o.lines.length];
    expect(listed.map(view).sort()).toEqual(expected.map(view).sort());
  });
});
