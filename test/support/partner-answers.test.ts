import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './app.ts';
import { answerMailboxes, completePersonTasks } from './fulfillment.ts';
import { partnerAnswers, partnerFindings } from './partner-answers.ts';

// The helper against a real gateway: the seed bundle, every line accepted whole, is answered as the
// partner expects; the answers come in the order sent, and only the order's own.

const bundle = readFileSync(new URL('../../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');

describe('partner answers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres');
  });
  afterAll(async () => t?.close());

  it("fetches an order's 855, 856s and 810 in the order sent, and finds nothing wrong in them", async () => {
    const acme = await t.partner('Acme', { x12: { qualifier: 'ZZ', id: 'ACMEBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' } });
    const post = (text: string) =>
      t.request({ method: 'POST', url: '/v1/x12', key: acme.key, headers: { 'content-type': 'application/edi-x12' }, payload: text });
    expect((await post(bundle)).statusCode).toBe(200);
    // A second order of the same partner, whose answers are not the first one's.
    expect((await post(bundle.replaceAll('000000101', '000000102').replace('PO-7001', 'PO-7002'))).statusCode).toBe(200);
    const orders = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-7001', key: acme.key })).json().orders;
    const orderId = orders[0].id as string;
    for (let round = 0; round < 5; round += 1) {
      const answered = await answerMailboxes(t);
      const completed = await completePersonTasks(t, orderId, acme.key);
      if (answered === 0 && completed === 0) break;
    }
    const answers = await partnerAnswers(t, acme.key, orderId);
    expect(answers.map((text) => /ST\*(\d{3})\*/.exec(text)?.[1])).toEqual(['855', '856', '856', '810']);
    expect(answers.every((text) => text.includes('PO-7001'))).toBe(true);
    expect(await partnerFindings(t, acme.key, orderId, bundle)).toEqual([]);
    // The checker is not blind to them: against another order's 850 every answer is wrong.
    expect((await partnerFindings(t, acme.key, orderId, bundle.replace('PO-7001', 'PO-7009'))).length).toBeGreaterThan(0);
  });
});
