import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBroker, type Broker } from '../adapters/amqp/index.ts';
import { brokerUrl, deleteTopology, memoryLog, rawBroker, testPrefix } from '../adapters/amqp/test-support.ts';
import { createVendor } from '../adapters/db/index.ts';
import { dispatchJob } from '../app/jobs/dispatch.ts';
import { createTestDatabase, type TestDatabase } from './support/databases.ts';

// The dispatcher on the real PostgreSQL and RabbitMQ: one round claims hundreds of due requests in
// one statement, publishes them all before awaiting any confirm, and records every outcome. Only
// the broker's ack makes a request sent: one it nacks (a full queue that rejects publishes) and one
// it returns (no queue bound: mandatory, unroutable) stay pending with their own back-off.

const vendors = ['bulk-a', 'bulk-b'];
const many = 300;

interface OutboxState {
  message_id: string;
  state: string;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
}

describe('a dispatch round of many requests', () => {
  let database: TestDatabase;
  let broker: Broker;
  const prefix = testPrefix();
  const fullQueue = `${prefix}.full`;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    broker = connectBroker({ url: brokerUrl, prefix, connectionName: `dispatch-batch-${prefix}`, log: memoryLog() });
    await broker.ready();
    for (const vendor of vendors) await broker.declareVendor(vendor);
    const { model, channel } = await rawBroker();
    await channel.assertQueue(fullQueue, { durable: true, arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' } });
    await channel.bindQueue(fullQueue, broker.names.requestsExchange, 'vendor.full.ship');
    await model.close();
    // A mailbox vendor's requests wait in the same outbox for the vendor to lease them: no dispatcher takes them.
    await createVendor(database.db, { id: 'by-mail', name: 'Mailbox vendor', channel: 'mailbox' });
  });
  afterAll(async () => {
    await broker?.close();
    await database?.drop();
    await deleteTopology(prefix, vendors, undefined, [fullQueue]);
  });

  const request = (messageId: string, vendorId: string) => ({
    message_id: messageId,
    type: 'fulfillment.request.v1',
    correlation_id: `order-${messageId}`,
    destination: `vendor.${vendorId}.ship`,
    payload: JSON.stringify({ requestId: messageId, vendorId }),
    vendor_id: vendorId,
  });

  it('publishes every due request in one round and marks sent only what the broker confirmed', async () => {
    const rows = Array.from({ length: many }, (_, n) => request(`bulk-${n}`, vendors[n % vendors.length] as string));
    await database
      .db('outbox')
      .insert([...rows, request('to-a-full-queue', 'full'), request('to-nobody', 'ghost'), request('for-the-mailbox', 'by-mail')]);
    const claims: string[] = [];
    database.db.on('query', (query: { sql: string }) => {
      if (/from "outbox".* skip locked/is.test(query.sql)) claims.push(query.sql);
    });
    const job = dispatchJob({
      db: database.db,
      broker,
      vendorQueues: async () => undefined,
      log: { warn: () => undefined },
      batch: 500,
      rounds: 1,
      idleMs: 20,
      confirmTimeoutMs: 10_000,
      httpPolicy: { retries: 0, minTimeoutMs: 10, maxTimeoutMs: 10, timeoutMs: 1_000 },
      // No HTTP vendor here: a POST would fail the test.
      outbound: undefined as never,
    });
    expect(await job.run()).toBe(true);
    expect(claims).toHaveLength(1);

    const states = (await database
      .db('outbox')
      .select('message_id', 'state', 'attempts', 'last_error', 'next_attempt_at')) as OutboxState[];
    const byId = new Map(states.map((row) => [row.message_id, row]));
    const sent = states.filter((row) => row.state === 'sent');
    expect(sent).toHaveLength(many);
    expect(sent.every((row) => row.attempts === 1 && row.last_error === null)).toBe(true);
    const later = Date.now() + 200;
    expect(byId.get('to-a-full-queue')).toMatchObject({ state: 'pending', attempts: 1, last_error: 'nacked by the broker' });
    expect(byId.get('to-nobody')).toMatchObject({ state: 'pending', attempts: 1, last_error: expect.stringMatching(/^unroutable/) });
    expect(byId.get('for-the-mailbox')).toMatchObject({ state: 'pending', attempts: 0, last_error: null });
    for (const id of ['to-a-full-queue', 'to-nobody'])
      expect(new Date(byId.get(id)?.next_attempt_at ?? 0).getTime()).toBeGreaterThan(later);

    // What the broker holds, counted by the broker.
    const { model, channel } = await rawBroker();
    let queued = 0;
    for (const vendor of vendors) queued += (await channel.checkQueue(broker.names.vendorQueue(vendor))).messageCount;
    await model.close();
    expect(queued).toBe(many);

    // Nothing due is left for this round's vendors: the next round finds only what waits out its back-off.
    expect(await job.run()).toBe(false);
  });
});
