import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Logger } from 'pino';
import { createPartner, createPartnerKey, ensureAdminKey, type NewPartner } from '../../adapters/db/index.ts';
import { processSecretKey } from '../../adapters/webhook/index.ts';
import { buildServer, type ServerDeps } from '../../api/server.ts';
import { composeServer, startCalendars, startCatalog, type Parts } from '../../app/compose.ts';
import type { Catalog } from '../../domain/catalog.ts';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './databases.ts';

export const adminKey = 'test-admin-key-0123456789abcdef';

export interface TestApp {
  app: FastifyInstance;
  /** What the server was built with, for workers and checks in the same test. */
  deps: ServerDeps;
  database: TestDatabase;
  /** A new partner and its key. */
  partner(name?: string, identities?: Omit<NewPartner, 'name'>): Promise<{ id: string; key: string }>;
  request(options: InjectOptions & { key?: string }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startTestApp(
  kind: DatabaseKind,
  options: { bodyLimitBytes?: number; logger?: Logger; catalog?: Catalog; server?: Partial<Parts> } = {},
): Promise<TestApp> {
  const database = await createTestDatabase(kind);
  await ensureAdminKey(database.db, adminKey);
  const deps = composeServer({
    db: database.db,
    catalog: options.catalog ?? startCatalog(),
    secretKey: processSecretKey(),
    bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
    amqp: false,
    calendars: startCalendars(undefined),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...options.server,
  });
  const app = await buildServer(deps);
  await app.ready();
  return {
    app,
    deps,
    database,
    async partner(name = 'Acme', identities: Omit<NewPartner, 'name'> = {}) {
      const created = await createPartner(database.db, { name, ...identities }, deps.secrets);
      if (!created.ok) throw new Error(`${created.taken} identity already taken`);
      const { partner } = created;
      const { key } = await createPartnerKey(database.db, partner.id);
      return { id: partner.id, key };
    },
    request({ key, headers, ...rest }) {
      return app.inject({ ...rest, headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...headers } });
    },
    async close() {
      await app.close();
      deps.outbound.close();
      await database.drop();
    },
  };
}

/** The order of the spine issue: a plain line and an internet bundle with two components. */
export const sampleOrder = {
  externalRef: 'PO-1001',
  orderDate: '2026-11-27',
  currency: 'USD',
  buyer: { name: 'Acme Corp' },
  shipTo: { name: 'Acme DC', address: { lines: ['1 Main St'], city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' } },
  lines: [
    { lineNumber: '1', sku: 'MODEM-X1', quantity: 2, uom: 'EA', unitPrice: 49.5 },
    {
      lineNumber: '2',
      sku: 'INTERNET-100',
      quantity: 1,
      uom: 'EA',
      unitPrice: 59.99,
      components: [
        { lineNumber: '2.1', sku: 'MODEM-X1', quantity: 1, uom: 'EA' },
        { lineNumber: '2.2', sku: 'PORT-ACT', quantity: 1, uom: 'EA' },
      ],
    },
  ],
};
