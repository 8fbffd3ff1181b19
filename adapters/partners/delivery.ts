import type { Delivery } from '../../pipeline/outbound.ts';
import type { PartnerChannels } from '../../pipeline/ports.ts';
import { cxmlDeliverer } from '../cxml/index.ts';
import { deliver, type OutboundClient, type RetryPolicy } from '../http/index.ts';

// Where a partner's documents of one channel go and how they are judged: the same for the first
// push and for a push taken over later, so both follow the partner's endpoint as it is now. Both
// go through the admin-set side of the outbound policy (`Outbound.endpoints`).

/** How documents are pushed: the retry policy, and the outbound client every connection is judged by. */
export interface PushPolicy {
  retry: RetryPolicy;
  outbound: OutboundClient;
}

/** undefined: the partner has no endpoint for the channel; its documents wait in its mailbox. */
export function deliveryFor(channel: string, channels: PartnerChannels, push: PushPolicy): Delivery | undefined {
  if (channel === 'x12') {
    const endpointUrl = channels.x12?.endpointUrl;
    return endpointUrl === undefined
      ? undefined
      : { endpointUrl, deliver: async (url, document) => deliver({ url, ...document }, push.retry, push.outbound) };
  }
  if (channel === 'cxml') {
    const endpointUrl = channels.cxml?.confirmationUrl;
    return endpointUrl === undefined ? undefined : { endpointUrl, deliver: cxmlDeliverer(push.retry, push.outbound) };
  }
  return undefined;
}
