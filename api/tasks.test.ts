import { checkMessage } from '../adapters/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../adapters/catalog/index.ts';
import type { Catalog } from '../domain/catalog.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from '../test/support/app.ts';

// Decomposition on a real PostgreSQL: the plan is stored with the order, and a person's task done
// frees the tasks waiting on it.

function demoCatalog(): Catalog {
  const loaded = loadCatalog();
  if (!loaded.ok) throw new Error('the demo catalog has problems');
  return loaded.value;
}

describe('tasks on postgres', () => {
  let t: TestApp;
  let acme: { id: string; key: string };
  let seq = 0;
  beforeAll(async () => {
    t = await startTestApp('postgres');
    acme = await t.partner('Acme');
  });
  afterAll(async () => t?.close());

  const post = async (app: TestApp, key: string, body: unknown) => {
    const res = await app.request({
      method: 'POST',
      url: '/v1/orders',
      key,
      headers: { 'idempotency-key': `task-${++seq}` },
      payload: body as object,
    });
    expect(res.statusCode).toBe(201);
    return res.json();
  };
  const tasksOf = async (orderId: string, key = acme.key) =>
    (await t.request({ method: 'GET', url: `/v1/orders/${orderId}/tasks`, key })).json().tasks;

  it("decomposes the internet bundle into the demo catalog's tasks, with a request per ready vendor task", async () => {
    const order = await post(t, acme.key, { ...sampleOrder, externalRef: 'PO-TASKS' });
    expect(order.status).toBe('decomposed');
    const tasks = await tasksOf(order.id);
    expect(
      tasks.map((task: { key: string; type: string; vendorId: string | null; status: string }) => [
        task.key,
        task.type,
        task.vendorId,
        task.status,
      ]),
    ).toEqual([
      ['1:ship', 'ship', 'vendor-a', 'ready'],
      ['2:customer-activation', 'customer-action', null, 'blocked'],
      ['2.1:ship-modem', 'ship', 'vendor-a', 'ready'],
      ['2.2:activate-port', 'activate', 'vendor-b', 'ready'],
    ]);
    expect(tasks[1]).toMatchObject({
      person: true,
      dependsOn: ['2.1:ship-modem', '2.2:activate-port'],
      lineNumber: '2',
      bundleLineNumber: '2',
    });
    expect(tasks[0]).toMatchObject({ person: false, dependsOn: [], lineNumber: '1', bundleLineNumber: null });

    const requests = await t.database.db('outbox').where({ correlation_id: order.id, type: 'fulfillment.request.v1' }).orderBy('id');
    expect(requests.map((m: { destination: string }) => m.destination)).toEqual([
      'vendor.vendor-a.ship',
      'vendor.vendor-a.ship',
      'vendor.vendor-b.activate',
    ]);
    for (const request of requests) expect(checkMessage('fulfillment.request.v1', request.payload)).toEqual([]);
    const modem = tasks[2];
    const lineId = async (lineNumber: string) =>
      (await t.database.db('order_lines').where({ order_id: order.id, line_number: lineNumber }).first('id')).id;
    expect(requests[1].payload).toMatchObject({
      taskId: modem.id,
      orderId: order.id,
      partnerId: order.partnerId,
      externalRef: order.externalRef,
      vendorId: 'vendor-a',
      taskType: 'ship',
      taskName: 'ship-modem',
      line: { lineId: await lineId('2.1'), lineNumber: '2.1', parentLineNumber: '2', bundleLineNumber: '2', sku: 'MODEM-X1', quantity: 1 },
      bundleId: await lineId('2'),
      items: [{ lineNumber: '2.1', sku: 'MODEM-X1', quantity: 1 }],
      dueAt: modem.dueAt,
    });
    const events = (await t.request({ method: 'GET', url: `/v1/orders/${order.id}/events`, key: acme.key })).json().events;
    expect(events[1]).toMatchObject({ from: 'received', to: 'decomposed', cause: 'order.decomposed', detail: { tasks: 4 } });
  });

  it("shows a partner only its own orders' tasks", async () => {
    const order = await post(t, acme.key, { ...sampleOrder, externalRef: 'PO-OWN' });
    const other = await t.partner('Other');
    expect((await t.request({ method: 'GET', url: `/v1/orders/${order.id}/tasks`, key: other.key })).statusCode).toBe(404);
    expect(await tasksOf(order.id, adminKey)).toHaveLength(4);
    const task = (await tasksOf(order.id))[1];
    expect((await t.request({ method: 'POST', url: `/v1/tasks/${task.id}/complete`, key: other.key })).statusCode).toBe(404);
  });

  it("completes a person's task only once its dependencies are done", async () => {
    const order = await post(t, acme.key, { ...sampleOrder, externalRef: 'PO-DONE' });
    const [, activation, modem] = await tasksOf(order.id);
    const early = await t.request({ method: 'POST', url: `/v1/tasks/${activation.id}/complete`, key: acme.key });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: 'invalid-state', detail: expect.stringContaining('"blocked"') });
    const vendorTask = await t.request({ method: 'POST', url: `/v1/tasks/${modem.id}/complete`, key: acme.key });
    expect(vendorTask.statusCode).toBe(409);

    // Vendor replies are not built yet: their tasks are marked done directly.
    const { db } = t.database;
    await db('tasks').where({ order_id: order.id }).whereIn('task_key', ['2.1:ship-modem', '2.2:activate-port']).update({ status: 'done' });
    const res = await t.request({ method: 'POST', url: `/v1/tasks/${activation.id}/complete`, key: acme.key });
    expect(res.statusCode).toBe(200);
    // The task as its task list keeps it: done, by whom.
    expect(res.json()).toMatchObject({
      id: activation.id,
      type: 'person-task',
      status: 'done',
      outcome: 'done',
      completedBy: `partner:${acme.id}`,
    });
    expect((await tasksOf(order.id))[1].status).toBe('done');
    const again = await t.request({ method: 'POST', url: `/v1/tasks/${activation.id}/complete`, key: adminKey });
    expect(again.json()).toMatchObject({ code: 'invalid-state', detail: expect.stringContaining('is done already') });
  });

  it("frees a blocked vendor task when the person's task it waits on is done, and sends its request", async () => {
    const catalog = demoCatalog();
    catalog.skus['WIFI-KIT'] = {
      tasks: [
        { name: 'survey', type: 'customer-action', person: true, dependsOn: [], sla: 'P1D', slaMinutes: 1440, optional: false },
        {
          name: 'ship',
          type: 'ship',
          vendor: 'vendor-a',
          person: false,
          dependsOn: ['survey'],
          sla: 'P2D',
          slaMinutes: 2880,
          optional: false,
        },
      ],
    };
    const app = await startTestApp('postgres', { catalog });
    try {
      const partner = await app.partner('Kit');
      const res = await app.request({
        method: 'POST',
        url: '/v1/orders',
        key: partner.key,
        headers: { 'idempotency-key': 'kit-1' },
        payload: { ...sampleOrder, lines: [{ lineNumber: '1', sku: 'WIFI-KIT', quantity: 3, uom: 'EA' }] },
      });
      const orderId = res.json().id;
      const requests = () => app.database.db('outbox').where({ correlation_id: orderId, type: 'fulfillment.request.v1' });
      expect(await requests()).toHaveLength(0);
      const [survey] = (await app.request({ method: 'GET', url: `/v1/orders/${orderId}/tasks`, key: partner.key })).json().tasks;
      expect((await app.request({ method: 'POST', url: `/v1/tasks/${survey.id}/complete`, key: partner.key })).statusCode).toBe(200);
      const tasks = (await app.request({ method: 'GET', url: `/v1/orders/${orderId}/tasks`, key: partner.key })).json().tasks;
      expect(tasks.map((task: { status: string }) => task.status)).toEqual(['done', 'ready']);
      const [request] = await requests();
      expect(request).toMatchObject({
        destination: 'vendor.vendor-a.ship',
        vendor_id: 'vendor-a',
        payload: { taskId: tasks[1].id, taskName: 'ship', line: { sku: 'WIFI-KIT', quantity: 3 } },
      });
      expect(request.payload).not.toHaveProperty('bundleId');
      expect(checkMessage('fulfillment.request.v1', request.payload)).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('holds an order with a SKU the catalog cannot plan, naming the line in its history, and plans nothing', async () => {
    const { default: _default, ...strict } = demoCatalog();
    const app = await startTestApp('postgres', { catalog: strict });
    try {
      const partner = await app.partner('Strict');
      const res = await app.request({
        method: 'POST',
        url: '/v1/orders',
        key: partner.key,
        headers: { 'idempotency-key': 'strict-1' },
        payload: { ...sampleOrder, lines: [{ lineNumber: '1', sku: 'GADGET-9', quantity: 1, uom: 'EA' }] },
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().status).toBe('held');
      const events = (await app.request({ method: 'GET', url: `/v1/orders/${res.json().id}/events`, key: partner.key })).json().events;
      expect(events[1]).toMatchObject({
        from: 'received',
        to: 'held',
        cause: 'order.held',
        detail: { reason: 'unresolved-items', lines: [{ lineNumber: '1', sku: 'GADGET-9' }] },
      });
      expect((await app.request({ method: 'GET', url: `/v1/orders/${res.json().id}/tasks`, key: partner.key })).json().tasks).toEqual([]);
      expect(await app.database.db('outbox').where({ correlation_id: res.json().id, type: 'fulfillment.request.v1' })).toHaveLength(0);
    } finally {
      await app.close();
    }
  });
});
