import nodemailer from 'nodemailer';
import { PermanentSendError } from './permanent.ts';
import type { DueNotification } from '../db/index.ts';

// E-mail over SMTP (SMTP_URL: smtp://user:pass@host:587, smtps://... for TLS from the start).

export type NoticeSend = (notice: DueNotification) => Promise<void>;

export interface EmailOptions {
  smtpUrl: string;
  from: string;
  /** Connecting, greeting and each command (10 s). */
  timeoutMs?: number;
}

export function emailSender(options: EmailOptions): { send: NoticeSend; close(): void } {
  const timeout = options.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    url: options.smtpUrl,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    async send(notice) {
      try {
        await transport.sendMail({
          from: options.from,
          to: notice.to,
          subject: notice.subject ?? '',
          text: notice.text,
          ...(notice.html === null ? {} : { html: notice.html }),
        });
      } catch (error) {
        // 5xx: the server refused for good (no such mailbox, policy); another try would be refused too.
        const code = (error as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500) throw new PermanentSendError((error as Error).message);
        throw error;
      }
    },
    close: () => transport.close(),
  };
}
