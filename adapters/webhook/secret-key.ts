import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// The key that seals webhook secrets, when ORDERGATE_SECRET_KEY does not give one: read from
// DATA_DIR/secret.key, or made there on the first start (owner-only, mode 0600), so that
// `npm start` works on a bare machine and secrets outlive a restart.

export type SecretKeySource = { from: 'config' } | { from: 'file'; path: string; created: boolean };

export function loadSecretKey(configured: Buffer | undefined, dataDir: string): { key: Buffer; source: SecretKeySource } {
  if (configured !== undefined) return { key: configured, source: { from: 'config' } };
  const path = resolve(join(dataDir, 'secret.key'));
  try {
    return { key: readKeyFile(path), source: { from: 'file', path, created: false } };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    // 'wx': two instances starting at once on one directory must not each write their own key.
    writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return { key: readKeyFile(path), source: { from: 'file', path, created: false } };
    throw error;
  }
  return { key, source: { from: 'file', path, created: true } };
}

function readKeyFile(path: string): Buffer {
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (key.length !== 32)
    throw new Error(`${path} does not hold a 32-byte base64 key; restore it from a backup or set ORDERGATE_SECRET_KEY`);
  if ((statSync(path).mode & 0o077) !== 0) throw new Error(`${path} can be read by others than its owner; run chmod 600 on it`);
  return key;
}
