import type { FuzzContext } from './channels/channel.ts';

// The campaign's partners, made as the README's walkthrough makes them, through the admin API: one
// partner with an X12 pair, a cXML identity, a Shopify shop and a Standard Webhooks source; another
// with nothing, whose key is the "wrong partner" of the inputs that use one.

async function post<T>(url: string, key: string, body: unknown): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`setup: POST ${url} → ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

export async function setUpPartners(baseUrl: string, adminKey: string, maxBytes: number, runTag: string): Promise<FuzzContext> {
  const x12 = { qualifier: 'ZZ', id: 'FUZZBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' };
  const cxml = { domain: 'NetworkID', identity: 'AN01000000001', secret: 's3cret-for-tests' };
  const shopify = { account: 'fuzz-outdoor.myshopify.com', secret: 'shpss_fuzz-client-secret-0123456789' };
  const partner = await post<{ id: string }>(`${baseUrl}/v1/partners`, adminKey, {
    name: 'Fuzz partner',
    x12: { identities: [x12] },
    cxml: { fromDomain: cxml.domain, fromIdentity: cxml.identity, sharedSecret: cxml.secret },
  });
  const { key: partnerKey } = await post<{ key: string }>(`${baseUrl}/v1/partners/${partner.id}/api-keys`, adminKey, {});
  await post(`${baseUrl}/v1/partners/${partner.id}/webhook-sources`, adminKey, { kind: 'shopify', ...shopify });
  const standard = await post<{ url: string; secret: string }>(`${baseUrl}/v1/partners/${partner.id}/webhook-sources`, adminKey, {
    kind: 'standard',
  });
  const other = await post<{ id: string }>(`${baseUrl}/v1/partners`, adminKey, { name: 'Fuzz other partner' });
  const { key: otherKey } = await post<{ key: string }>(`${baseUrl}/v1/partners/${other.id}/api-keys`, adminKey, {});
  return {
    partnerKey,
    otherKey,
    x12,
    cxml,
    shopify,
    standard: { path: new URL(standard.url, baseUrl).pathname, secret: standard.secret },
    maxBytes,
    runTag,
  };
}
