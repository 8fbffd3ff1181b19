import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../../test/support/databases.ts';
import { bringForwardFailedRequests } from './request-outbox.ts';
import { createVendor } from './vendors.ts';

// When the broker connection is back, the requests that failed to go out while it was away are due
// at once; nothing else in the outbox moves.

describe.each(databaseKinds)('bringing failed requests forward on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await createVendor(database.db, { id: 'over-http', name: 'HTTP vendor', channel: 'http', baseUrl: 'https://vendor.example.com' });
  });
  afterAll(async () => database?.drop());

  const row = (messageId: string, vendorId: string | null, lastError: string | null, state = 'pending') => ({
    message_id: messageId,
    type: 'fulfillment.request.v1',
    correlation_id: 'order-1',
    destination: `vendor.${vendorId ?? 'none'}.ship`,
    payload: '{}',
    state,
    vendor_id: vendorId,
    last_error: lastError,
    next_attempt_at: database.db.raw(`now() + interval '5 minutes'`),
  });

  it('makes due now only the pending RabbitMQ requests that failed', async () => {
    await database
      .db('outbox')
      .insert([
        row('failed-amqp', 'vendor-a', 'no confirm from the broker within 5000 ms'),
        row('failed-unregistered', 'nobody-registered', 'not connected to the broker within 5000 ms'),
        row('leased-mailbox', 'vendor-a', null),
        row('failed-http', 'over-http', 'HTTP 503'),
        row('sent', 'vendor-a', 'an old error', 'sent'),
        row('partner-event', null, 'never mind'),
      ]);
    expect(await bringForwardFailedRequests(database.db)).toBe(2);
    const due = await database.db('outbox').whereRaw('next_attempt_at <= now()').pluck('message_id');
    expect(due.sort()).toEqual(['failed-amqp', 'failed-unregistered']);
  });
});
