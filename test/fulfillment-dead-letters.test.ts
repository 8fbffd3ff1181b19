import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../adapters/amqp/index.ts';
import { waitUntil } from '../adapters/amqp/test-support.ts';
import { startAmqpGateway, type AmqpGateway } from './support/amqp-gateway.ts';
import { adminKey, type TestApp } from './support/app.ts';
import { completePersonTasks } from './support/fulfillment.ts';

// Messages that die in RabbitMQ end up in GET /v1/dead-letters with their reason; a replay sends
// one again where it was first published, and the order goes on.

const x12Bundle = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');

describe('dead letters', () => {
  let gateway: AmqpGateway;
  let t: TestApp;
  let gatewayBroker: Broker;
  let vendorBroker: Broker;
  beforeAll(async () => {
    gateway = await startAmqpGateway('dlq');
    ({ t, gatewayBroker, vendorBroker } = gateway);
    await gateway.play(['vendor-a', 'vendor-b']);
  });
  afterAll(async () => gateway?.close());

  const deadLetters = async (queue: string) =>
    (await t.request({ method: 'GET', url: `/v1/dead-letters?queue=${encodeURIComponent(queue)}`, key: adminKey })).json().deadLetters;

  it('lists a request a vendor could not take, replays it once the vendor is fixed, and the order completes', async () => {
    // vendor-c is broken: every delivery throws, until the broker gives up on the message.
    const broken = vendorBroker.consume(vendorBroker.names.vendorQueue('vendor-c'), async () => {
      throw new Error('vendor-c is down');
    });
    const acme = await t.partner('Acme', { x12: { qualifier: 'ZZ', id: 'ACMEBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' } });
    expect(
      (
        await t.request({
          method: 'POST',
          url: '/v1/x12',
          key: acme.key,
          headers: { 'content-type': 'application/edi-x12' },
          payload: x12Bundle,
        })
      ).statusCode,
    ).toBe(200);
    const [order] = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-7001', key: acme.key })).json().orders;

    const queue = gatewayBroker.names.vendorQueue('vendor-c');
    await waitUntil("the truck roll to die in vendor-c's queue", async () => (await deadLetters(queue)).length === 1, 20_000);
    const [letter] = await deadLetters(queue);
    expect(letter).toMatchObject({
      queue,
      type: 'fulfillment.request.v1',
      correlationId: order.id,
      exchange: gatewayBroker.names.requestsExchange,
      routingKey: 'vendor.vendor-c.install',
      reason: 'delivery_limit',
      replayedAt: null,
    });
    expect(JSON.parse(letter.body)).toMatchObject({ orderId: order.id, vendorId: 'vendor-c', taskName: 'truck-roll' });
    await broken.stop();
    // On the operations list, about its order, until it is replayed.
    const listed = (await t.request({ method: 'GET', url: `/v1/tasks?type=dead-letter&order=${order.id}`, key: adminKey })).json().tasks;
    expect(listed).toMatchObject([{ source: { id: letter.id }, orderId: order.id, assignedRoles: ['operations'], status: 'open' }]);

    await gateway.play(['vendor-c']);
    const replayed = await t.request({ method: 'POST', url: `/v1/dead-letters/${letter.id}/replay`, key: adminKey });
    expect(replayed.statusCode, replayed.body).toBe(200);
    expect(replayed.json().replayedAt).not.toBeNull();
    expect((await t.request({ method: 'POST', url: `/v1/dead-letters/${letter.id}/replay`, key: adminKey })).statusCode).toBe(409);
    const after = (await t.request({ method: 'GET', url: `/v1/tasks/${listed[0].id}`, key: adminKey })).json();
    expect(after).toMatchObject({ status: 'done', outcome: 'replayed' });

    const vendorTasksDone = async () =>
      (
        (await t.request({ method: 'GET', url: `/v1/orders/${order.id}/tasks`, key: acme.key })).json().tasks as {
          person: boolean;
          status: string;
        }[]
      )
        .filter((task) => !task.person)
        .every((task) => task.status === 'done');
    await waitUntil('every vendor task to be done', vendorTasksDone, 20_000);
    expect(await completePersonTasks(t, order.id, acme.key)).toBe(1);
    expect((await t.request({ method: 'GET', url: `/v1/orders/${order.id}`, key: acme.key })).json().status).toBe('ready_for_billing');
  });

  it('dead-letters a reply that is not JSON, is nested too deep or names no known task, with the reason, and keeps consuming', async () => {
    const publish = (body: string, messageId: string) =>
      vendorBroker.publish(
        [
          {
            exchange: vendorBroker.names.repliesExchange,
            routingKey: 'vendor.vendor-a.ack',
            body,
            messageId,
            correlationId: '00000000-0000-4000-8000-000000000000',
            type: 'fulfillment.ack.v1',
            appId: 'vendor-a',
          },
        ],
        5_000,
      );
    await publish('{"not json', 'poison-1');
    const unknownTask = {
      taskId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      orderId: '00000000-0000-4000-8000-000000000000',
      vendorId: 'vendor-a',
      ackedAt: '2026-11-27T10:00:00Z',
      lines: [{ lineNumber: '1', status: 'accepted', quantity: 1, uom: 'EA' }],
    };
    await publish(JSON.stringify(unknownTask), 'poison-2');
    const deep = 100_000;
    await publish(JSON.stringify(unknownTask).replace('"lines":', `"lines":${'['.repeat(deep)}${']'.repeat(deep)},"x":`), 'poison-3');
    const queue = gatewayBroker.names.repliesQueue;
    await waitUntil('the three replies to be dead letters', async () => (await deadLetters(queue)).length === 3, 20_000);
    const reasons = Object.fromEntries(
      (await deadLetters(queue)).map((l: { messageId: string; reason: string }) => [l.messageId, l.reason]),
    );
    expect(reasons['poison-1']).toMatch(/^the body is not JSON/);
    expect(reasons['poison-2']).toMatch(/^unknown-task: /);
    expect(reasons['poison-3']).toBe(`breaks asyncapi.yaml: /lines${'/0'.repeat(63)} is nested deeper than 64 arrays and objects`);
  });
});
