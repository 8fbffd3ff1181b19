import { deliverDueWebhooks, type SecretBox } from '../../adapters/webhook/index.ts';
import type { Database } from '../../adapters/db/index.ts';
import type { OutboundClient } from '../../adapters/http/index.ts';
import type { Job } from '../scheduler.ts';

/** Partner events out: new events become deliveries, and due deliveries get their attempt. */
export const webhookDeliveriesJob = (db: Database, secrets: SecretBox, outbound: OutboundClient, everyMs = 5_000): Job => ({
  name: 'webhook-deliveries',
  everyMs,
  async run() {
    await deliverDueWebhooks({ db, secrets, outbound }, new Date());
  },
});
