import { createHmac, generateKeyPairSync } from 'node:crypto';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docusignSender, type DocusignSettings } from '../adapters/esign/index.ts';
import { signatureRequestsJob } from '../app/jobs/signature-requests.ts';
import type { ApprovalLevel, ApprovalSummary } from '../domain/approval.ts';
import type { ApprovalGate, LevelNotice } from '../pipeline/approvals.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from './support/app.ts';
import { withoutNetwork } from './support/nock.ts';

// A signature level with the gateway's own decision use case: sales approves with a click, finance
// by signing the PDF in DocuSign; Connect's envelope-completed plans and sends the order, a declined
// envelope ends it. DocuSign is nock, shaped from its API reference.

const sales: ApprovalLevel = { level: 1, name: 'sales', assignees: [{ role: 'sales-manager' }], mode: 'any', method: 'click' };
const finance: ApprovalLevel = {
  level: 2,
  name: 'finance',
  assignees: [{ role: 'finance' }],
  mode: 'any',
  method: 'signature',
  signatureProvider: 'docusign',
};
const gate: ApprovalGate = async () => ({
  required: true,
  reasons: [{ code: 'total-at-least', policy: 'big-orders', detail: 'computed total is at least 50000' }],
  levels: [sales, finance],
});

const connectKey = 'connect-hmac-key-e2e-0123456789';
const docusign: DocusignSettings = {
  integrationKey: 'ik-e2e',
  userId: 'user-e2e',
  accountId: 'acct-e2e',
  basePath: 'https://demo.docusign.net/restapi',
  oauthHost: 'account-d.docusign.com',
  privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  connectHmacKeys: [connectKey],
};

describe('a signature level decided through DocuSign', () => {
  withoutNetwork();
  let t: TestApp;
  let shop: { id: string; key: string };
  let alice: string;
  /** What the level-start notice was given, kept to request the signature once the level's transaction is over. */
  const started: ApprovalSummary[] = [];
  const notice: LevelNotice = async (_tx, summary) => {
    started.push(summary);
  };

  beforeAll(async () => {
    t = await startTestApp('postgres', { server: { approvals: { gate, notice }, esign: { docusign } } });
    shop = await t.partner('Shop');
    for (const [name, role] of [
      ['alice', 'sales-manager'],
      ['fran', 'finance'],
    ] as const) {
      const person = await t.request({
        method: 'POST',
        url: '/v1/people',
        key: adminKey,
        payload: { name, email: `${name}@example.com`, roles: [role] },
      });
      expect(person.statusCode, person.body).toBe(201);
      if (name === 'alice') {
        const issued = await t.request({ method: 'POST', url: `/v1/people/${person.json().id}/api-keys`, key: adminKey });
        alice = issued.json().key;
      }
    }
  });
  afterAll(async () => t?.close());

  /** An order past its click level, waiting for finance's signature, and the envelope sent for it. */
  async function waitingForSignature(ref: string): Promise<{ orderId: string; approvalId: string; envelopeId: string }> {
    const order = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: shop.key,
      headers: { 'idempotency-key': ref },
      payload: { ...sampleOrder, externalRef: ref },
    });
    expect(order.json().status).toBe('pending_approval');
    const [approval] = (await t.request({ method: 'GET', url: `/v1/orders/${order.json().id}/approvals`, key: shop.key })).json().approvals;
    const clicked = await t.request({
      method: 'POST',
      url: `/v1/approvals/${approval.id}/decision`,
      key: alice,
      payload: { decision: 'approve' },
    });
    expect(clicked.statusCode, clicked.body).toBe(200);
    // A signature level's people get no links: the signature job asks the signer.
    expect(started.map((summary) => summary.level.level)).not.toContain(2);
    const waiting = (await t.request({ method: 'GET', url: `/v1/approvals/${approval.id}`, key: adminKey })).json();
    expect(waiting).toMatchObject({ status: 'pending', currentLevel: 2 });

    const envelopeId = `env-${ref}`;
    nock('https://account-d.docusign.com').post('/oauth/token').reply(200, { access_token: 'tok', token_type: 'Bearer', expires_in: 3600 });
    nock('https://demo.docusign.net')
      .post('/restapi/v2.1/accounts/acct-e2e/envelopes')
      .reply(201, { envelopeId, status: 'sent', statusDateTime: '2026-12-06T11:00:00Z', uri: `/envelopes/${envelopeId}` });
    // The level's request goes out from the job, after the level's transaction has committed; once.
    const job = signatureRequestsJob(t.deps.approvals.store, { db: t.database.db, senders: { docusign: docusignSender(docusign) } });
    await job.run();
    const envelopes = await t.database.db('signature_envelopes').where({ approval_id: approval.id }).select('envelope_id', 'level');
    expect(envelopes).toEqual([{ envelope_id: envelopeId, level: 2 }]);
    await job.run();
    expect(nock.pendingMocks()).toEqual([]);
    const history = (await t.request({ method: 'GET', url: `/v1/orders/${order.json().id}/events`, key: shop.key })).json().events;
    expect(history.filter((e: { cause: string }) => e.cause === 'approval.signature-requested')).toHaveLength(1);
    return { orderId: order.json().id, approvalId: approval.id, envelopeId };
  }

  const connect = (event: string, envelopeId: string) => {
    const body = JSON.stringify({
      event,
      apiVersion: 'v2.1',
      uri: `/restapi/v2.1/accounts/acct-e2e/envelopes/${envelopeId}`,
      retryCount: 0,
      configurationId: 1,
      generatedDateTime: '2026-12-06T11:30:00Z',
      data: { accountId: 'acct-e2e', userId: 'user-e2e', envelopeId },
    });
    return t.request({
      method: 'POST',
      url: '/v1/esign/docusign/connect',
      headers: {
        'content-type': 'application/json',
        'x-docusign-signature-1': createHmac('sha256', connectKey).update(body).digest('base64'),
      },
      payload: body,
    });
  };
  const statusOf = async (orderId: string) =>
    (await t.request({ method: 'GET', url: `/v1/orders/${orderId}`, key: shop.key })).json().status;

  it('plans and sends the order when the envelope is completed, once', async () => {
    const { orderId, approvalId, envelopeId } = await waitingForSignature('PO-SIGNED');
    expect(await statusOf(orderId)).toBe('pending_approval');
    const res = await connect('envelope-completed', envelopeId);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'decided', decision: { kind: 'decided', status: 'approved' } });
    expect(await statusOf(orderId)).toBe('decomposed');
    const requests = await t.database
      .db('outbox')
      .where({ correlation_id: orderId, type: 'fulfillment.request.v1' })
      .count('* as n')
      .first();
    expect(Number(requests?.n)).toBeGreaterThan(0);
    const decisions = await t.database.db('approval_decisions').where({ approval_id: approvalId }).orderBy('level');
    expect(decisions.map((d) => [d.level, d.via, d.provider, d.envelope_id])).toEqual([
      [1, 'api', null, null],
      [2, 'signature', 'docusign', envelopeId],
    ]);

    expect((await connect('envelope-completed', envelopeId)).json()).toMatchObject({ status: 'duplicate' });
    expect(await t.database.db('approval_decisions').where({ approval_id: approvalId })).toHaveLength(2);
  });

  it('ends the order when the signer declines', async () => {
    const { orderId, envelopeId } = await waitingForSignature('PO-DECLINED');
    const res = await connect('envelope-declined', envelopeId);
    expect(res.json()).toMatchObject({ status: 'decided', decision: { kind: 'decided', status: 'rejected' } });
    expect(await statusOf(orderId)).toBe('rejected');
  });
});
