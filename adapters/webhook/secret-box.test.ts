import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import { SealedUnderAnotherKeyError, secretBox } from './secret-box.ts';
import { loadSecretKey } from './secret-key.ts';

describe('secret box (AES-256-GCM)', () => {
  const box = secretBox(randomBytes(32));

  it('opens what it sealed, and the sealed text does not hold the secret', () => {
    const sealed = box.seal('whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0', 'webhook-source:1');
    expect(sealed).not.toContain('c2VjcmV0');
    expect(box.seal('same', 'ctx')).not.toBe(box.seal('same', 'ctx'));
    expect(box.open(sealed, 'webhook-source:1')).toBe('whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0');
  });

  it('refuses a sealed value moved to another row, changed, or sealed under another key', () => {
    const sealed = box.seal('secret', 'webhook-source:1');
    expect(() => box.open(sealed, 'webhook-source:2')).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'), 'webhook-source:1')).toThrow();
    expect(() => secretBox(randomBytes(32)).open(sealed, 'webhook-source:1')).toThrow(SealedUnderAnotherKeyError);
  });
});

describe('the secret key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ordergate-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is generated once under DATA_DIR, owner-only, and read back on the next start', () => {
    const first = loadSecretKey(undefined, join(dir, 'data'));
    expect(first.source).toEqual({ from: 'file', path: join(dir, 'data', 'secret.key'), created: true });
    expect(statSync(join(dir, 'data', 'secret.key')).mode & 0o777).toBe(0o600);
    const second = loadSecretKey(undefined, join(dir, 'data'));
    expect(second.source).toMatchObject({ created: false });
    expect(second.key.equals(first.key)).toBe(true);
  });

  it('comes from ORDERGATE_SECRET_KEY when set, as base64 or hex, and a wrong one stops the start without echoing it', () => {
    const key = randomBytes(32);
    expect(loadConfig({ ORDERGATE_SECRET_KEY: key.toString('base64') }).secretKey?.equals(key)).toBe(true);
    expect(loadConfig({ ORDERGATE_SECRET_KEY: key.toString('hex') }).secretKey?.equals(key)).toBe(true);
    expect(loadSecretKey(key, dir).source).toEqual({ from: 'config' });
    expect(() => loadConfig({ ORDERGATE_SECRET_KEY: 'too-short-a-key' })).toThrow(/ORDERGATE_SECRET_KEY must be 32 bytes/);
    expect(() => loadConfig({ ORDERGATE_SECRET_KEY: 'too-short-a-key' })).not.toThrow(/too-short/);
  });

  it('refuses a key file others can read, or one that is not a key', () => {
    const path = join(dir, 'open', 'secret.key');
    loadSecretKey(undefined, join(dir, 'open'));
    chmodSync(path, 0o644);
    expect(() => loadSecretKey(undefined, join(dir, 'open'))).toThrow(/chmod 600/);
    chmodSync(path, 0o600);
    writeFileSync(path, 'not a key\n');
    expect(() => loadSecretKey(undefined, join(dir, 'open'))).toThrow(/32-byte/);
  });
});
