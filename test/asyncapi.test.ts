import { readFileSync } from 'node:fs';
import { DiagnosticSeverity, Parser, type AsyncAPIDocumentInterface, type MessageInterface } from '@asyncapi/parser';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

// The queue-message contract for vendors (DESIGN.md, "Messages to vendors"): it must parse as
// AsyncAPI 3, name the seven messages, and every example in it must be valid against its own schemas.

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const text = readFileSync(new URL('../asyncapi.yaml', import.meta.url), 'utf8');

const requestName = 'fulfillment.request.v1';
const cancelName = 'fulfillment.cancel.v1';
const replyNames = [
  'fulfillment.ack.v1',
  'fulfillment.ship.v1',
  'fulfillment.progress.v1',
  'fulfillment.complete.v1',
  'fulfillment.fail.v1',
];
const messageNames = [requestName, cancelName, ...replyNames];

type Json = Record<string, unknown>;

/** A copy of a schema without the parser's own annotations (`x-parser-schema-id`), which Ajv's strict mode would refuse. */
function withoutParserKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutParserKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith('x-parser-'))
      .map(([key, v]) => [key, withoutParserKeys(v)]),
  );
}

/** AsyncAPI 3's default schema format is a superset of JSON Schema draft-07, which is Ajv's default draft. */
function newAjv(): Ajv {
  return addFormats(new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false }));
}

/** The GS1 mod-10 check digit of an SSCC-18 is its last digit. */
function ssccCheckDigitHolds(sscc: string): boolean {
  const digits = [...sscc].map(Number);
  const check = digits.pop();
  const sum = digits.reverse().reduce((total, digit, i) => total + digit * (i % 2 === 0 ? 3 : 1), 0);
  return check === (10 - (sum % 10)) % 10;
}

