import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailSender, noticeSettings, sendDueNotifications, type NoticePolicy } from '../adapters/notify/index.ts';
import type { ApprovalLevel } from '../domain/approval.ts';
import { levelNotice } from '../pipeline/approval-notices.ts';
import type { ApprovalGate } from '../pipeline/approvals.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from './support/app.ts';

// The whole way by mail, with the gateway's own approvals: an order two levels must approve waits;
// each level's person gets a mail over a real SMTP conversation, follows its Approve link (the GET
// changes nothing, the POST decides), and the order moves on when the last level has approved.

const levels: ApprovalLevel[] = [
  { level: 1, name: 'sales', assignees: [{ role: 'sales-manager' }], mode: 'any', method: 'click' },
  { level: 2, name: 'finance', assignees: [{ role: 'finance' }], mode: 'any', method: 'click' },
];
const gate: ApprovalGate = async () => ({
  required: true,
  reasons: [{ code: 'total-at-least', policy: 'big-orders', detail: 'computed total is at least 50000' }],
  levels,
});
const settings = noticeSettings({ publicBaseUrl: 'http://gateway.test', linkTtlMs: 86_400_000 }, Buffer.alloc(32, 9));
const policy: NoticePolicy = {
  retries: 0,
  minTimeoutMs: 10,
  maxTimeoutMs: 10,
  maxAttempts: 1,
  backoffMs: () => 0,
  leaseMs: 60_000,
  batch: 10,
};

describe('an approval decided from the mail', () => {
  let t: TestApp;
  const mails: ParsedMail[] = [];
  let smtp: SMTPServer;
  let smtpUrl: string;

  beforeAll(async () => {
    t = await startTestApp('postgres', {
      server: { approvals: { gate, notice: levelNotice(settings) }, approvalLinks: { linkKey: settings.linkKey } },
    });
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((mail) => {
            mails.push(mail);
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await t?.close();
  });

  const statusOf = async (orderId: string) =>
    (await t.request({ method: 'GET', url: `/v1/orders/${orderId}`, key: adminKey })).json().status;
  /** The mails the notifications job sends now, addressed to `to`. */
  const mailTo = async (to: string) => {
    await sendDueNotifications(t.database.db, { email: emailSender({ smtpUrl, from: 'gw@example.com' }).send }, policy);
    const mail = mails.filter((m) => m.to !== undefined && JSON.stringify(m.to).includes(to)).at(-1);
    expect(mail, `a mail to ${to}`).toBeDefined();
    return mail as ParsedMail;
  };
  const follow = async (mail: ParsedMail, orderId: string) => {
    const approve = new URL(/^Approve: (\S+)$/m.exec(mail.text ?? '')?.[1] as string);
    expect(approve.origin).toBe('http://gateway.test');
    const opened = await t.request({ method: 'GET', url: approve.pathname });
    expect(opened.statusCode).toBe(200);
    expect(await statusOf(orderId)).toBe('pending_approval');
    return t.request({
      method: 'POST',
      url: approve.pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'comment=ok',
    });
  };

  it('waits for each level, told by mail, and moves on when the last one approves through its link', async () => {
    for (const [name, roles] of [
      ['Sam Sales', ['sales-manager']],
      ['Fay Finance', ['finance']],
    ] as const) {
      const created = await t.request({
        method: 'POST',
        url: '/v1/people',
        key: adminKey,
        payload: { name, email: `${name.split(' ')[0]?.toLowerCase()}@example.com`, roles },
      });
      expect(created.statusCode, created.body).toBe(201);
    }
    const partner = await t.partner('Shop');
    const submitted = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: partner.key,
      headers: { 'idempotency-key': 'po-by-mail' },
      payload: { ...sampleOrder, externalRef: 'PO-MAIL-1' },
    });
    expect(submitted.statusCode, submitted.body).toBe(201);
    const orderId = submitted.json().id as string;
    expect(await statusOf(orderId)).toBe('pending_approval');

    const first = await mailTo('sam@example.com');
    expect(first.subject).toContain('PO-MAIL-1');
    expect(first.text).toContain('level 1 of 2 (sales)');
    const decided = await follow(first, orderId);
    expect(decided.statusCode, decided.body).toBe(200);
    expect(await statusOf(orderId)).toBe('pending_approval');

    // Sam's other link opens on a level that has been decided: no button.
    const samReject = new URL(/^Reject: (\S+)$/m.exec(first.text ?? '')?.[1] as string);
    const stale = await t.request({ method: 'GET', url: samReject.pathname });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('no longer waits for this level');
    expect(stale.body).not.toContain('<form');

    const second = await mailTo('fay@example.com');
    expect(second.text).toContain('level 2 of 2 (finance)');
    // The first level's decision, as the approvals' summary names its person (today by id, not name).
    expect(second.text).toMatch(/level 1: \S.* approved \(link\): "ok"/);
    expect((await follow(second, orderId)).statusCode).toBe(200);
    expect(await statusOf(orderId)).toBe('decomposed');
    const fayReject = new URL(/^Reject: (\S+)$/m.exec(second.text ?? '')?.[1] as string);
    const over = await t.request({ method: 'GET', url: fayReject.pathname });
    expect(over.statusCode).toBe(409);
    expect(over.body).toContain('The approval is approved.');
    const causes = (await t.database.db('order_events').where({ order_id: orderId }).orderBy('id').select('cause')).map((e) => e.cause);
    expect(causes).toEqual(expect.arrayContaining(['approval.notified', 'approval.link-opened', 'approval.link-used']));
  });
});
