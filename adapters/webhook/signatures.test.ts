import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newStandardSecret, signStandardWebhook, toleranceSeconds, verifySignature } from './signatures.ts';

// Our signing and checking against the schemes as their owners define them; for Standard Webhooks
// the reference implementation (the `standardwebhooks` package) signs what we check and checks
// what we sign.

const body = Buffer.from('{"id":820982911946154508,"name":"#9999","note":"Grüße"}');
const now = new Date('2026-11-27T14:41:17Z');
const seconds = Math.floor(now.getTime() / 1000);

describe('Shopify: X-Shopify-Hmac-Sha256', () => {
  const scheme = { name: 'hmac-sha256-base64', header: 'x-shopify-hmac-sha256' } as const;
  const secret = 'shpss_0123456789abcdef0123456789abcdef';
  const hmac = createHmac('sha256', secret).update(body).digest('base64');

  it('accepts the base64 HMAC-SHA256 of the raw body', () => {
    expect(verifySignature(scheme, { headers: { 'x-shopify-hmac-sha256': hmac }, body, secret, now })).toEqual({ ok: true });
  });

  it.each([
    ['missing', {}, 'unsigned'],
    ['made with another secret', { 'x-shopify-hmac-sha256': createHmac('sha256', 'another').update(body).digest('base64') }, 'mismatch'],
    ['not base64 of the right length', { 'x-shopify-hmac-sha256': 'abc' }, 'mismatch'],
  ])('refuses a signature %s', (_name, headers, reason) => {
    expect(verifySignature(scheme, { headers, body, secret, now })).toMatchObject({ ok: false, reason });
  });

  it('refuses the same signature over a body changed by one byte', () => {
    const changed = Buffer.from(body);
    changed[10] = changed[10] === 0x31 ? 0x32 : 0x31;
    expect(verifySignature(scheme, { headers: { 'x-shopify-hmac-sha256': hmac }, body: changed, secret, now })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
  });
});

describe('Standard Webhooks', () => {
  const scheme = { name: 'standard-webhooks' } as const;
  const secret = newStandardSecret();
  const signed = (id: string, at: number) => ({
    'webhook-id': id,
    'webhook-timestamp': String(at),
    'webhook-signature': new Webhook(secret).sign(id, new Date(at * 1000), body.toString('utf8')),
  });

  it('accepts what the reference implementation signs, anywhere within 5 minutes either way', () => {
    for (const skew of [0, toleranceSeconds, -toleranceSeconds]) {
      expect(verifySignature(scheme, { headers: signed('msg_1', seconds - skew), body, secret, now })).toEqual({ ok: true });
    }
  });

  it('signs what the reference implementation accepts', () => {
    const signature = signStandardWebhook(secret, 'msg_2', seconds, body);
    expect(signature).toBe(
      `v1,${createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
        .update(`msg_2.${seconds}.${body}`)
        .digest('base64')}`,
    );
    const headers = { 'webhook-id': 'msg_2', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': '' };
    headers['webhook-signature'] = signStandardWebhook(secret, 'msg_2', Number(headers['webhook-timestamp']), body);
    expect(new Webhook(secret).verify(body.toString('utf8'), headers)).toEqual({ id: 820982911946154500, name: '#9999', note: 'Grüße' });
  });

  it('refuses a timestamp one second outside the window, saying by how much and which way', () => {
    const old = verifySignature(scheme, { headers: signed('msg_3', seconds - toleranceSeconds - 1), body, secret, now });
    expect(old).toEqual({
      ok: false,
      reason: 'outside-window',
      detail: `webhook-timestamp ${seconds - 301} (2026-11-27T14:36:16.000Z) is 301 s in the past of the gateway's clock (2026-11-27T14:41:17.000Z); signatures are accepted within 300 s either way`,
    });
    const ahead = verifySignature(scheme, { headers: signed('msg_3', seconds + 3600), body, secret, now });
    expect(ahead).toMatchObject({ ok: false, reason: 'outside-window', detail: expect.stringContaining('is 3600 s in the future') });
  });

  it('accepts any matching v1 among several signatures (a secret being rotated), and nothing else', () => {
    const good = signed('msg_4', seconds);
    const other = new Webhook(newStandardSecret()).sign('msg_4', new Date(seconds * 1000), body.toString('utf8'));
    expect(
      verifySignature(scheme, { headers: { ...good, 'webhook-signature': `${other} ${good['webhook-signature']}` }, body, secret, now }),
    ).toEqual({ ok: true });
    expect(verifySignature(scheme, { headers: { ...good, 'webhook-signature': other }, body, secret, now })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
    expect(
      verifySignature(scheme, {
        headers: { ...good, 'webhook-signature': good['webhook-signature'].replace('v1,', 'v2,') },
        body,
        secret,
        now,
      }),
    ).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verifySignature(scheme, { headers: { ...good, 'webhook-id': 'msg_5' }, body, secret, now })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('names the headers that are missing, and a timestamp that is not whole seconds', () => {
    expect(verifySignature(scheme, { headers: { 'webhook-id': 'x' }, body, secret, now })).toEqual({
      ok: false,
      reason: 'unsigned',
      detail: 'missing webhook-timestamp, webhook-signature',
    });
    expect(
      verifySignature(scheme, { headers: { ...signed('msg_6', seconds), 'webhook-timestamp': '2026-11-27T14:41:17Z' }, body, secret, now }),
    ).toMatchObject({ ok: false, reason: 'unsigned', detail: expect.stringContaining('whole seconds') });
  });
});
