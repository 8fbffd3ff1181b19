import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { createPartner, fanOutWebhookEvents, insertWebhookSubscription } from './index.ts';

describe('webhook fan-out', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  });
  afterAll(async () => database?.drop());

  it('turns a batch of 200 events for a partner with 60 subscriptions (more than a partner may make through the API) into all 12,000 deliveries at once', async () => {
    const { db } = database;
    const created = await createPartner(db, { name: 'Many hooks' });
    if (!created.ok) throw new Error('partner');
    const partnerId = created.partner.id;
    for (let i = 0; i < 60; i += 1) {
      await insertWebhookSubscription(
        db,
        {
          id: randomUUID(),
          partnerId,
          url: `https://hooks.example.com/${i}`,
          eventTypes: ['order.acknowledged.v1'],
          sealedSecret: 'sealed',
        },
        100,
      );
    }
    const later = new Date(Date.now() + 60_000);
    await db('outbox').insert(
      Array.from({ length: 200 }, (_, i) => ({
        message_id: randomUUID(),
        type: 'order.acknowledged.v1',
        correlation_id: `order-${i}`,
        destination: 'webhooks',
        payload: JSON.stringify({ partnerId, orderId: `order-${i}` }),
        created_at: later,
      })),
    );
    // 12,000 rows of 7 columns used to be one insert binding 84,000 parameters: PostgreSQL allows 65,535.
    expect(await fanOutWebhookEvents(db, ['order.acknowledged.v1'], new Date(), 200)).toEqual({ events: 200, deliveries: 12_000 });
    expect(Number((await db('webhook_deliveries').count({ n: '*' }))[0]?.n)).toBe(12_000);
    expect(await fanOutWebhookEvents(db, ['order.acknowledged.v1'], new Date(), 200)).toEqual({ events: 0, deliveries: 0 });
  });
});
