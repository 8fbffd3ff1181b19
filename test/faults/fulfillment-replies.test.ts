import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rawBroker } from '../../adapters/amqp/test-support.ts';
import { repliesFor } from '../../cli/vendor-sim/replies.ts';
import type { FulfillmentRequest } from '../../domain/fulfillment-request.ts';
import { replyKind } from '../../domain/vendor-reply.ts';
import { demoVendors } from '../support/fulfillment.ts';
import { gatewayAdminKey } from './gateway-process.ts';
import { expectBalanced, mixedOrders, orderCount, rigPerTest } from './fulfillment-rig.ts';

// Replies that arrive more than once, at the same moment, by both roads (the reply queue and
// POST /v1/vendor/replies), and replies that can never be applied. The inbox makes the repeats
// change nothing; the poison goes to the dead letters with its reason while the consumer carries
// on with the good ones.

interface Posted {
  messageId: string;
  status: number;
  outcome: string;
}

describe('vendor replies: duplicates and poison', () => {
  const rigFor = rigPerTest();

  it('the same reply published twice at once and POSTed twice at once is applied once; a person task completed three times at once is completed once', async () => {
    const rig = await rigFor('duplicate-replies');
    const gateway = await rig.gateway();
    const broker = rig.vendorBroker;
    const names = broker.names;
    const sent = new Set<string>();
    const posted: Posted[] = [];
    const failures: string[] = [];

    // A vendor that sends every reply four times at once: two copies in one publish, one more
    // publish, and two POSTs to the mailbox endpoint (the admin key acts for the vendor it names).
    const consumers = [];
    for (const vendorId of demoVendors) {
      await broker.declareVendor(vendorId);
      consumers.push(
        broker.consume(names.vendorQueue(vendorId), async (delivery) => {
          const request = JSON.parse(delivery.body.toString('utf8')) as FulfillmentRequest;
          for (const { messageId, reply } of repliesFor(request)) {
            sent.add(messageId);
            const message = {
              exchange: names.repliesExchange,
              routingKey: `vendor.${vendorId}.${replyKind(reply.type)}`,
              body: JSON.stringify(reply.body),
              messageId,
              correlationId: request.orderId,
              type: reply.type,
              appId: vendorId,
            };
            const post = async (): Promise<Posted> => {
              const res = await fetch(`${gateway.url}/v1/vendor/replies`, {
                method: 'POST',
                headers: { authorization: `Bearer ${gatewayAdminKey}`, 'content-type': 'application/json' },
                body: JSON.stringify({ messageId, type: reply.type, body: reply.body }),
              });
              const body = (await res.json()) as { outcome?: string; detail?: string };
              return { messageId, status: res.status, outcome: body.outcome ?? body.detail ?? '?' };
            };
            const [twice, once, ...answers] = await Promise.all([
              broker.publish([message, message], 10_000),
              broker.publish([message], 10_000),
              post(),
              post(),
            ]);
            for (const outcome of [...twice, ...once]) if (!outcome.ok) failures.push(`${messageId}: ${outcome.error}`);
            posted.push(...answers);
          }
          return { ack: true };
        }),
      );
    }

    try {
      const submissions = mixedOrders('DR', 16, 2);
      await rig.submit(submissions, { targets: () => [gateway.url] });
      const { completions } = await rig.completeOrders(() => [gateway.url], { copies: 3 });
      await expectBalanced(rig, 'duplicate replies', orderCount(submissions));

      expect(failures, 'every copy confirmed by the broker').toEqual([]);
      // Every POST answered 200: applied by at most one of all the copies, the others duplicates.
      expect(posted.filter((p) => p.status !== 200)).toEqual([]);
      const appliedOverHttp = new Map<string, number>();
      for (const p of posted) if (p.outcome === 'applied') appliedOverHttp.set(p.messageId, (appliedOverHttp.get(p.messageId) ?? 0) + 1);
      expect(
        [...appliedOverHttp.values()].filter((n) => n > 1),
        'a message applied twice over HTTP',
      ).toEqual([]);
      expect(posted.filter((p) => p.outcome === 'duplicate').length, 'POSTs that found their reply applied already').toBeGreaterThan(
        sent.size / 2,
      );
      expect(posted.filter((p) => !['applied', 'duplicate', 'ignored'].includes(p.outcome))).toEqual([]);

      // One inbox row per reply sent, no more, no fewer.
      const inbox: { message_id: string }[] = await rig.db('inbox').select('message_id');
      expect(inbox.length).toBe(sent.size);
      expect(new Set(inbox.map((row) => row.message_id))).toEqual(sent);

      // Three people finishing the same task at once: one 200, two 409 (the task is done).
      expect(completions.length).toBeGreaterThan(0);
      for (const statuses of completions) expect([...statuses].sort()).toEqual([200, 409, 409]);
    } finally {
      await Promise.all(consumers.map((c) => c.stop()));
    }
  });

  it('poison replies (not JSON, breaking the contract, for an unknown task, without a message id, from the wrong vendor) become dead letters with their reason; the good ones around them are applied', async () => {
    const rig = await rigFor('poison-replies');
    await rig.startVendors();
    const gateway = await rig.gateway();
    const names = rig.vendorBroker.names;
    const validAck = (taskId: string, vendorId = 'vendor-a') => ({
      taskId,
      orderId: randomUUID(),
      vendorId,
      ackedAt: new Date().toISOString(),
      lines: [{ lineNumber: '1', status: 'accepted', quantity: 1, uom: 'EA' }],
    });
    const poison = [
      { messageId: 'poison-not-json', vendor: 'vendor-a', body: '{"taskId": "half a document', reason: /the body is not JSON/ },
      {
        messageId: 'poison-contract',
        vendor: 'vendor-a',
        body: JSON.stringify({ taskId: 42, note: 'not an ack' }),
        reason: /breaks asyncapi\.yaml/,
      },
      { messageId: 'poison-unknown-task', vendor: 'vendor-a', body: JSON.stringify(validAck(randomUUID())), reason: /unknown-task/ },
      { messageId: undefined, vendor: 'vendor-a', body: JSON.stringify(validAck(randomUUID())), reason: /no message_id/ },
      {
        messageId: 'poison-wrong-vendor',
        vendor: 'vendor-b',
        body: JSON.stringify(validAck(randomUUID(), 'vendor-a')),
        reason: /wrong-vendor/,
      },
    ];
    const { model, channel } = await rawBroker();
    model.on('error', () => undefined);
    const publishPoison = async (items: typeof poison) => {
      for (const item of items) {
        channel.publish(names.repliesExchange, `vendor.${item.vendor}.ack`, Buffer.from(item.body), {
          ...(item.messageId === undefined ? {} : { messageId: item.messageId }),
          type: 'fulfillment.ack.v1',
          appId: item.vendor,
          contentType: 'application/json',
          persistent: true,
        });
      }
      await channel.waitForConfirms();
    };

    try {
      // Poison first, then orders, more poison in the middle of the stream, then the rest.
      const submissions = mixedOrders('PR', 24, 3);
      const half = Math.floor(submissions.length / 2);
      await publishPoison(poison.slice(0, 2));
      await rig.submit(submissions.slice(0, half), { targets: () => [gateway.url], concurrency: 3, pauseMs: 30 });
      await publishPoison(poison.slice(2));
      await rig.submit(submissions.slice(half), { targets: () => [gateway.url], concurrency: 3, pauseMs: 30 });
      await rig.completeOrders(() => [gateway.url]);
      await expectBalanced(rig, 'poison replies', orderCount(submissions));
    } finally {
      await model.close().catch(() => undefined);
    }

    const res = await fetch(`${gateway.url}/v1/dead-letters?limit=100`, { headers: { authorization: `Bearer ${gatewayAdminKey}` } });
    expect(res.status).toBe(200);
    const { deadLetters } = (await res.json()) as {
      deadLetters: { messageId: string | null; queue: string; reason: string; body: string }[];
    };
    expect(deadLetters).toHaveLength(poison.length);
    for (const item of poison) {
      const letter = deadLetters.find((d) => d.messageId === (item.messageId ?? null) && d.body === item.body);
      expect(letter, `dead letter ${item.messageId ?? '(no id)'}`).toBeDefined();
      expect(letter?.queue).toBe(names.repliesQueue);
      expect(letter?.reason).toMatch(item.reason);
    }
    // Refused replies leave no trace in the inbox, and none made the consumer throw.
    expect(await rig.db('inbox').whereLike('message_id', 'poison-%').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(gateway.output()).not.toMatch(/handler threw/);
  });
});
