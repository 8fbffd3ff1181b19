import type { DueNotification } from '../db/index.ts';
import type { NoticeSend } from './email.ts';
import { PermanentSendError } from './permanent.ts';

// SMS through Twilio's Messages API: POST /2010-04-01/Accounts/{AccountSid}/Messages.json, HTTP
// basic auth (account SID : auth token), a form body with To, From and Body; 201 with the message.

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  from: string;
  timeoutMs?: number;
}

export const twilioApi = 'https://api.twilio.com';

export function twilioSender(options: TwilioOptions): NoticeSend {
  const url = `${twilioApi}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  return async (notice: DueNotification) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ To: notice.to, From: options.from, Body: notice.text }).toString(),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    if (response.ok) return;
    const body = (await response.json().catch(() => ({}))) as { code?: number; message?: string };
    const message = `Twilio answered ${response.status}${body.code === undefined ? '' : ` (${body.code})`}: ${body.message ?? ''}`.trim();
    // A refused number or bad credentials stays refused; 429 and 5xx may pass later.
    if (response.status !== 429 && response.status < 500) throw new PermanentSendError(message);
    throw new Error(message);
  };
}
