import type { Delivery } from '../../pipeline/outbound.ts';
import type { PartnerChannels } from '../../pipeline/ports.ts';
import { cxmlDeliverer } from '../cxml/index.ts';
import { deliver, type RetryPolicy } from '../http/index.ts';

// Where a partner's documents of one channel go and how they are judged: the same for the first
// push and for a push taken over later, so both follow the partner's endpoint as it is now.

/** undefined: the partner has no endpoint for the channel; its documents wait in its mailbox. */
export function deliveryFor(channel: string, channels: PartnerChannels, policy: RetryPolicy): Delivery | undefined {
  if (channel === 'x12') {
    const endpointUrl = channels.x12?.endpointUrl;
    return endpointUrl === undefined ? undefined : { endpointUrl, deliver: (url, document) => deliver({ url, ...document }, policy) };
  }
  if (channel === 'cxml') {
    const endpointUrl = channels.cxml?.confirmationUrl;
    return endpointUrl === undefined ? undefined : { endpointUrl, deliver: cxmlDeliverer(policy) };
  }
  return undefined;
}
