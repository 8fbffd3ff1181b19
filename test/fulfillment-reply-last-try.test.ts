import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawBroker, waitUntil } from '../adapters/amqp/test-support.ts';
import { repliesFor } from '../cli/vendor-sim/replies.ts';
import type { FulfillmentRequest } from '../domain/fulfillment-request.ts';
import { startAmqpGateway, type AmqpGateway } from './support/amqp-gateway.ts';
import { adminKey } from './support/app.ts';

// A vendor's reply that the broker dead-letters only for its delivery limit (the gateways holding it
// were killed again and again) is not lost to the dead letters: the mover gives it one last try, and
// if it applies, no dead letter is kept. A reply that is wrong on its merits still becomes one.

const x12Bundle = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');

describe('a reply dead-lettered for its delivery limit', () => {
  let gateway: AmqpGateway;
  beforeAll(async () => {
    gateway = await startAmqpGateway('lasttry');
  });
  afterAll(async () => gateway?.close());

  /** Publishes into the DLQ as the broker does when a reply runs out of deliveries. */
  async function dieOfDeliveryLimit(messageId: string, type: string, body: unknown, routingKey: string): Promise<void> {
    const { names } = gateway.gatewayBroker;
    const { model, channel } = await rawBroker();
    try {
      channel.publish(names.deadLetterExchange, names.repliesQueue, Buffer.from(JSON.stringify(body)), {
        messageId,
        type,
        appId: 'vendor-a',
        contentType: 'application/json',
        persistent: true,
        headers: {
          'x-first-death-reason': 'delivery_limit',
          'x-first-death-queue': names.repliesQueue,
          'x-first-death-exchange': names.repliesExchange,
          'x-death': [
            {
              reason: 'delivery_limit',
              queue: names.repliesQueue,
              exchange: names.repliesExchange,
              'routing-keys': [routingKey],
              count: { '!': 'long', value: 1 },
            },
          ],
        },
      });
      await channel.waitForConfirms();
    } finally {
      await model.close();
    }
  }

  it('applies a good one on its last try and keeps no dead letter; a wrong one stays a dead letter with both reasons', async () => {
    const { t } = gateway;
    const acme = await t.partner('Acme', { x12: { qualifier: 'ZZ', id: 'ACMEBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' } });
    const posted = await t.request({
      method: 'POST',
      url: '/v1/x12',
      key: acme.key,
      headers: { 'content-type': 'application/edi-x12' },
      payload: x12Bundle,
    });
    expect(posted.statusCode).toBe(200);
    const [row] = await t.database.db('outbox').where({ vendor_id: 'vendor-a', type: 'fulfillment.request.v1' }).select('payload');
    const request = row.payload as FulfillmentRequest;
    const [ack] = repliesFor(request);
    if (ack === undefined) throw new Error('no ack');

    await dieOfDeliveryLimit(ack.messageId, ack.reply.type, ack.reply.body, 'vendor.vendor-a.ack');
    await waitUntil(
      'the ack applied',
      async () => (await t.database.db('inbox').where({ message_id: ack.messageId })).length === 1,
      15_000,
    );
    const wrongTask = { ...ack.reply.body, taskId: '00000000-0000-4000-8000-000000000000' };
    await dieOfDeliveryLimit('wrong-task-1', ack.reply.type, wrongTask, 'vendor.vendor-a.ack');
    const queue = gateway.gatewayBroker.names.repliesQueue;
    const letters = async () =>
      (await t.request({ method: 'GET', url: `/v1/dead-letters?queue=${queue}`, key: adminKey })).json().deadLetters;
    await waitUntil('the wrong one kept as a dead letter', async () => (await letters()).length === 1, 15_000);
    const [letter] = await letters();
    expect(letter).toMatchObject({ messageId: 'wrong-task-1', routingKey: 'vendor.vendor-a.ack' });
    expect(letter.reason).toMatch(/^delivery_limit, then unknown-task: /);
    // The good one left no dead letter behind: the only one is the wrong one.
    expect((await letters()).map((l: { messageId: string }) => l.messageId)).toEqual(['wrong-task-1']);
  });
});
