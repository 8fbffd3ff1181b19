import { readFileSync } from 'node:fs';
import type { E2eChannel, E2ePartner } from './e2e-channel.ts';
import { postJson } from './support.ts';

// bench:e2e's X12 channel: distinct 850 interchanges (the bundle fixture with its own ISA13/IEA02,
// GS06/GE02, ST02/SE02 and BEG03 each), POSTed to /v1/x12, each answered by a 997.

const fixture = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');

/** The identity of api/x12.test.ts: the fixture's ISA sender and receiver. */
const x12Identity = { qualifier: 'ZZ', id: 'ACMEBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' };

/** What interchange() replaces: ISA06 and GS02 (the sender), ISA13, IEA02, GS06, GE02, ST02, SE02, BEG03 of the fixture. */
const fields: [string, (n: number, sender: string) => string][] = [
  ['*ZZ*ACMEBUYER      *', (_n, sender) => `*ZZ*${sender.padEnd(15)}*`],
  ['GS*PO*ACMEBUYER*', (_n, sender) => `GS*PO*${sender}*`],
  ['*000000101*0*P*', (n) => `*${String(n).padStart(9, '0')}*0*P*`],
  ['IEA*1*000000101', (n) => `IEA*1*${String(n).padStart(9, '0')}`],
  ['*1200*101*X*', (n) => `*1200*${n}*X*`],
  ['GE*1*101', (n) => `GE*1*${n}`],
  ['ST*850*0001', (n) => `ST*850*${String(n).padStart(4, '0')}`],
  ['SE*17*0001', (n) => `SE*17*${String(n).padStart(4, '0')}`],
  ['BEG*00*SA*PO-7001*', (n) => `BEG*00*SA*PO-E2E-${n}*`],
];
for (const [text] of fields) {
  if (fixture.split(text).length !== 2)
    throw new Error(
      `adapters/x12/fixtures/850-bundle.x12 changed: bench/e2e-x12.ts finds "${text}" in it ${fixture.split(text).length - 1} times, not once`,
    );
}

/** Interchange n (1..999_999_999) from `sender` (ISA06): every control number and the PO number (BEG03, at most 22 characters) its own. */
function interchange(n: number, sender = x12Identity.id): string {
  let text = fixture;
  for (const [from, to] of fields) text = text.replace(from, to(n, sender));
  return text;
}

/**
 * Partner 0 is api/x12.test.ts's ACMEBUYER; others (only for --partners) are E2EBUYER<n> (their ISA06
 * and GS02), each with control-number counters of its own.
 */
async function createX12Partner(baseUrl: string, adminKey: string, index: number): Promise<E2ePartner> {
  const sender = index === 0 ? x12Identity.id : `E2EBUYER${index}`;
  const partner = await postJson<{ id: string }>(`${baseUrl}/v1/partners`, adminKey, {
    name: `E2E Bench Buyer ${index}`,
    x12: { ...x12Identity, id: sender },
  });
  const { key } = await postJson<{ key: string }>(`${baseUrl}/v1/partners/${partner.id}/api-keys`, adminKey, {});
  return { id: partner.id, key, post: (n) => ({ body: interchange(n, sender), key }) };
}

/** An accepting 997: the set accepted (AK5 A) and the group accepted (AK9 A). */
const accepting997 = (body: string): boolean => /AK5\*A~/.test(body) && /AK9\*A\*/.test(body);

export const x12Channel: E2eChannel = {
  name: 'x12',
  route: '/v1/x12',
  contentType: 'application/edi-x12',
  orders: 'X12 850s',
  document: '850',
  answer: '997',
  createPartner: createX12Partner,
  accepted: (result) => result.status === 200 && accepting997(result.body),
};
