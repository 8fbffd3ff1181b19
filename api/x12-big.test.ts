import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenize } from '../adapters/x12/tokenize.ts';
import { startTestApp, type TestApp } from '../test/support/app.ts';

// Issue 12, finding 3: an interchange of tens of thousands of small sets is acknowledged whole,
// and the server keeps answering others while it reads, stores and answers it.

const identity = { qualifier: 'ZZ', id: 'BIGBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' };
const sets = 60_000;
/** Every this many sets, one that is a whole order (stored, 600 in all); the rest lack their BEG (refused). */
const orderEvery = 100;
/** Far above what a turn of the event loop may take; far below the seconds a stalled loop takes. */
const healthzBoundMs = 1_500;

function bigInterchange(): string {
  const parts = [
    'ISA*00*          *00*          *ZZ*BIGBUYER       *ZZ*ORDERGATE      *261127*1200*U*00401*000000777*0*P*>~',
    'GS*PO*BIGBUYER*ORDERGATE*20261127*1200*777*X*004010~',
  ];
  for (let i = 1; i <= sets; i++) {
    const st02 = String(i).padStart(5, '0');
    if (i % orderEvery === 0)
      parts.push(
        `ST*850*${st02}~BEG*00*SA*PO-BIG-${i}**20261127~CUR*BY*USD~N1*ST*Acme DC*92*DC-01~N3*1 Main St~N4*Springfield*IL*62701*US~`,
        `PO1*1*2*EA*49.5**VN*MODEM-X1~CTT*1~SE*9*${st02}~`,
      );
    else parts.push(`ST*850*${st02}~SE*2*${st02}~`);
  }
  parts.push(`GE*${sets}*777~`, 'IEA*1*000000777~');
  return parts.join('');
}

describe('an X12 interchange of 60,000 sets', () => {
  let t: TestApp;
  let partner: { id: string; key: string };

  beforeAll(async () => {
    t = await startTestApp('postgres', { bodyLimitBytes: 16 * 1024 * 1024 });
    partner = await t.partner('Big buyer', { x12: identity });
  });
  afterAll(async () => t?.close());

  it('is acknowledged set by set while /healthz keeps answering', async () => {
    const body = bigInterchange();
    let done = false;
    const healthz: number[] = [];
    const probe = (async () => {
      while (!done) {
        const started = performance.now();
        const res = await t.request({ method: 'GET', url: '/healthz' });
        healthz.push(performance.now() - started);
        expect(res.statusCode).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const res = await t
      .request({ method: 'POST', url: '/v1/x12', key: partner.key, headers: { 'content-type': 'application/edi-x12' }, payload: body })
      .finally(() => {
        done = true;
      });
    await probe;

    expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
    const segments = tokenize(res.body).flatMap((e) => (e.kind === 'segment' ? [[e.segment.tag, ...e.segment.elements]] : []));
    const ak5 = segments.filter((s) => s[0] === 'AK5');
    expect(ak5).toHaveLength(sets);
    const accepted = sets / orderEvery;
    expect(ak5.filter((s) => s[1] === 'A')).toHaveLength(accepted);
    expect(segments.filter((s) => s[0] === 'AK2')).toHaveLength(sets);
    expect(segments.filter((s) => s[0] === 'AK9')).toEqual([['AK9', 'P', String(sets), String(sets), String(accepted)]]);
    // SE01 counts the 997's own segments.
    const se = segments.filter((s) => s[0] === 'SE');
    const st = segments.findIndex((s) => s[0] === 'ST');
    const seAt = segments.findIndex((s) => s[0] === 'SE');
    expect(se).toHaveLength(1);
    expect(Number(se[0]?.[1])).toBe(seAt - st + 1);

    const stored = await t.database.db('orders').where({ partner_id: partner.id }).count({ n: '*' });
    expect(Number(stored[0]?.n)).toBe(accepted);
    // Well within the bound even on a busy machine; a loop stalled by the whole interchange takes seconds.
    expect(healthz.length).toBeGreaterThan(0);
    expect(healthz.reduce((max, ms) => Math.max(max, ms), 0)).toBeLessThan(healthzBoundMs);
  }, 180_000);
});
