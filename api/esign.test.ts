import { createHmac, createPublicKey, generateKeyPairSync, randomUUID, verify } from 'node:crypto';
import nock from 'nock';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  acrobatSignSender,
  docusignSender,
  requestSignature,
  SignatureProviderUnavailable,
  type AcrobatSignSettings,
  type DocusignSettings,
} from '../adapters/esign/index.ts';
import { sampleSummary } from '../adapters/esign/test-support.ts';
import type { DecisionInput, DecisionResult } from '../domain/approval.ts';
import { sampleOrder, startTestApp, type TestApp } from '../test/support/app.ts';
import { withoutNetwork } from '../test/support/nock.ts';
import { pdfTextLines } from '../test/support/pdf.ts';

// From the providers' side: requests shaped as their API references describe them, callbacks
// signed (DocuSign Connect HMAC) or carrying the client id (Acrobat Sign) as they send them.

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const connectKey = 'connect-hmac-key-0123456789abcdef';
const docusign: DocusignSettings = {
  integrationKey: 'a1b2c3d4-0000-4000-8000-integration1',
  userId: 'f0e1d2c3-0000-4000-8000-user00000001',
  accountId: 'b7e6d5c4-0000-4000-8000-account00001',
  basePath: 'https://demo.docusign.net/restapi',
  oauthHost: 'account-d.docusign.com',
  privateKey,
  connectHmacKeys: ['old-key-being-rotated-out', connectKey],
};
const acrobat: AcrobatSignSettings = {
  baseUrl: 'https://api.na1.adobesign.com',
  clientId: 'CBJCHBCAABAAourClientId000',
  accessToken: '3AAABLblqZhB-integration-key',
};

/** The part of DocuSign's envelopeDefinition the tests read. */
interface EnvelopeDefinition {
  status: string;
  emailSubject: string;
  documents: { documentId: string; fileExtension: string; documentBase64: string }[];
  recipients: {
    signers: {
      recipientId: string;
      routingOrder: string;
      name: string;
      email: string;
      tabs: { signHereTabs: { anchorString: string }[] };
    }[];
  };
}

/** The approvals' decision use case as the callbacks see it: records each call, decides a pending approval once. */
function recordingDecide(t: () => TestApp) {
  const calls: DecisionInput[] = [];
  let failNext = false;
  const decide = async (input: DecisionInput): Promise<DecisionResult> => {
    calls.push(input);
    if (failNext) {
      failNext = false;
      throw new Error('database unavailable');
    }
    const db = t().database.db;
    const approval = await db('approvals').where({ id: input.approvalId }).first();
    if (approval === undefined) return { kind: 'not-found' };
    if (approval.status !== 'pending') return { kind: 'already-decided', status: approval.status };
    const status = input.decision === 'approve' ? 'approved' : 'rejected';
    await db('approvals').where({ id: input.approvalId }).update({ status, decided_at: db.fn.now() });
    return { kind: 'decided', status, orderStatus: status };
  };
  return { calls, decide, failOnce: () => (failNext = true) };
}