describe('asyncapi.yaml', () => {
  let document: AsyncAPIDocumentInterface;
  const byName = new Map<string, MessageInterface>();

  beforeAll(async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(text);
    const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
    expect(errors.map((d) => `${d.code} ${d.message} at ${d.path.join('/')}`)).toEqual([]);
    expect(parsed).toBeDefined();
    document = parsed as AsyncAPIDocumentInterface;
    for (const message of document.components().messages()) byName.set(message.name() ?? message.id(), message);
  });

  it('has no key or empty value a stray comma in a flow mapping would make', () => {
    // `{ description: one, two }` is a description "one" and a key "two": the parser accepts it.
    const strays: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${path}/${i}`));
      else if (value !== null && typeof value === 'object') {
        for (const [key, item] of Object.entries(value)) {
          if (/\s/.test(key) || item === null) strays.push(`${path}/${key}`);
          walk(item, `${path}/${key}`);
        }
      }
    };
    walk(parseYaml(text), '');
    expect(strays).toEqual([]);
  });

  it('is AsyncAPI 3.0 over AMQP 0-9-1', () => {
    expect(document.version()).toBe('3.0.0');
    for (const server of document.servers()) {
      expect(['amqp', 'amqps']).toContain(server.protocol());
      expect(server.protocolVersion()).toBe('0-9-1');
    }
  });

  it('has the seven messages, by name', () => {
    expect([...byName.keys()].sort()).toEqual([...messageNames].sort());
    for (const name of messageNames) {
      const message = byName.get(name);
      expect(message?.contentType()).toBe('application/json');
      expect(message?.correlationId()?.location()).toBe('$message.header#/correlation_id');
      expect(message?.bindings().get('amqp')?.value()).toMatchObject({ messageType: name });
    }
  });

  it('requires the ids in every message: message and correlation id in the properties, task and order id in the body', () => {
    for (const name of messageNames) {
      const payload = byName.get(name)?.payload()?.json() as Json;
      expect(payload.required, name).toEqual(expect.arrayContaining(['taskId', 'orderId', 'vendorId']));
      const headers = withoutParserKeys(byName.get(name)?.headers()?.json()) as Json;
      const ajv = newAjv();
      const validHeaders = ajv.compile(headers);
      // Leaving out any one of the ids makes an example's properties invalid.
      const example = byName.get(name)?.examples().all()[0]?.headers() as Json;
      for (const id of ['message_id', 'correlation_id', 'type']) {
        const { [id]: _dropped, ...rest } = example;
        expect(validHeaders(rest), `${name} without ${id}`).toBe(false);
      }
    }
    const request = byName.get(requestName)?.payload()?.json() as Json;
    expect(request.required).toEqual(expect.arrayContaining(['externalRef', 'line', 'items', 'dueAt']));
  });

  it('validates every example against its message schemas, and the examples agree with their properties', () => {
    for (const name of messageNames) {
      const message = byName.get(name);
      const examples = message?.examples().all() ?? [];
      expect(examples.length, name).toBeGreaterThan(0);
      const ajv = newAjv();
      const validPayload = ajv.compile(withoutParserKeys(message?.payload()?.json()) as Json);
      const validHeaders = ajv.compile(withoutParserKeys(message?.headers()?.json()) as Json);
      for (const example of examples) {
        const label = `${name} example ${example.name() ?? '?'}`;
        const payload = example.payload() as Json;
        const headers = example.headers() as Json;
        expect(validPayload(payload) ? [] : validPayload.errors, label).toEqual([]);
        expect(validHeaders(headers) ? [] : validHeaders.errors, label).toEqual([]);
        expect(headers.type, label).toBe(name);
        expect(headers.correlation_id, label).toBe(payload.orderId);
        expect(headers.app_id, label).toBe(name === requestName || name === cancelName ? 'ordergate' : payload.vendorId);
      }
    }
  });

  it('rejects what the schemas are there to stop', () => {
    const ajv = newAjv();
    const ack = byName.get('fulfillment.ack.v1');
    const validAck = ajv.compile(withoutParserKeys(ack?.payload()?.json()) as Json);
    const ackExample = structuredClone(ack?.examples().all()[0]?.payload()) as { lines: Json[] };
    delete ackExample.lines[0]?.expectedDate;
    expect(validAck(ackExample), 'a backordered line without its date').toBe(false);

    const request = byName.get(requestName);
    const validRequest = ajv.compile(withoutParserKeys(request?.payload()?.json()) as Json);
    const { bundleId: _bundleId, ...unbundled } = request?.examples().all()[0]?.payload() as Json;
    expect(validRequest(unbundled), 'a bundle component without the bundle id').toBe(false);

    const fail = byName.get('fulfillment.fail.v1');
    const validFail = ajv.compile(withoutParserKeys(fail?.payload()?.json()) as Json);
    const failExample = fail?.examples().all()[0]?.payload() as Json;
    expect(failExample.retryable).toBe(false);
    expect(validFail({ ...failExample, retryAfter: '2025-03-04T20:00:00Z' }), 'retryAfter on a failure that is not retryable').toBe(false);
  });

  it('labels packages with SSCC-18s whose check digit holds', () => {
    const ship = byName.get('fulfillment.ship.v1');
    const ssccs = (ship?.examples().all() ?? []).flatMap((example) =>
      (example.payload() as { packages: { sscc?: string }[] }).packages.map((p) => p.sscc ?? ''),
    );
    expect(ssccs.length).toBeGreaterThan(0);
    for (const sscc of ssccs) expect(ssccCheckDigitHolds(sscc), sscc).toBe(true);
  });

  it('describes the topology: exchanges, routing keys and quorum queues with dead-lettering', () => {
    const amqp = (channel: string): Json => document.channels().get(channel)?.bindings().get('amqp')?.value() as Json;
    const address = (channel: string): string | null | undefined => document.channels().get(channel)?.address();

    expect(address('fulfillmentRequests')).toBe('vendor.{vendorId}.{taskType}');
    expect(amqp('fulfillmentRequests')).toMatchObject({
      is: 'routingKey',
      exchange: { name: 'ordergate.requests', type: 'topic', durable: true },
    });
    expect(address('vendorReplies')).toBe('vendor.{vendorId}.{replyType}');
    expect(amqp('vendorReplies')).toMatchObject({
      is: 'routingKey',
      exchange: { name: 'ordergate.vendor-replies', type: 'topic', durable: true },
    });

    for (const [channel, queue] of [
      ['vendorQueue', 'ordergate.vendor.{vendorId}'],
      ['gatewayReplies', 'ordergate.replies'],
    ] as const) {
      expect(address(channel)).toBe(queue);
      expect(amqp(channel)).toMatchObject({
        is: 'queue',
        queue: { name: queue, durable: true, exclusive: false, autoDelete: false },
        'x-arguments': {
          'x-queue-type': 'quorum',
          'x-delivery-limit': expect.any(Number),
          'x-dead-letter-exchange': 'ordergate.dlx',
          'x-dead-letter-routing-key': queue,
        },
      });
    }
    expect(amqp('retryQueue')).toMatchObject({ is: 'queue', 'x-arguments': { 'x-dead-letter-exchange': 'ordergate.retry.return' } });

    const send = document.operations().get('sendFulfillmentRequest');
    expect(send?.action()).toBe('send');
    expect(send?.bindings().get('amqp')?.value()).toMatchObject({ deliveryMode: 2, timestamp: true });
    expect(
      send
        ?.reply()
        ?.messages()
        .all()
        .map((m) => m.name())
        .sort(),
    ).toEqual([...replyNames].sort());
    const receive = document.operations().get('receiveVendorReplies');
    expect(receive?.action()).toBe('receive');
    expect(
      receive
        ?.channels()
        .all()
        .map((c) => c.address()),
    ).toEqual(['ordergate.replies']);
  });
});
