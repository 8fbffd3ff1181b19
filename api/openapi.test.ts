import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleOrder, startTestApp, type TestApp } from '../test/support/app.ts';
import { createLogger } from '../app/logger.ts';
import { problemCodes } from './problems.ts';
import { loadSpecification, openapiPath } from './server.ts';

const redocly = fileURLToPath(new URL('../node_modules/@redocly/cli/bin/cli.js', import.meta.url));

describe('openapi.yaml is the contract', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres');
  });
  afterAll(async () => t?.close());

  it('generated types are in sync with it (run `npm run gen`)', async () => {
    const generated = astToString(await openapiTS(openapiPath));
    const committed = readFileSync(new URL('./openapi.gen.ts', import.meta.url), 'utf8');
    const strip = (text: string) => text.replace(/^\/\*\*[\s\S]*?\*\/\s*/, '').trim();
    expect(strip(committed)).toBe(strip(generated));
  });

  it('is served at /openapi.json and documented at /docs', async () => {
    const spec = await t.request({ method: 'GET', url: '/openapi.json' });
    expect(spec.statusCode).toBe(200);
    expect(spec.json()).toMatchObject({ openapi: '3.1.0', info: { title: 'ordergate' } });
    expect(Object.keys(spec.json().paths)).toEqual(Object.keys(loadSpecification().paths as object));
    const docs = await t.request({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
  });

  it('lists every problem code the API answers with, and no other', () => {
    const problem = (loadSpecification() as { components: { schemas: { Problem: { properties: { code: { enum: string[] } } } } } })
      .components.schemas.Problem;
    expect([...problem.properties.code.enum].sort()).toEqual(Object.keys(problemCodes).sort());
  });

  it('gives a real order as the create example, and the gateway takes it as it stands', async () => {
    const schema = (loadSpecification() as { components: { schemas: { OrderCreate: { examples: unknown[] } } } }).components.schemas
      .OrderCreate;
    const [example] = schema.examples;
    const partner = await t.partner('Example');
    const created = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: partner.key,
      headers: { 'idempotency-key': 'openapi-example' },
      payload: example as object,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().lines[1].components).toHaveLength(2);
  });

  it('is clean for a standard OpenAPI linter (Redocly, recommended rules)', () => {
    const lint = spawnSync(process.execPath, [redocly, 'lint', fileURLToPath(openapiPath), '--format=stylish'], {
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    expect(lint.status, `${lint.stdout}${lint.stderr}`).toBe(0);
    expect(`${lint.stdout}${lint.stderr}`).toContain('Your API description is valid');
  });

  it('every operation in it has a route', async () => {
    const paths = loadSpecification().paths as Record<string, Record<string, unknown>>;
    for (const [path, operations] of Object.entries(paths)) {
      for (const method of Object.keys(operations)) {
        const url = path.replace('{id}', '00000000-0000-4000-8000-000000000000');
        const res = await t.request({ method: method.toUpperCase() as 'GET', url });
        expect(res.body, `${method} ${path}`).not.toContain('route-not-found');
      }
    }
  });
});

describe('operations endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres');
  });
  afterAll(async () => t?.close());

  it('/healthz and /readyz answer without a key', async () => {
    expect((await t.request({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'up' });
    expect((await t.request({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready', database: 'up' });
  });

  it('/metrics counts requests, orders by channel and status, and stage durations', async () => {
    const { key } = await t.partner();
    await t.request({ method: 'POST', url: '/v1/orders', key, headers: { 'idempotency-key': 'm-1' }, payload: sampleOrder });
    const res = await t.request({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/ordergate_orders\{channel="api",status="decomposed"\} 1/);
    // The sample order's three ready vendor tasks wait in the outbox (no dispatcher runs here).
    expect(res.body).toMatch(/ordergate_fulfillment_requests\{state="pending"\} 3/);
    expect(res.body).toMatch(/ordergate_fulfillment_oldest_pending_seconds \d/);
    expect(res.body).toMatch(/ordergate_http_requests_total\{method="POST",route="\/v1\/orders",status="201"\} 1/);
    for (const stage of ['receive', 'validate', 'dedupe', 'store'])
      expect(res.body).toContain(`ordergate_pipeline_stage_duration_seconds_count{stage="${stage}"} 1`);
  });

  it('echoes a request id', async () => {
    const res = await t.request({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'req-42' } });
    expect(res.headers['x-request-id']).toBe('req-42');
  });
});

describe('logs', () => {
  it('are JSON with the request id and order id, and never hold a key', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const t = await startTestApp('postgres', { logger });
    try {
      const { key } = await t.partner();
      const created = await t.request({
        method: 'POST',
        url: '/v1/orders',
        key,
        headers: { 'idempotency-key': 'log-1', 'x-request-id': 'req-log-1' },
        payload: sampleOrder,
      });
      const orderId = created.json().id;
      await t.request({ method: 'GET', url: '/v1/orders', key: 'ogp_not-a-real-key-but-secret' });
      const entries = lines.map((line) => JSON.parse(line));
      expect(entries).toContainEqual(expect.objectContaining({ reqId: 'req-log-1', orderId }));
      const all = lines.join('\n');
      expect(all).not.toContain(key);
      expect(all).not.toContain('ogp_not-a-real-key-but-secret');
    } finally {
      await t.close();
    }
  });
});
