import type { Delivery, Deliverer } from '../../pipeline/outbound.ts';
import type { PartnerChannels } from '../../pipeline/ports.ts';
import { cxmlDeliverer, withSharedSecret } from '../cxml/index.ts';
import { ourCxmlSecretContext } from '../db/index.ts';
import { deliver, type OutboundClient, type RetryPolicy } from '../http/index.ts';

// Where a partner's documents of one channel go and how they are judged: the same for the first
// push and for a push taken over later, so both follow the partner's endpoint as it is now. Both
// go through the admin-set side of the outbound policy (`Outbound.endpoints`).

/** Opens our cXML shared secret (adapters/webhook/secret-box.ts). */
export interface SecretOpener {
  open(sealed: string, context: string): string;
}

/** How documents are pushed: the retry policy, the outbound client every connection is judged by, and what opens our cXML secret. */
export interface PushPolicy {
  retry: RetryPolicy;
  outbound: OutboundClient;
  secrets: SecretOpener;
}

/**
 * A cXML push: our shared secret, opened now, put in the stored document's Sender. A partnership
 * that has lost our credential, or a secret this gateway's key does not open, sends nothing: the
 * push fails with the reason (the partner's network would refuse the document anyway).
 */
function cxmlPush(partnerId: string, cxml: NonNullable<PartnerChannels['cxml']>, push: PushPolicy): Deliverer {
  const send = cxmlDeliverer(push.retry, push.outbound);
  return async (url, document) => {
    const ours = cxml.ourCredential;
    if (ours === undefined) return { ok: false, attempts: 0, error: 'not sent: the partner has no cXML credential of ours any more' };
    let secret: string;
    try {
      secret = push.secrets.open(ours.sealedSecret, ourCxmlSecretContext(partnerId));
    } catch {
      // The key changed, or the value was altered: ours to fix, and nothing the partner needs the words of.
      return { ok: false, attempts: 0, error: 'not sent: our cXML shared secret for this partner cannot be read' };
    }
    return send(url, { ...document, body: withSharedSecret(document.body, secret) });
  };
}

/** undefined: the partner has no endpoint for the channel; its documents wait in its mailbox. */
export function deliveryFor(partnerId: string, channel: string, channels: PartnerChannels, push: PushPolicy): Delivery | undefined {
  if (channel === 'x12') {
    const endpointUrl = channels.x12?.endpointUrl;
    return endpointUrl === undefined
      ? undefined
      : { endpointUrl, deliver: async (url, document) => deliver({ url, ...document }, push.retry, push.outbound) };
  }
  if (channel === 'cxml' && channels.cxml !== undefined) {
    const endpointUrl = channels.cxml.confirmationUrl;
    return endpointUrl === undefined ? undefined : { endpointUrl, deliver: cxmlPush(partnerId, channels.cxml, push) };
  }
  return undefined;
}
