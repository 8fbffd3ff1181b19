import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import nock from 'nock';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { orderStore } from '../adapters/db/index.ts';
import {
  emailSender,
  noticeSettings,
  sendDueNotifications,
  twilioSender,
  type NoticePolicy,
  type Senders,
} from '../adapters/notify/index.ts';
import type { ApprovalSummary, DecisionInput, DecisionResult } from '../domain/approval.ts';
import type { NoticePerson } from '../domain/approval-messages.ts';
import { queueLevelNotices, type NoticeSettings } from '../pipeline/approval-notices.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from './support/app.ts';
import { withoutNetwork } from './support/nock.ts';

// Approvals by mail, from the receiving side: a real SMTP conversation with an in-process server,
// the mail parsed as a mail client would, the links in it followed as a browser (and a mail
// scanner) would; Twilio's Messages API as its reference describes it, with nock in its place.

const day = 86_400_000;
const settings: NoticeSettings = noticeSettings({ publicBaseUrl: 'https://gw.example.com/', linkTtlMs: 3 * day }, Buffer.alloc(32, 7));
const key = settings.linkKey;
// A little ahead of the database's clock: what is queued now is due at once by this one.
const start = new Date(Math.ceil(Date.now() / 1000) * 1000 + 60_000);
let clock = start;
const decisions: DecisionInput[] = [];
let answer: (input: DecisionInput) => Promise<DecisionResult> = async () => ({
  kind: 'decided',
  status: 'pending',
  orderStatus: 'pending_approval',
});
const policy: NoticePolicy = {
  retries: 2,
  minTimeoutMs: 10,
  maxTimeoutMs: 20,
  maxAttempts: 3,
  backoffMs: (attempts) => attempts * 60_000,
  leaseMs: 300_000,
  batch: 20,
};

let t: TestApp;
let orderId: string;
let approvalId: string;
const ann: NoticePerson = { id: 'person-ann', name: 'Ann <Sales> Manager', email: 'ann@example.com', phone: '+15005550006' };
const bob: NoticePerson = { id: 'person-bob', name: 'Bob', email: 'bob@example.com' };
const nobody: NoticePerson = { id: 'person-nobody', name: 'Nobody' };

function summary(): ApprovalSummary {
  return {
    approvalId,
    orderId,
    externalRef: 'PO-1001',
    partner: { id: 'p', name: 'Acme <Tools> & Co' },
    currency: 'USD',
    computedTotal: 12345.5,
    statedTotal: 12000,
    lines: [
      { lineNumber: '1', sku: 'MODEM-X1', description: 'Cable modem', quantity: 2, uom: 'EA', unitPrice: 49.5 },
      { lineNumber: '2', sku: 'INTERNET-100', quantity: 1, uom: 'EA', unitPrice: 59.99 },
      { lineNumber: '2.1', parentLineNumber: '2', sku: 'PORT-ACT', quantity: 1, uom: 'EA' },
    ],
    reasons: [{ code: 'total-at-least', policy: 'demo', detail: 'computed total USD 12,345.50 is at least USD 10,000.00' }],
    level: { level: 2, name: 'finance', of: 2 },
    history: [{ at: '2026-12-06T08:00:00Z', by: 'Carol', decision: 'approve', comment: 'fine by sales', via: 'api', level: 1 }],
  };
}

