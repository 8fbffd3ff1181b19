import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalGate } from '../pipeline/approvals.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from './support/app.ts';
import { consoleSession } from './support/console-inject.ts';

// My work and the approval page as HTML: what the partner's text becomes on the page, who may
// decide, and a refusal told in the page rather than as an error.

const gate: ApprovalGate = async () => ({
  required: true,
  reasons: [{ code: 'total-at-least', policy: 'all', detail: 'every order <waits>' }],
  levels: [{ level: 1, name: 'sales', assignees: [{ role: 'sales-manager' }], mode: 'any', method: 'click' }],
});

describe('console: my work pages', () => {
  let t: TestApp;
  let approvalId = '';

  beforeAll(async () => {
    t = await startTestApp('postgres', { server: { approvals: { gate } } });
    const shop = await t.partner('Shop <&> Co');
    const res = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: shop.key,
      headers: { 'idempotency-key': 'xss' },
      payload: { ...sampleOrder, externalRef: '<script>alert(1)</script>' },
    });
    expect(res.statusCode, res.body).toBe(201);
    approvalId = (await t.request({ method: 'GET', url: `/v1/orders/${res.json().id}/approvals`, key: adminKey })).json().approvals[0].id;
  });
  afterAll(async () => t.close());

  const sessionOf = async (key: string): Promise<string> => (await consoleSession(t, key)).cookie;

  it("escapes the partner's text wherever a page shows it", async () => {
    const cookie = await sessionOf(adminKey);
    for (const url of ['/console/work', `/console/approvals/${approvalId}`]) {
      const page = await t.request({ method: 'GET', url, headers: { cookie } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page.body).not.toContain('<script>alert(1)');
      expect(page.body).not.toContain('<waits>');
    }
  });

  it('offers the decision only to a person; the admin sees the approval without the form', async () => {
    const cookie = await sessionOf(adminKey);
    const page = await t.request({ method: 'GET', url: `/console/approvals/${approvalId}`, headers: { cookie } });
    expect(page.body).not.toContain('/decision');
    expect(page.body).toContain('approvals are decided with a person');
  });

  it("tells a partner in the page that approvals are not theirs to open (the API's 403)", async () => {
    const other = await t.partner('Other');
    const cookie = await sessionOf(other.key);
    const page = await t.request({ method: 'GET', url: `/console/approvals/${approvalId}`, headers: { cookie } });
    expect(page.statusCode).toBe(403);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('for person or admin keys');
  });

  it('refuses a decision without the form token, and a person the level does not ask', async () => {
    const outsider = await t.request({ method: 'POST', url: '/v1/people', key: adminKey, payload: { name: 'Otto', roles: ['warehouse'] } });
    const key = (await t.request({ method: 'POST', url: `/v1/people/${outsider.json().id}/api-keys`, key: adminKey })).json().key;
    const cookie = await sessionOf(key);
    const form = (fields: Record<string, string>) => ({
      method: 'POST' as const,
      url: `/console/approvals/${approvalId}/decision`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
    expect((await t.request(form({ decision: 'approve' }))).statusCode).toBe(403);
    const page = await t.request({ method: 'GET', url: '/console/work', headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const decided = await t.request(form({ decision: 'approve', _csrf: csrf }));
    expect(decided.statusCode).toBe(303);
    const after = await t.request({
      method: 'GET',
      url: decided.headers.location as string,
      headers: { cookie: `${cookie}; ${String(decided.headers['set-cookie']).split(';')[0]}` },
    });
    expect(after.body).toContain('role="alert">level 1 (sales) is for role sales-manager');
    const approval = (await t.request({ method: 'GET', url: `/v1/approvals/${approvalId}`, key: adminKey })).json();
    expect(approval.status).toBe('pending');
  });
});
