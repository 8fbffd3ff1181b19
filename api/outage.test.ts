import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { connectDatabase, ensureAdminKey, migrateToLatest } from '../adapters/db/index.ts';
import { processSecretKey } from '../adapters/webhook/index.ts';
import { composeServer, startCatalog } from '../app/compose.ts';
import { createLogger } from '../app/logger.ts';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { startTcpProxy, type TcpProxy } from '../test/support/tcp-proxy.ts';
import { buildServer } from './server.ts';

// A database outage is said once, at warn, with its cause, and its end once at info; the requests
// meanwhile are answered 503 without an error line each (nor a "401" from the key lookup that
// could not be made). The server reaches its database through a port of this test's own.

const adminKey = 'outage-admin-key-0123456789abcdef';

describe('a database outage in the logs', () => {
  let app: FastifyInstance;
  const lines: { level: number; msg: string; cause?: string }[] = [];
  let proxy: TcpProxy;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const created = await createPostgresDatabase();
    const url = new URL(created.url);
    proxy = await startTcpProxy({ targetPort: Number(url.port || 5432) });
    url.port = String(proxy.port);
    const db = connectDatabase({ url: created.url, dataDir: '' });
    await migrateToLatest(db);
    await ensureAdminKey(db, adminKey);
    await db.destroy();
    const proxied = connectDatabase({ url: url.toString(), dataDir: '' });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    app = await buildServer(
      composeServer({
        db: proxied,
        catalog: startCatalog(),
        secretKey: processSecretKey(),
        bodyLimitBytes: 1024 * 1024,
        amqp: false,
        logger: createLogger('info', sink),
      }),
    );
    close = async () => {
      await app.close();
      await proxied.destroy();
      await proxy.close();
      await created.drop();
    };
  });
  afterAll(async () => close?.());

  it('warns once when it goes, answers 503 quietly meanwhile, and says once when it is back', async () => {
    const list = () => app.inject({ method: 'GET', url: '/v1/vendors', headers: { authorization: `Bearer ${adminKey}` } });
    expect((await list()).statusCode).toBe(200);

    // The database goes away: every connection cut, new ones refused.
    void proxy.refuseUntilResumed();
    proxy.cutAll();
    const during = await Promise.all([list(), list(), list(), app.inject({ method: 'GET', url: '/readyz' })]);
    expect(during.map((r) => r.statusCode)).toEqual([503, 503, 503, 503]);
    expect(during.map((r) => JSON.parse(r.body).code)).toEqual(Array(4).fill('service-unavailable'));
    const down = lines.filter((l) => /database unavailable/.test(l.msg));
    expect(down).toHaveLength(1);
    expect(down[0]?.level).toBe(40);
    expect(down[0]?.cause).toMatch(/ECONNREFUSED|connect|terminated/i);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    // No 401 answer and no SecurityError from the key lookup that could not be made.
    expect(lines.filter((l) => /"statusCode":401\b|SecurityError/.test(JSON.stringify(l)))).toEqual([]);

    await proxy.resume();
    expect((await list()).statusCode).toBe(200);
    const back = lines.filter((l) => /database available again after \d+ ms/.test(l.msg));
    expect(back).toHaveLength(1);
    expect(back[0]?.level).toBe(30);
  });
});