/** An SMTP server that keeps every mail it accepts, parsed; `refuse` answers MAIL FROM with an error. */
async function smtpServer(options: { refuse?: { code: number; times: number }; stall?: Promise<void> } = {}) {
  const mails: ParsedMail[] = [];
  let mailFroms = 0;
  let refusals = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      mailFroms++;
      if (options.refuse !== undefined && refusals < options.refuse.times) {
        refusals++;
        return callback(Object.assign(new Error('try later'), { responseCode: options.refuse.code }));
      }
      callback();
    },
    onData(stream: SMTPServerDataStream, _session, callback) {
      simpleParser(stream)
        .then(async (mail) => {
          await options.stall;
          mails.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    mails,
    mailFroms: () => mailFroms,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function queue(people: NoticePerson[] = [ann]) {
  return orderStore(t.database.db).transaction((tx) => queueLevelNotices(tx, summary(), people, settings, clock));
}

const notifications = async () => (await t.request({ method: 'GET', url: `/v1/notifications?orderId=${orderId}`, key: adminKey })).json();
/** This test's events: the order is the same in every test, the approval is not. */
const events = async (cause: string) =>
  t.database
    .db('order_events')
    .where({ order_id: orderId, cause })
    .whereRaw(`detail->>'approvalId' = ?`, [approvalId])
    .orderBy('id')
    .select('detail');
const linkRow = (id: string) => t.database.db('approval_links').where({ id }).first();
const pathOf = (url: string) => new URL(url).pathname;
const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});
/** The id of the link row a token names: its first part. */
const linkIdOf = (url: string) => pathOf(url).slice(3).split('.')[0] as string;

beforeAll(async () => {
  t = await startTestApp('postgres', {
    server: {
      approvalLinks: {
        linkKey: key,
        now: () => clock,
        decide: (input) => {
          decisions.push(input);
          return answer(input);
        },
      },
    },
  });
  const partner = await t.partner('Acme');
  const created = await t.request({
    method: 'POST',
    url: '/v1/orders',
    key: partner.key,
    headers: { 'idempotency-key': 'approval-notices-1' },
    payload: sampleOrder,
  });
  expect(created.statusCode, created.body).toBe(201);
  orderId = created.json().id;
  const { db } = t.database;
  await db('people').insert(
    [ann, bob, nobody].map((p) => ({ id: p.id, name: p.name, email: p.email ?? null, phone: p.phone ?? null, roles: ['finance'] })),
  );
});
afterAll(async () => t?.close());

beforeEach(async () => {
  clock = start;
  decisions.length = 0;
  answer = async () => ({ kind: 'decided', status: 'pending', orderStatus: 'pending_approval' });
  const { db } = t.database;
  await db('notifications').delete();
  await db('approval_links').delete();
  await db('approvals').delete();
  approvalId = `ap-${Math.random().toString(36).slice(2)}`;
  await db('approvals').insert({
    id: approvalId,
    order_id: orderId,
    partner_id: (await db('orders').where({ id: orderId }).first('partner_id')).partner_id,
    status: 'pending',
    reasons: JSON.stringify(summary().reasons),
    levels: JSON.stringify([]),
    current_level: 2,
  });
});

describe('an approval by mail over a real SMTP conversation', () => {
  it('carries the summary and two links; GET changes nothing, POST decides once; used 410, tampered 403, expired 410', async () => {
    const smtp = await smtpServer();
    try {
      const queued = await queue([ann, nobody]);
      expect(queued.unreachable).toEqual([nobody.id]);
      expect(
        await sendDueNotifications(
          t.database.db,
          { email: emailSender({ smtpUrl: smtp.url, from: 'gw@example.com' }).send },
          policy,
          () => clock,
        ),
      ).toBe(2);
      expect(smtp.mails).toHaveLength(1);
      const mail = smtp.mails[0] as ParsedMail;
      expect(mail.subject).toBe('Approval needed: order PO-1001 from Acme <Tools> & Co, USD 12,345.50');
      const text = mail.text ?? '';
      for (const expected of [
        'Partner: Acme <Tools> & Co',
        'Order: PO-1001',
        'Total: USD 12,345.50',
        'Total stated by the partner: USD 12,000.00',
        'level 2 of 2 (finance)',
        '  1. MODEM-X1 Cable modem: 2 EA at USD 49.50 = USD 99.00',
        '  2. INTERNET-100: 1 EA at USD 59.99 = USD 59.99',
        '    2.1. PORT-ACT: 1 EA', // the bundle's component, one step further in
        'computed total USD 12,345.50 is at least USD 10,000.00 (demo)',
        '2026-12-06T08:00:00Z level 1: Carol approved (api): "fine by sales"',
      ])
        expect(text).toContain(expected);
      const html = String(mail.html);
      expect(html).toContain('Acme &lt;Tools&gt; &amp; Co');
      expect(html).not.toContain('<Tools>');
      expect(html).toContain('Ann &lt;Sales&gt; Manager');
      const approve = /^Approve: (\S+)$/m.exec(text)?.[1] as string;
      const reject = /^Reject: (\S+)$/m.exec(text)?.[1] as string;
      expect(approve).toMatch(/^https:\/\/gw\.example\.com\/a\/[\w-]{22}\.[0-9a-z]+\.[\w-]{43}$/);
      expect(html).toContain(`href="${approve}"`);
      expect(html).toContain(`href="${reject}"`);

      // A mail scanner (or the person) opens it: a page with the summary and a button, nothing decided.
      const opened = await t.request({ method: 'GET', url: pathOf(approve) });
      expect(opened.statusCode).toBe(200);
      expect(opened.headers['content-type']).toContain('text/html');
      expect(opened.body).toContain('Acme &lt;Tools&gt; &amp; Co');
      expect(opened.body).toContain('<form method="post">');
      expect(opened.body).toContain('Approve order PO-1001');
      expect(decisions).toEqual([]);
      expect((await linkRow(linkIdOf(approve))).used_at).toBeNull();
      expect(await events('approval.link-opened')).toHaveLength(1);

      const decided = await t.request({ method: 'POST', url: pathOf(approve), ...form({ comment: '' }) });
      expect(decided.statusCode).toBe(200);
      expect(decided.body).toContain('approved');
      expect(decisions).toEqual([{ approvalId, decision: 'approve', via: 'link', by: { person: ann.id } }]);
      expect((await linkRow(linkIdOf(approve))).used_at).not.toBeNull();
      expect((await events('approval.link-used')).map((e) => e.detail)).toEqual([
        expect.objectContaining({ approvalId, personId: ann.id, decision: 'approve', outcome: 'decided' }),
      ]);

      for (const method of ['GET', 'POST'] as const) {
        const again = await t.request({ method, url: pathOf(approve), ...(method === 'POST' ? form({}) : {}) });
        expect(again.statusCode).toBe(410);
        expect(again.body).toContain('This link has been used');
      }
      expect(decisions).toHaveLength(1);

      // Another link's id, a later expiry, a changed signature: not ours.
      const [id, expiry, signature] = pathOf(reject).slice(3).split('.') as [string, string, string];
      for (const token of [
        `${linkIdOf(approve)}.${expiry}.${signature}`,
        `${id}.${(parseInt(expiry, 36) + 86_400).toString(36)}.${signature}`,
        `${id}.${expiry}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`,
        'not-a-token',
      ]) {
        const refused = await t.request({ method: 'POST', url: `/a/${token}`, ...form({ comment: 'no' }) });
        expect(refused.statusCode).toBe(403);
        expect(refused.body).toContain('This link is not valid');
      }

      // LINK_TTL later, the reject link has expired, for showing and for deciding.
      clock = new Date(start.getTime() + 3 * day);
      for (const method of ['GET', 'POST'] as const) {
        const expired = await t.request({ method, url: pathOf(reject), ...(method === 'POST' ? form({ comment: 'too late' }) : {}) });
        expect(expired.statusCode).toBe(410);
        expect(expired.body).toContain('This link has expired');
      }
      expect(decisions).toHaveLength(1);

      // Every message in the order's history, the one kept for want of an address too.
      const notified = (await events('approval.notified')).map((e) => e.detail);
      expect(notified).toHaveLength(2);
      expect(notified).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ channel: 'email', to: ann.email, state: 'sent' }),
          expect.objectContaining({ channel: 'sms', to: ann.phone, state: 'not-sent' }),
        ]),
      );
      expect((await events('approval.not-notified')).map((e) => e.detail)).toEqual([expect.objectContaining({ personId: nobody.id })]);
    } finally {
      await smtp.close();
    }
  });

  it('a reject needs a comment (the link stays usable); a decision another one beat spends the link; a failing gateway gives it back', async () => {
    await queue([bob]);
    const { links } = (await notifications()).notifications[0];
    const missing = await t.request({ method: 'POST', url: pathOf(links.reject), ...form({ comment: '  ' }) });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('A rejection needs a comment.');
    expect(decisions).toEqual([]);
    expect((await linkRow(linkIdOf(links.reject))).used_at).toBeNull();

    answer = async () => {
      throw new Error('database away');
    };
    const failed = await t.request({ method: 'POST', url: pathOf(links.reject), ...form({ comment: 'too dear' }) });
    expect(failed.statusCode).toBe(500);
    expect((await linkRow(linkIdOf(links.reject))).used_at).toBeNull();

    answer = async () => ({ kind: 'already-decided', status: 'approved' });
    const lost = await t.request({ method: 'POST', url: pathOf(links.reject), ...form({ comment: 'too dear' }) });
    expect(lost.statusCode).toBe(409);
    expect(lost.body).toContain('decided already');
    expect(decisions.at(-1)).toEqual({ approvalId, decision: 'reject', comment: 'too dear', via: 'link', by: { person: bob.id } });
    expect((await linkRow(linkIdOf(links.reject))).used_at).not.toBeNull();
    expect((await t.request({ method: 'POST', url: pathOf(links.reject), ...form({ comment: 'x' }) })).statusCode).toBe(410);
  });

  it('two POSTs of one link at once: one decides, the other is told the link is used', async () => {
    await queue([bob]);
    const { links } = (await notifications()).notifications[0];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    answer = async () => {
      await held;
      return { kind: 'decided', status: 'approved', orderStatus: 'decomposed' };
    };
    const first = t.request({ method: 'POST', url: pathOf(links.approve), ...form({}) });
    // The first has spent the link and waits for its decision.
    for (let i = 0; i < 200 && (await linkRow(linkIdOf(links.approve))).used_at === null; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const second = await t.request({ method: 'POST', url: pathOf(links.approve), ...form({}) });
    release();
    expect(second.statusCode).toBe(410);
    expect((await first).statusCode).toBe(200);
    expect(decisions).toHaveLength(1);
  });
});

