import { hkdfSync } from 'node:crypto';
import type { NoticeSettings } from '../../pipeline/approval-notices.ts';

// The key that signs approval links, derived from the gateway's secret key (ORDERGATE_SECRET_KEY,
// or DATA_DIR/secret.key made on the first start): every instance that shares the database and the
// secret key accepts the others' links, and nothing new has to be kept or backed up. A key of its
// own purpose, so that a link's signature can never be mistaken for a sealed secret.
export const linkKey = (secretKey: Buffer): Buffer =>
  Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'ordergate approval links v1', 32));

/** What `queueLevelNotices` needs, from the configuration (PUBLIC_BASE_URL, LINK_TTL) and the secret key. */
export const noticeSettings = (config: { publicBaseUrl: string; linkTtlMs: number }, secretKey: Buffer): NoticeSettings => ({
  baseUrl: config.publicBaseUrl,
  linkKey: linkKey(secretKey),
  linkTtlMs: config.linkTtlMs,
});
