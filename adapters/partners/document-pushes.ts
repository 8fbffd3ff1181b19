import { leaseStuckPushes, orderStore, type Database } from '../db/index.ts';
import { pushDocument } from '../../pipeline/outbound.ts';
import { deliveryFor, type PushPolicy } from './delivery.ts';

// Stored before sent: a document whose push after commit never happened is pushed here, by the
// same rules as the first push, to the endpoint the partner has now.

/** One run: up to `limit` stuck documents pushed (or failed with the reason); how many were taken. */
export async function pushStuckDocuments(db: Database, push: PushPolicy, limit = 20): Promise<number> {
  const store = orderStore(db);
  const stuck = await leaseStuckPushes(db, limit);
  for (const document of stuck) {
    const channels = await store.transaction((tx) => tx.partnerChannels(document.partnerId));
    const delivery = deliveryFor(document.partnerId, document.channel, channels, push);
    if (delivery === undefined) {
      await store.transaction((tx) =>
        tx.recordDelivery(document.documentId, {
          state: 'failed',
          attempts: 0,
          error: 'the partner has no endpoint any more; the document is in its mailbox',
        }),
      );
      continue;
    }
    await pushDocument({ store, deliver: delivery.deliver }, document, document.contentType, delivery.endpointUrl);
  }
  return stuck.length;
}