describe('without SMTP_URL or Twilio', () => {
  it('keeps the messages, lists them as not-sent with their links, and the links work', async () => {
    await queue([ann]);
    expect(await sendDueNotifications(t.database.db, {}, policy, () => clock)).toBe(2);
    const listed = (await notifications()).notifications;
    expect(listed).toEqual([
      expect.objectContaining({ channel: 'email', to: ann.email, state: 'not-sent', subject: expect.stringContaining('PO-1001') }),
      expect.objectContaining({ channel: 'sms', to: ann.phone, state: 'not-sent', subject: null }),
    ]);
    const sms = listed[1];
    expect(sms.text.length).toBeLessThanOrEqual(160);
    expect(sms.links.approve).toBe(sms.links.reject);
    expect(sms.text).toContain(sms.links.approve);
    // The SMS's one link: a page offering both, deciding what the person picks.
    const page = await t.request({ method: 'GET', url: pathOf(sms.links.approve) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="decision" value="reject"');
    expect((await t.request({ method: 'POST', url: pathOf(sms.links.approve), ...form({ decision: 'reject' }) })).statusCode).toBe(400);
    const rejected = await t.request({ method: 'POST', url: pathOf(sms.links.approve), ...form({ decision: 'reject', comment: 'no' }) });
    expect(rejected.statusCode).toBe(200);
    expect(decisions).toEqual([{ approvalId, decision: 'reject', comment: 'no', via: 'link', by: { person: ann.id } }]);
    // The e-mail's links work as well, kept or not.
    expect((await t.request({ method: 'GET', url: pathOf(listed[0].links.approve) })).statusCode).toBe(200);
  });

  it('is for admins only', async () => {
    const partner = await t.partner('Other');
    expect((await t.request({ method: 'GET', url: `/v1/notifications?orderId=${orderId}`, key: partner.key })).statusCode).toBe(403);
  });
});

describe('SMS through Twilio', () => {
  withoutNetwork();
  const sid = `AC${'0123456789abcdef'.repeat(2)}`;

  it('posts To, From and Body as a form with basic auth to the Messages resource', async () => {
    await queue([{ ...ann, email: null }]);
    let form: URLSearchParams | undefined;
    const twilio = nock('https://api.twilio.com')
      .post(`/2010-04-01/Accounts/${sid}/Messages.json`)
      .basicAuth({ user: sid, pass: 'auth-token' })
      .matchHeader('content-type', 'application/x-www-form-urlencoded')
      .reply(201, (_uri, body) => {
        form = new URLSearchParams(body as string);
        return { sid: 'SM0123', status: 'queued', to: form.get('To'), from: form.get('From'), body: form.get('Body') };
      });
    const senders: Senders = { sms: twilioSender({ accountSid: sid, authToken: 'auth-token', from: '+15017122661' }) };
    await sendDueNotifications(t.database.db, senders, policy, () => clock);
    expect(twilio.isDone()).toBe(true);
    const [sms] = (await notifications()).notifications;
    expect(sms).toEqual(expect.objectContaining({ channel: 'sms', state: 'sent' }));
    expect(form?.get('To')).toBe(ann.phone);
    expect(form?.get('From')).toBe('+15017122661');
    expect(form?.get('Body')).toBe(sms.text);
    expect(form?.get('Body')).toMatch(/PO-1001.*USD 12,345\.50.*https:\/\/gw\.example\.com\/a\/[A-Za-z0-9]{10}$/);
  });

  it('a number Twilio refuses (400) fails at once; a 503 is tried again', async () => {
    await queue([{ ...ann, email: null }]);
    const senders: Senders = { sms: twilioSender({ accountSid: sid, authToken: 'auth-token', from: '+15017122661' }) };
    nock('https://api.twilio.com')
      .post(`/2010-04-01/Accounts/${sid}/Messages.json`)
      .times(3)
      .reply(503, { code: 20503, message: 'Service unavailable' });
    await sendDueNotifications(t.database.db, senders, policy, () => clock);
    expect((await notifications()).notifications[0]).toEqual(expect.objectContaining({ state: 'pending', attempts: 1 }));
    nock('https://api.twilio.com')
      .post(`/2010-04-01/Accounts/${sid}/Messages.json`)
      .once()
      .reply(400, { code: 21211, message: "The 'To' number is not a valid phone number." });
    clock = new Date(start.getTime() + 120_000);
    await sendDueNotifications(t.database.db, senders, policy, () => clock);
    const [sms] = (await notifications()).notifications;
    expect(sms).toEqual(expect.objectContaining({ state: 'failed', attempts: 2, lastError: expect.stringContaining('21211') }));
  });
});

describe('a mail server that fails', () => {
  it('is tried again within an attempt and across attempts with back-off, then the message fails', async () => {
    const smtp = await smtpServer({ refuse: { code: 451, times: 1_000 } });
    try {
      await queue([bob]);
      const senders: Senders = { email: emailSender({ smtpUrl: smtp.url, from: 'gw@example.com' }).send };
      await sendDueNotifications(t.database.db, senders, policy, () => clock);
      expect(smtp.mailFroms()).toBe(1 + policy.retries);
      const row = await t.database.db('notifications').first();
      expect(row).toEqual(expect.objectContaining({ state: 'pending', attempts: 1, last_error: expect.stringContaining('451') }));
      expect(row.next_attempt_at.getTime()).toBe(start.getTime() + policy.backoffMs(1));

      // Not due yet: nothing is sent.
      clock = new Date(start.getTime() + policy.backoffMs(1) - 1);
      expect(await sendDueNotifications(t.database.db, senders, policy, () => clock)).toBe(0);
      clock = new Date(start.getTime() + policy.backoffMs(1));
      await sendDueNotifications(t.database.db, senders, policy, () => clock);
      clock = new Date(clock.getTime() + policy.backoffMs(2));
      await sendDueNotifications(t.database.db, senders, policy, () => clock);
      expect(smtp.mailFroms()).toBe(policy.maxAttempts * (1 + policy.retries));
      expect(await t.database.db('notifications').first()).toEqual(
        expect.objectContaining({ state: 'failed', attempts: policy.maxAttempts }),
      );
      expect((await events('approval.notified')).map((e) => e.detail)).toEqual([
        expect.objectContaining({ channel: 'email', state: 'failed', attempts: policy.maxAttempts, error: expect.stringContaining('451') }),
      ]);
    } finally {
      await smtp.close();
    }
  });

  it('holds no transaction and no row lock while a mail is on its way', async () => {
    let release!: () => void;
    const stall = new Promise<void>((resolve) => (release = resolve));
    const smtp = await smtpServer({ stall });
    try {
      await queue([bob]);
      const { db } = t.database;
      const sending = sendDueNotifications(
        db,
        { email: emailSender({ smtpUrl: smtp.url, from: 'gw@example.com' }).send },
        policy,
        () => clock,
      );
      // Wait until the server holds the mail's data.
      for (let i = 0; i < 100 && smtp.mailFroms() === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const inTransaction = await db.raw(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      );
      expect(inTransaction.rows[0].n).toBe(0);
      await db.transaction(async (trx) => {
        const locked = await trx.raw(`SELECT id, state FROM notifications FOR UPDATE NOWAIT`);
        expect(locked.rows).toEqual([expect.objectContaining({ state: 'pending' })]);
      });
      // Leased meanwhile: another sender does not take it.
      expect(await sendDueNotifications(db, {}, policy, () => clock)).toBe(0);
      release();
      expect(await sending).toBe(1);
      expect(smtp.mails).toHaveLength(1);
      expect(await db('notifications').first()).toEqual(expect.objectContaining({ state: 'sent', attempts: 1 }));
    } finally {
      release();
      await smtp.close();
    }
  });
});