describe('signatures', () => {
  withoutNetwork();
  let t: TestApp;
  const recorder = recordingDecide(() => t);

  beforeAll(async () => {
    t = await startTestApp('postgres', { server: { esign: { docusign, acrobatSign: acrobat, decide: recorder.decide } } });
  });
  afterAll(async () => t?.close());
  beforeEach(() => {
    recorder.calls.length = 0;
  });

  /** An order waiting at a signature level, as the lead's flow leaves it. */
  async function pendingApproval(): Promise<string> {
    const partner = await t.partner(`Partner ${randomUUID()}`);
    const order = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: partner.key,
      headers: { 'idempotency-key': randomUUID() },
      payload: { ...sampleOrder, externalRef: `PO-${randomUUID()}` },
    });
    expect(order.statusCode, order.body).toBe(201);
    const id = randomUUID();
    await t.database.db('approvals').insert({
      id,
      order_id: order.json().id,
      partner_id: partner.id,
      status: 'pending',
      reasons: JSON.stringify([{ code: 'total-at-least', policy: 'demo', detail: 'big' }]),
      levels: JSON.stringify([{ level: 1, name: 'finance', assignees: [{ role: 'finance' }], mode: 'any', method: 'signature' }]),
      current_level: 1,
    });
    return id;
  }

  const signer = { name: 'Fran Finance', email: 'fran@example.com' };

  async function sentThroughDocusign(approvalId: string): Promise<string> {
    const envelopeId = randomUUID();
    nock('https://account-d.docusign.com')
      .post('/oauth/token')
      .reply(200, { access_token: 'ey-token', token_type: 'Bearer', expires_in: 3600 });
    nock('https://demo.docusign.net')
      .post(`/restapi/v2.1/accounts/${docusign.accountId}/envelopes`)
      .reply(201, { envelopeId, uri: `/envelopes/${envelopeId}`, statusDateTime: '2026-12-06T11:00:00.0000000Z', status: 'sent' });
    const sender = docusignSender(docusign);
    await requestSignature(
      { db: t.database.db, senders: { docusign: sender } },
      sampleSummary({ approvalId, level: { level: 1, name: 'finance', of: 1 } }),
      signer,
      'docusign',
    );
    return envelopeId;
  }

  describe('DocuSign: sending', () => {
    it('gets a token with a JWT assertion signed by our RSA key, then sends an envelope with the PDF, the signer and a sign-here tab', async () => {
      const approvalId = await pendingApproval();
      let grant: URLSearchParams | undefined;
      let envelope: EnvelopeDefinition | undefined;
      let authorization: string | undefined;
      nock('https://account-d.docusign.com')
        .post('/oauth/token')
        .reply(function (_uri, body) {
          expect(this.req.headers['content-type']).toContain('application/x-www-form-urlencoded');
          grant = new URLSearchParams(body as string);
          return [200, { access_token: 'eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2In0.token', token_type: 'Bearer', expires_in: 28800 }];
        });
      nock('https://demo.docusign.net')
        .post(`/restapi/v2.1/accounts/${docusign.accountId}/envelopes`)
        .reply(function (_uri, body) {
          authorization = this.req.headers.authorization as string;
          envelope = body as EnvelopeDefinition;
          return [
            201,
            {
              envelopeId: '93be49ab-0000-4000-8000-envelope0001',
              uri: '/envelopes/93be49ab',
              statusDateTime: '2026-12-06T11:00:00Z',
              status: 'sent',
            },
          ];
        });
      const { envelopeId } = await requestSignature(
        { db: t.database.db, senders: { docusign: docusignSender(docusign) } },
        sampleSummary({ approvalId }),
        signer,
        'docusign',
      );
      expect(envelopeId).toBe('93be49ab-0000-4000-8000-envelope0001');

      expect(grant?.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
      const [head, claims, signature] = (grant?.get('assertion') ?? '').split('.');
      expect(JSON.parse(Buffer.from(head!, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT' });
      expect(verify('sha256', Buffer.from(`${head}.${claims}`), createPublicKey(publicKey), Buffer.from(signature!, 'base64url'))).toBe(
        true,
      );
      const jwt = JSON.parse(Buffer.from(claims!, 'base64url').toString());
      expect(jwt).toMatchObject({
        iss: docusign.integrationKey,
        sub: docusign.userId,
        aud: 'account-d.docusign.com',
        scope: 'signature impersonation',
      });
      expect(jwt.exp - jwt.iat).toBe(3600);

      expect(authorization).toBe('Bearer eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2In0.token');
      expect(envelope?.status).toBe('sent');
      expect(envelope?.emailSubject).toContain('PO-77001');
      const [document] = envelope?.documents ?? [];
      expect(document).toMatchObject({ documentId: '1', fileExtension: 'pdf' });
      const pdf = Buffer.from(document!.documentBase64, 'base64');
      expect((await PDFDocument.load(pdf)).getTitle()).toBe('Order PO-77001 for approval');
      const [recipient] = envelope?.recipients.signers ?? [];
      expect(recipient).toMatchObject({ recipientId: '1', routingOrder: '1', name: 'Fran Finance', email: 'fran@example.com' });
      expect(recipient?.tabs.signHereTabs[0]?.anchorString).toBe('/ordergate-sign/');
      // The anchor is in the document, or DocuSign refuses the envelope (ANCHOR_TAB_STRING_NOT_FOUND).
      expect(await pdfTextLines(pdf)).toContain('/ordergate-sign/');

      const [row] = await t.database.db('signature_envelopes').where({ provider: 'docusign', envelope_id: envelopeId });
      expect(row).toMatchObject({ approval_id: approvalId, level: 2, status: 'sent' });
    });

    it('keeps the token while it lasts: a second envelope asks for no new grant', async () => {
      const sender = docusignSender(docusign);
      nock('https://account-d.docusign.com').post('/oauth/token').once().reply(200, { access_token: 'tok', expires_in: 3600 });
      nock('https://demo.docusign.net')
        .post(`/restapi/v2.1/accounts/${docusign.accountId}/envelopes`)
        .twice()
        .reply(201, () => ({ envelopeId: randomUUID(), status: 'sent' }));
      const request = { approvalId: 'a', level: 1, signer, subject: 's', pdf: Buffer.from('%PDF-1.3') };
      await sender.send(request);
      await sender.send(request);
      expect(nock.isDone()).toBe(true);
    });

    it('says what DocuSign answered when it refuses, and records no envelope', async () => {
      const approvalId = await pendingApproval();
      nock('https://account-d.docusign.com').post('/oauth/token').reply(400, { error: 'consent_required' });
      await expect(
        requestSignature(
          { db: t.database.db, senders: { docusign: docusignSender(docusign) } },
          sampleSummary({ approvalId }),
          signer,
          'docusign',
        ),
      ).rejects.toThrow('docusign: the JWT grant answered 400: {"error":"consent_required"}');
      expect(await t.database.db('signature_envelopes').where({ approval_id: approvalId })).toEqual([]);
    });

    it('refuses a provider that is not configured, naming the settings it needs', async () => {
      const promise = requestSignature({ db: t.database.db, senders: {} }, sampleSummary(), signer, 'acrobat-sign');
      await expect(promise).rejects.toBeInstanceOf(SignatureProviderUnavailable);
      await expect(promise).rejects.toThrow('signature provider acrobat-sign is not configured on this gateway: set ACROBAT_SIGN_BASE_URL');
    });
  });

  describe('DocuSign: Connect callbacks', () => {
    /** Signed as DocuSign signs with our key, unless told which signature to send (null: none). */
    const connect = (body: string, signature: string | null = createHmac('sha256', connectKey).update(body).digest('base64')) =>
      t.request({
        method: 'POST',
        url: '/v1/esign/docusign/connect',
        headers: {
          'content-type': 'application/json',
          'x-authorization-digest': 'HMACSHA256',
          'x-docusign-signature-format': 'X-DocuSign-Signature-1',
          ...(signature === null ? {} : { 'x-docusign-signature-1': signature }),
        },
        payload: body,
      });
    /** A Connect 2.0 JSON (SIM) message. */
    const message = (event: string, envelopeId: string) =>
      JSON.stringify({
        event,
        apiVersion: 'v2.1',
        uri: `/restapi/v2.1/accounts/${docusign.accountId}/envelopes/${envelopeId}`,
        retryCount: 0,
        configurationId: 10987,
        generatedDateTime: '2026-12-06T11:05:13.1234567Z',
        data: { accountId: docusign.accountId, userId: docusign.userId, envelopeId },
      });

    it('approves the level when the envelope is completed, once: the same message again changes nothing', async () => {
      const approvalId = await pendingApproval();
      const envelopeId = await sentThroughDocusign(approvalId);
      const body = message('envelope-completed', envelopeId);
      const first = await connect(body);
      expect(first.statusCode).toBe(200);
      expect(first.json()).toMatchObject({ status: 'decided', outcome: 'approved', envelopeId });
      expect(recorder.calls).toEqual([{ approvalId, decision: 'approve', via: 'signature', by: { provider: 'docusign', envelopeId } }]);

      const again = await connect(body);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ status: 'duplicate' });
      expect(recorder.calls).toHaveLength(1);
      expect(await t.database.db('signature_events').where({ provider: 'docusign', envelope_id: envelopeId })).toHaveLength(1);
      expect((await t.database.db('signature_envelopes').where({ envelope_id: envelopeId }).first()).status).toBe('approved');
    });

    it.each(['envelope-declined', 'envelope-voided'])('rejects the level on %s, with a comment saying why', async (event) => {
      const approvalId = await pendingApproval();
      const envelopeId = await sentThroughDocusign(approvalId);
      expect((await connect(message(event, envelopeId))).json()).toMatchObject({ status: 'decided', outcome: 'rejected' });
      expect(recorder.calls).toEqual([
        {
          approvalId,
          decision: 'reject',
          comment: `DocuSign envelope ${envelopeId}: ${event}`,
          via: 'signature',
          by: { provider: 'docusign', envelopeId },
        },
      ]);
    });

    it('records events that decide nothing (sent, delivered) without deciding', async () => {
      const envelopeId = await sentThroughDocusign(await pendingApproval());
      for (const event of ['envelope-sent', 'envelope-delivered', 'recipient-completed'])
        expect((await connect(message(event, envelopeId))).json()).toMatchObject({ status: 'recorded', outcome: 'pending' });
      expect(recorder.calls).toEqual([]);
    });

    it('refuses a wrong or missing signature, and one made with a key we do not hold', async () => {
      const envelopeId = await sentThroughDocusign(await pendingApproval());
      const body = message('envelope-completed', envelopeId);
      for (const signature of [
        createHmac('sha256', connectKey).update(`${body} `).digest('base64'),
        createHmac('sha256', 'someone-elses-key').update(body).digest('base64'),
        'not-base64!!',
        null,
      ]) {
        const res = await connect(body, signature);
        expect(res.statusCode, res.body).toBe(401);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json().code).toBe('webhook-unauthenticated');
      }
      expect(recorder.calls).toEqual([]);
      expect(await t.database.db('signature_events').where({ envelope_id: envelopeId })).toEqual([]);
    });

    it('takes a message signed with a second active key (rotation: one header per key)', async () => {
      const envelopeId = await sentThroughDocusign(await pendingApproval());
      const body = message('envelope-sent', envelopeId);
      const res = await t.request({
        method: 'POST',
        url: '/v1/esign/docusign/connect',
        headers: {
          'content-type': 'application/json',
          'x-docusign-signature-1': createHmac('sha256', 'a-key-we-never-had').update(body).digest('base64'),
          'x-docusign-signature-2': createHmac('sha256', connectKey).update(body).digest('base64'),
        },
        payload: body,
      });
      expect(res.statusCode).toBe(200);
    });

    it('refuses an envelope this gateway did not send, as problem+json, and records nothing', async () => {
      const envelopeId = randomUUID();
      const res = await connect(message('envelope-completed', envelopeId));
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'not-found', detail: `no DocuSign envelope ${envelopeId} was sent by this gateway` });
      expect(recorder.calls).toEqual([]);
      expect(await t.database.db('signature_events').where({ envelope_id: envelopeId })).toEqual([]);
    });

    it('leaves the event unclaimed when the decision fails, so that the retry decides', async () => {
      const approvalId = await pendingApproval();
      const envelopeId = await sentThroughDocusign(approvalId);
      const body = message('envelope-completed', envelopeId);
      recorder.failOnce();
      expect((await connect(body)).statusCode).toBe(500);
      const retry = await connect(body);
      expect(retry.json()).toMatchObject({ status: 'decided' });
      expect(recorder.calls).toHaveLength(2);
      expect((await t.database.db('approvals').where({ id: approvalId }).first()).status).toBe('approved');
    });

    it('does not let an envelope of a level already passed decide the level deciding now', async () => {
      const approvalId = await pendingApproval();
      const envelopeId = await sentThroughDocusign(approvalId);
      await t.database.db('approvals').where({ id: approvalId }).update({ current_level: 2 });
      expect((await connect(message('envelope-completed', envelopeId))).json()).toMatchObject({ status: 'stale' });
      expect(recorder.calls).toEqual([]);
    });
  });

  describe('Acrobat Sign: sending', () => {
    it('uploads the PDF as a transient document, then creates an agreement in process for the signer', async () => {
      const approvalId = await pendingApproval();
      let upload: string | undefined;
      let agreement: Record<string, unknown> | undefined;
      const headers: Record<string, unknown> = {};
      nock(acrobat.baseUrl)
        .post('/api/rest/v6/transientDocuments')
        .reply(function (_uri, body) {
          headers.upload = this.req.headers;
          upload = Buffer.from(body as string, 'hex').toString('latin1');
          return [201, { transientDocumentId: '3AAABLblqZhA-transient-0001' }];
        });
      nock(acrobat.baseUrl)
        .post('/api/rest/v6/agreements')
        .reply(function (_uri, body) {
          headers.agreement = this.req.headers;
          agreement = body as Record<string, unknown>;
          return [201, { id: 'CBJCHBCAABAA-agreement-0001' }];
        });
      const { envelopeId } = await requestSignature(
        { db: t.database.db, senders: { 'acrobat-sign': acrobatSignSender(acrobat) } },
        sampleSummary({ approvalId }),
        signer,
        'acrobat-sign',
      );
      expect(envelopeId).toBe('CBJCHBCAABAA-agreement-0001');

      const uploadHeaders = headers.upload as Record<string, string>;
      expect(uploadHeaders.authorization).toBe(`Bearer ${acrobat.accessToken}`);
      expect(uploadHeaders['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      expect(upload).toMatch(/name="File-Name"\r\n\r\n[^\r]*\.pdf\r\n/);
      expect(upload).toMatch(/name="Mime-Type"\r\n\r\napplication\/pdf\r\n/);
      expect(upload).toMatch(/name="File"; filename="[^"]+\.pdf"\r\nContent-Type: application\/pdf\r\n\r\n%PDF-/);
      // The whole PDF, with the text tag where Acrobat Sign puts the signature field.
      const pdf = Buffer.from(upload!.slice(upload!.indexOf('%PDF-'), upload!.lastIndexOf('%%EOF') + 5), 'latin1');
      expect((await PDFDocument.load(pdf)).getTitle()).toBe('Order PO-77001 for approval');
      expect(await pdfTextLines(pdf)).toContain('{{Sig_es_:signer1:signature}}');

      expect((headers.agreement as Record<string, string>).authorization).toBe(`Bearer ${acrobat.accessToken}`);
      expect(agreement).toMatchObject({
        fileInfos: [{ transientDocumentId: '3AAABLblqZhA-transient-0001' }],
        participantSetsInfo: [{ order: 1, role: 'SIGNER', memberInfos: [{ email: 'fran@example.com' }] }],
        signatureType: 'ESIGN',
        state: 'IN_PROCESS',
      });
      expect(agreement?.name).toContain('PO-77001');
      const [row] = await t.database.db('signature_envelopes').where({ provider: 'acrobat-sign', envelope_id: envelopeId });
      expect(row).toMatchObject({ approval_id: approvalId, status: 'sent' });
    });

    it('gets an access token with the refresh token when no access token is configured', async () => {
      const { accessToken: _none, ...rest } = acrobat;
      const sender = acrobatSignSender({ ...rest, refresh: { clientSecret: 'shh-secret', refreshToken: '3AAABrefresh' } });
      let grant: URLSearchParams | undefined;
      nock(acrobat.baseUrl)
        .post('/oauth/v2/refresh')
        .reply((_uri, body) => {
          grant = new URLSearchParams(body as string);
          return [200, { access_token: '3AAABfresh', token_type: 'Bearer', expires_in: 3600 }];
        });
      nock(acrobat.baseUrl, { reqheaders: { authorization: 'Bearer 3AAABfresh' } })
        .post('/api/rest/v6/transientDocuments')
        .reply(201, { transientDocumentId: 't1' })
        .post('/api/rest/v6/agreements')
        .reply(201, { id: 'agr-1' });
      expect(await sender.send({ approvalId: 'a', level: 1, signer, subject: 's', pdf: Buffer.from('%PDF-1.3') })).toEqual({
        provider: 'acrobat-sign',
        envelopeId: 'agr-1',
      });
      expect(Object.fromEntries(grant ?? [])).toEqual({
        grant_type: 'refresh_token',
        client_id: acrobat.clientId,
        client_secret: 'shh-secret',
        refresh_token: '3AAABrefresh',
      });
    });
  });

  describe('Acrobat Sign: webhooks', () => {
    async function sentThroughAcrobat(approvalId: string): Promise<string> {
      const agreementId = `CBJCHBCAABAA${randomUUID()}`;
      nock(acrobat.baseUrl)
        .post('/api/rest/v6/transientDocuments')
        .reply(201, { transientDocumentId: 't' })
        .post('/api/rest/v6/agreements')
        .reply(201, { id: agreementId });
      await requestSignature(
        { db: t.database.db, senders: { 'acrobat-sign': acrobatSignSender(acrobat) } },
        sampleSummary({ approvalId, level: { level: 1, name: 'finance', of: 1 } }),
        signer,
        'acrobat-sign',
      );
      return agreementId;
    }
    const notification = (event: string, agreementId: string, notificationId = randomUUID()) =>
      JSON.stringify({
        webhookId: 'CBJCHBCAABAAwebhook',
        webhookName: 'ordergate',
        webhookNotificationId: notificationId,
        webhookUrlInfo: { url: 'https://gateway.example/v1/esign/acrobat-sign/webhook' },
        webhookScope: 'ACCOUNT',
        event,
        eventDate: '2026-12-06T11:10:00Z',
        eventResourceType: 'agreement',
        participantUserEmail: 'fran@example.com',
        agreement: { id: agreementId, name: 'Approve order PO-77001', signatureType: 'ESIGN', status: 'SIGNED' },
      });
    /** As Acrobat Sign posts, with our client id unless told which (null: none). */
    const post = (body: string, clientId: string | null = acrobat.clientId) =>
      t.request({
        method: 'POST',
        url: '/v1/esign/acrobat-sign/webhook',
        headers: { 'content-type': 'application/json', ...(clientId === null ? {} : { 'x-adobesign-clientid': clientId }) },
        payload: body,
      });

    it('answers the verification of intent by echoing our client id, in the header and the body', async () => {
      const res = await t.request({
        method: 'GET',
        url: '/v1/esign/acrobat-sign/webhook',
        headers: { 'x-adobesign-clientid': acrobat.clientId },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-adobesign-clientid']).toBe(acrobat.clientId);
      expect(res.json()).toEqual({ xAdobeSignClientId: acrobat.clientId });
    });

    it('refuses a verification with another client id or none, echoing nothing', async () => {
      for (const headers of [{ 'x-adobesign-clientid': 'CBJCHBCAABAAsomeoneElse' }, {}]) {
        const res = await t.request({ method: 'GET', url: '/v1/esign/acrobat-sign/webhook', headers });
        expect(res.statusCode).toBe(401);
        expect(res.headers['x-adobesign-clientid']).toBeUndefined();
        expect(res.json().code).toBe('webhook-unauthenticated');
      }
    });

    it('approves on AGREEMENT_WORKFLOW_COMPLETED, echoes the client id, and takes the same notification once', async () => {
      const approvalId = await pendingApproval();
      const agreementId = await sentThroughAcrobat(approvalId);
      const body = notification('AGREEMENT_WORKFLOW_COMPLETED', agreementId);
      const res = await post(body);
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-adobesign-clientid']).toBe(acrobat.clientId);
      expect(res.json()).toMatchObject({ xAdobeSignClientId: acrobat.clientId, status: 'decided', outcome: 'approved' });
      expect(recorder.calls).toEqual([
        { approvalId, decision: 'approve', via: 'signature', by: { provider: 'acrobat-sign', envelopeId: agreementId } },
      ]);
      const again = await post(body);
      expect(again.statusCode).toBe(200);
      expect(again.headers['x-adobesign-clientid']).toBe(acrobat.clientId);
      expect(again.json()).toMatchObject({ status: 'duplicate' });
      expect(recorder.calls).toHaveLength(1);
    });

    it.each(['AGREEMENT_REJECTED', 'AGREEMENT_RECALLED'])('rejects on %s', async (event) => {
      const approvalId = await pendingApproval();
      const agreementId = await sentThroughAcrobat(approvalId);
      expect((await post(notification(event, agreementId))).json()).toMatchObject({ status: 'decided', outcome: 'rejected' });
      expect(recorder.calls).toMatchObject([{ approvalId, decision: 'reject', via: 'signature' }]);
    });

    it('records progress (AGREEMENT_ACTION_COMPLETED, AGREEMENT_EMAIL_VIEWED) without deciding', async () => {
      const agreementId = await sentThroughAcrobat(await pendingApproval());
      for (const event of ['AGREEMENT_CREATED', 'AGREEMENT_EMAIL_VIEWED', 'AGREEMENT_ACTION_COMPLETED'])
        expect((await post(notification(event, agreementId))).json()).toMatchObject({ status: 'recorded' });
      expect(recorder.calls).toEqual([]);
    });

    it('refuses a notification without our client id, and an agreement it did not send', async () => {
      const agreementId = await sentThroughAcrobat(await pendingApproval());
      for (const clientId of ['CBJCHBCAABAAsomeoneElse', null]) {
        const res = await post(notification('AGREEMENT_WORKFLOW_COMPLETED', agreementId), clientId);
        expect(res.statusCode).toBe(401);
        expect(res.headers['x-adobesign-clientid']).toBeUndefined();
      }
      const unknown = await post(notification('AGREEMENT_WORKFLOW_COMPLETED', 'CBJCHBCAABAAnotOurs'));
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({
        code: 'not-found',
        detail: 'no Acrobat Sign envelope CBJCHBCAABAAnotOurs was sent by this gateway',
      });
      expect(recorder.calls).toEqual([]);
    });
  });

  describe('without a provider configured', () => {
    let bare: TestApp;
    beforeAll(async () => {
      bare = await startTestApp('postgres');
    });
    afterAll(async () => bare?.close());

    it('answers its callback routes with 404, saying the provider is not configured', async () => {
      const connect = await bare.request({
        method: 'POST',
        url: '/v1/esign/docusign/connect',
        headers: { 'content-type': 'application/json' },
        payload: '{}',
      });
      expect(connect.statusCode).toBe(404);
      expect(connect.json().detail).toBe('DocuSign is not configured on this gateway');
      const verify = await bare.request({
        method: 'GET',
        url: '/v1/esign/acrobat-sign/webhook',
        headers: { 'x-adobesign-clientid': acrobat.clientId },
      });
      expect(verify.statusCode).toBe(404);
      expect(verify.headers['x-adobesign-clientid']).toBeUndefined();
    });
  });
});
