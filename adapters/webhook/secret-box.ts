import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

// Webhook secrets, and the cXML shared secret we present to a partner, at rest. Checking an inbound
// HMAC, signing an outbound one and presenting our cXML secret all need the secret itself, so it
// cannot be stored as a hash like API keys: it is sealed with AES-256-GCM under the gateway's
// secret key. The row it belongs to is bound in as associated data, so a
// sealed value copied onto another row does not open there.

export interface SecretBox {
  seal(secret: string, context: string): string;
  open(sealed: string, context: string): string;
}

const version = 'v1';

/** Names the key without revealing it, so that a value sealed under another key says so. */
const keyIdOf = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 8);

export class SealedUnderAnotherKeyError extends Error {
  constructor(sealedKeyId: string, ourKeyId: string) {
    super(
      `secret was sealed under key ${sealedKeyId}, this gateway has key ${ourKeyId}: is ORDERGATE_SECRET_KEY the one this database was set up with?`,
    );
    this.name = 'SealedUnderAnotherKeyError';
  }
}

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
  const keyId = keyIdOf(key);
  return {
    seal(secret, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(context));
      const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return [version, keyId, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join(
        '.',
      );
    },
    open(sealed, context) {
      const [v, sealedKeyId, iv, ciphertext, tag] = sealed.split('.');
      if (v !== version || sealedKeyId === undefined || iv === undefined || ciphertext === undefined || tag === undefined)
        throw new Error('not a sealed secret');
      if (sealedKeyId !== keyId) throw new SealedUnderAnotherKeyError(sealedKeyId, keyId);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

let processKey: Buffer | undefined;

/**
 * A key that lives as long as this process: for a server built without one (tests). The gateway's
 * entry point always passes the configured or generated key, so secrets survive a restart.
 */
export function processSecretKey(): Buffer {
  processKey ??= randomBytes(32);
  return processKey;
}
