import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, startTestApp, type TestApp } from '../test/support/app.ts';

// A partner's deadlines as the admin sets them: stored, shown, replaced, and refused with the field
// at fault when the duration, calendar or document cannot be a deadline.

const x12 = (id: string) => ({ qualifier: 'ZZ', id, ourQualifier: 'ZZ', ourId: 'ORDERGATE' });
const cxml = (identity: string) => ({ fromDomain: 'NetworkID', fromIdentity: identity, sharedSecret: 'secret-0001' });

describe('partner deadlines through the partners API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres');
  });
  afterAll(async () => t?.close());

  const admin = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.request({ method, url, key: adminKey, ...(payload === undefined ? {} : { payload }) });
  const problemAt = (res: { statusCode: number; json(): unknown }) => {
    expect(res.statusCode).toBe(400);
    const body = res.json() as { code: string; errors: { pointer: string; detail: string }[] };
    expect(body.code).toBe('invalid-request');
    return body.errors.map((e) => e.pointer);
  };

  const valid = [
    { document: '855', within: 'PT24H' },
    { document: '856', within: 'PT4H', calendar: 'office' },
  ];

  it('stores them at registration, shows them in GET and the list, replaces them whole with PATCH, [] removes them', async () => {
    const created = await admin('POST', '/v1/partners', { name: 'Timed Retail', x12: x12('TIMEDRETAIL'), deadlines: valid });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json() as { id: string };
    expect(created.json().deadlines).toEqual(valid);
    expect((await admin('GET', `/v1/partners/${id}`)).json().deadlines).toEqual(valid);
    expect((await admin('GET', '/v1/partners?q=Timed%20Retail')).json().partners[0].deadlines).toEqual(valid);

    const replaced = [{ document: '997', within: 'P1D' }];
    const patched = await admin('PATCH', `/v1/partners/${id}`, { deadlines: replaced });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().deadlines).toEqual(replaced);
    // A PATCH of something else leaves them as they are.
    expect((await admin('PATCH', `/v1/partners/${id}`, { trusted: true })).json().deadlines).toEqual(replaced);
    expect((await admin('PATCH', `/v1/partners/${id}`, { deadlines: [] })).json().deadlines).toEqual([]);
    // A new partner has none.
    expect((await admin('POST', '/v1/partners', { name: 'Untimed' })).json().deadlines).toEqual([]);
  });

  it('refuses a calendar that is not loaded, naming it, and stores nothing', async () => {
    const created = await admin('POST', '/v1/partners', { name: 'Calendar Typo', x12: x12('CALTYPO') });
    const { id } = created.json() as { id: string };
    const res = await admin('PATCH', `/v1/partners/${id}`, {
      deadlines: [valid[0], { document: '856', within: 'PT4H', calendar: 'ofice' }],
    });
    expect(problemAt(res)).toEqual(['/deadlines/1/calendar']);
    expect(res.json().errors[0].detail).toContain('office');
    expect((await admin('GET', `/v1/partners/${id}`)).json().deadlines).toEqual([]);
    const registering = await admin('POST', '/v1/partners', {
      name: 'Calendar Typo 2',
      deadlines: [{ document: '855', within: 'PT8H', calendar: 'warehouse' }],
    });
    expect(problemAt(registering)).toEqual(['/deadlines/0/calendar']);
  });

  it('refuses a duration the SLA rules do not take: weeks, seconds, zero, not a duration', async () => {
    const res = await admin('POST', '/v1/partners', {
      name: 'Bad Durations',
      x12: x12('BADDURATION'),
      deadlines: [
        { document: '855', within: 'P1W' },
        { document: '856', within: 'PT30S' },
        { document: '810', within: 'PT0H' },
        { document: '997', within: '24 hours' },
      ],
    });
    expect(problemAt(res)).toEqual(['/deadlines/0/within', '/deadlines/1/within', '/deadlines/2/within', '/deadlines/3/within']);
  });

  it('refuses a document that is not 855, 856, 810 or 997, and the same document twice', async () => {
    const unknown = await admin('POST', '/v1/partners', { name: 'Unknown Doc', deadlines: [{ document: '850', within: 'PT24H' }] });
    expect(problemAt(unknown)).toEqual(['/deadlines/0/document']);
    const twice = await admin('POST', '/v1/partners', {
      name: 'Twice',
      deadlines: [
        { document: '855', within: 'PT24H' },
        { document: '855', within: 'PT12H' },
      ],
    });
    expect(problemAt(twice)).toEqual(['/deadlines/1/document']);
  });

  it('refuses a 997 or 810 deadline for a partner answered only in cXML, and takes it once the partner has an X12 identity', async () => {
    const created = await admin('POST', '/v1/partners', { name: 'Cxml Only', cxml: cxml('AN01000000991') });
    const { id } = created.json() as { id: string };
    const refused = await admin('PATCH', `/v1/partners/${id}`, {
      deadlines: [
        { document: '855', within: 'PT24H' },
        { document: '997', within: 'PT24H' },
        { document: '810', within: 'P2D' },
      ],
    });
    expect(problemAt(refused)).toEqual(['/deadlines/1/document', '/deadlines/2/document']);
    const withX12 = await admin('PATCH', `/v1/partners/${id}`, {
      x12: x12('CXMLNOWX12'),
      deadlines: [{ document: '997', within: 'PT24H' }],
    });
    expect(withX12.statusCode, withX12.body).toBe(200);
    expect(withX12.json().deadlines).toEqual([{ document: '997', within: 'PT24H' }]);
  });
});
