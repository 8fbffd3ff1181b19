export { emailSender, type EmailOptions, type NoticeSend } from './email.ts';
export { linkKey, noticeSettings } from './link-key.ts';
export { defaultNoticePolicy, sendDueNotifications, type NoticePolicy, type Senders } from './send-due.ts';
export { twilioApi, twilioSender, type TwilioOptions } from './sms.ts';
