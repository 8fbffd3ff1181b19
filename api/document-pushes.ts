import { getPartnerCxml, getPartnerX12, leaseStuckPushes, orderStore, type Database } from '../adapters/db/index.ts';
import { deliver, defaultRetryPolicy, type RetryPolicy } from '../adapters/http/index.ts';
import { pushDocument, type Deliverer } from '../pipeline/outbound.ts';
import { cxmlDeliverer } from './outbound-cxml.ts';

// Stored before sent: a document whose push after commit never happened is pushed here, by the
// same rules as the first push, to the endpoint the partner has now.

async function endpointOf(db: Database, partnerId: string, channel: string, policy: RetryPolicy): Promise<{ url: string; deliver: Deliverer } | undefined> {
  if (channel === 'x12') {
    const url = (await getPartnerX12(db, partnerId))?.endpointUrl;
    return url === undefined ? undefined : { url, deliver: (to, document) => deliver({ url: to, ...document }, policy) };
  }
  if (channel === 'cxml') {
    const url = (await getPartnerCxml(db, partnerId))?.confirmationUrl;
    return url === undefined ? undefined : { url, deliver: cxmlDeliverer(policy) };
  }
  return undefined;
}

/** One run: up to `limit` stuck documents pushed (or failed with the reason); how many were taken. */
export async function pushStuckDocuments(db: Database, policy: RetryPolicy = defaultRetryPolicy, limit = 20): Promise<number> {
  const store = orderStore(db);
  const stuck = await leaseStuckPushes(db, limit);
  for (const document of stuck) {
    const endpoint = await endpointOf(db, document.partnerId, document.channel, policy);
    if (endpoint === undefined) {
      await store.transaction((tx) => tx.recordDelivery(document.documentId, { state: 'failed', attempts: 0, error: 'the partner has no endpoint any more; the document is in its mailbox' }));
      continue;
    }
    await pushDocument({ store, deliver: endpoint.deliver }, document, document.contentType, endpoint.url);
  }
  return stuck.length;
}
