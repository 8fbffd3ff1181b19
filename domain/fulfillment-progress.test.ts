import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../adapters/catalog/index.ts';
import { checkCatalog, type Catalog } from './catalog.ts';
import {
  applyTaskEvent,
  maxTaskRetries,
  type Effects,
  type FulfillmentState,
  type LineState,
  type Outcome,
  type PartnerAnswer,
  type TaskState,
} from './fulfillment-progress.ts';
import { invoiceTotalCents } from './invoice.ts';
import type { OrderStatus } from './order-status.ts';
import { validateOrder, type LineDraft, type StoredOrder } from './order.ts';
import { planOrder } from './plan.ts';
import type { Result } from './result.ts';
import type { Shipment } from './shipment.ts';
import { initialTaskStatus, type TaskStatus } from './task-status.ts';
import type { TaskEvent, VendorLineAck } from './vendor-reply.ts';

// The reducer driven the way pipeline/fulfillment.ts drives it: a state as the store reads it,
// one event, the effects written back (applyEffects below, as adapters/db/fulfillment-store.ts
// writes them), the next event.

const orderId = 'order-1';
const at = new Date('2026-12-01T10:00:00.000Z');
const today = '2026-12-01';

function unwrap<T>(result: Result<T, unknown>): T {
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

const demoCatalog = unwrap(loadCatalog());

/** A vendor task that frees another vendor task, then a person's: what the demo catalog lacks. */
const chainCatalog: Catalog = unwrap(
  checkCatalog({
    vendors: { 'vendor-b': { name: 'B' }, 'vendor-c': { name: 'C' } },
    skus: {
      'FIBER-200': {
        tasks: [
          { name: 'survey', type: 'install', vendor: 'vendor-c', sla: 'P2D' },
          { name: 'splice', type: 'activate', vendor: 'vendor-b', dependsOn: ['survey'], sla: 'P1D' },
          { name: 'welcome', type: 'customer-action', person: true, dependsOn: ['splice'], sla: 'P3D' },
        ],
      },
    },
  }),
);

const line = (lineNumber: string, sku: string, quantity: number, extra: Partial<LineDraft> = {}): LineDraft => ({
  lineNumber,
  sku,
  quantity,
  uom: 'EA',
  origin: `/lines/${lineNumber}`,
  ...extra,
});

/** A stand-alone modem × 2, then INTERNET-100 with its modem, port and professional installation. */
const demoLines = (): LineDraft[] => [
  line('1', 'MODEM-X1', 2, { unitPrice: 49.5 }),
  line('2', 'INTERNET-100', 1, { unitPrice: 59.99 }),
  line('2.1', 'MODEM-X1', 1, { parentLineNumber: '2' }),
  line('2.2', 'PORT-ACT', 1, { parentLineNumber: '2' }),
  line('2.3', 'TRUCK-ROLL', 1, { parentLineNumber: '2' }),
];

const idOf = (key: string): string => `task-${key}`;

/**
 * The order as it stands once decomposed: validated and planned for real, every ready vendor
 * task's request sent (dispatched), the others blocked, no line answered yet.
 */
function stateFor(lines: LineDraft[], options: { catalog?: Catalog; status?: OrderStatus } = {}): FulfillmentState {
  const canonical = unwrap(
    validateOrder({ channel: 'api', externalRef: 'PO-1001', orderType: 'new', orderDate: '2026-11-27', currency: 'USD', lines }),
  );
  const order: StoredOrder = {
    ...canonical,
    id: orderId,
    partnerId: 'partner-1',
    status: options.status ?? 'decomposed',
    createdAt: '2026-11-27T09:00:00.000Z',
    updatedAt: '2026-11-27T09:00:00.000Z',
    lines: canonical.lines.map((orderLine) => ({
      ...orderLine,
      id: `line-${orderLine.lineNumber}`,
      ...(orderLine.parentLineNumber === undefined ? {} : { parentLineId: `line-${orderLine.parentLineNumber}` }),
      status: 'open',
    })),
  };
  const plan = unwrap(planOrder(order, options.catalog ?? demoCatalog));
  const tasks = plan.tasks.map((planned): TaskState => {
    const initial = initialTaskStatus(planned);
    return {
      id: idOf(planned.key),
      key: planned.key,
      type: planned.type,
      vendorId: planned.vendor ?? null,
      person: planned.person,
      role: planned.role ?? null,
      dependsOn: planned.dependsOn,
      lineNumber: planned.lineNumber,
      bundleLineNumber: planned.bundleLineNumber ?? null,
      status: initial === 'ready' && !planned.person ? 'dispatched' : initial,
      dueAt: new Date(at.getTime() + planned.slaMinutes * 60_000).toISOString(),
      retries: 0,
    };
  });
  return {
    order,
    tasks,
    lines: new Map(order.lines.map((orderLine): [string, LineState] => [orderLine.lineNumber, { status: 'open', shippedQuantity: 0 }])),
    shipments: new Set(),
    heldShipments: [],
    heldCompletions: new Set(),
  };
}

/** The effects written back as the store writes them; the outbox then sends the freed vendor tasks. */
function applyEffects(state: FulfillmentState, effects: Effects): FulfillmentState {
  let status = state.order.status;
  for (const step of effects.orderSteps) {
    // The store updates `where status = step.from`, and throws when that matches no row.
    if (step.from !== status) throw new Error(`order step ${step.from} → ${step.to} while the order is ${status}`);
    status = step.to;
  }
  const sent = new Set(effects.send.map((task) => task.id));
  const tasks = state.tasks.map((task): TaskState => ({
    ...task,
    status: sent.has(task.id) ? 'dispatched' : (effects.tasks.get(task.id) ?? task.status),
    retries: effects.resend?.task.id === task.id ? task.retries + 1 : task.retries,
  }));
  const lines = new Map(state.lines);
  for (const [lineNumber, lineState] of effects.lines) lines.set(lineNumber, lineState);
  const shipments = new Set(state.shipments);
  let heldShipments: Shipment[] = state.heldShipments.filter((shipment) => !effects.reported.includes(shipment.shipmentId));
  if (effects.shipment !== undefined) {
    const { taskId, vendorId, reported, ...body } = effects.shipment;
    shipments.add(`${vendorId}:${body.shipmentId}:${taskId}`);
    if (!reported) heldShipments = [...heldShipments, body];
  }
  // The store keeps a held completion in its inbox row until a shipment applies it.
  const heldCompletions = new Set([...state.heldCompletions].filter((taskId) => !effects.released.includes(taskId)));
  if (effects.hold !== undefined) heldCompletions.add(effects.hold.taskId);
  const order = {
    ...state.order,
    status,
    lines: state.order.lines.map((orderLine) => ({ ...orderLine, status: lines.get(orderLine.lineNumber)?.status ?? orderLine.status })),
  };
  return { order, tasks, lines, shipments, heldShipments, heldCompletions };
}

function taskOf(state: FulfillmentState, key: string): TaskState {
  const task = state.tasks.find((candidate) => candidate.key === key);
  if (task === undefined) throw new Error(`no task ${key} in ${state.tasks.map((candidate) => candidate.key).join(', ')}`);
  return task;
}

const orderedQuantity = (state: FulfillmentState, lineNumber: string): number =>
  state.order.lines.find((orderLine) => orderLine.lineNumber === lineNumber)?.quantity ?? 0;

const replyBase = (state: FulfillmentState, key: string) => {
  const task = taskOf(state, key);
  return { taskId: task.id, orderId: state.order.id, vendorId: task.vendorId ?? 'nobody' };
};

function ack(state: FulfillmentState, key: string, answer: Partial<VendorLineAck> = {}): TaskEvent {
  const { lineNumber } = taskOf(state, key);
  const lines: VendorLineAck[] = [{ lineNumber, status: 'accepted', quantity: orderedQuantity(state, lineNumber), uom: 'EA', ...answer }];
  return { type: 'fulfillment.ack.v1', body: { ...replyBase(state, key), ackedAt: at.toISOString(), lines } };
}

/** An ack answering the task's line in portions. */
function ackPortions(
  state: FulfillmentState,
  key: string,
  portions: (Omit<VendorLineAck, 'lineNumber' | 'uom'> & { uom?: string })[],
): TaskEvent {
  const { lineNumber } = taskOf(state, key);
  const lines: VendorLineAck[] = portions.map((portion) => ({ lineNumber, uom: 'EA', ...portion }));
  return { type: 'fulfillment.ack.v1', body: { ...replyBase(state, key), ackedAt: at.toISOString(), lines } };
}

function ship(
  state: FulfillmentState,
  key: string,
  shipmentId: string,
  quantity: number,
  lineNumber = taskOf(state, key).lineNumber,
): TaskEvent {
  return {
    type: 'fulfillment.ship.v1',
    body: {
      ...replyBase(state, key),
      shipmentId,
      shippedAt: '2026-12-01T09:30:00.000Z',
      carrier: { scac: 'UPSN', name: 'UPS' },
      trackingNumber: `1Z${shipmentId}`,
      serviceLevel: 'G2',
      estimatedDeliveryDate: '2026-12-04',
      packages: [{ sscc: '000123450000000017', items: [{ lineNumber, quantity, uom: 'EA' }] }],
    },
  };
}

/** What the partner hears of a ship reply: the shipment without the routing fields. */
function shipmentOf(event: TaskEvent): Shipment {
  if (event.type !== 'fulfillment.ship.v1') throw new Error(`${event.type} is not a ship reply`);
  const { taskId: _taskId, orderId: _orderId, vendorId: _vendorId, ...shipment } = event.body;
  return shipment;
}

const progress = (state: FulfillmentState, key: string, stage: string, percent?: number): TaskEvent => ({
  type: 'fulfillment.progress.v1',
  body: { ...replyBase(state, key), occurredAt: at.toISOString(), stage, ...(percent === undefined ? {} : { percent }) },
});

const complete = (state: FulfillmentState, key: string): TaskEvent => ({
  type: 'fulfillment.complete.v1',
  body: { ...replyBase(state, key), completedAt: at.toISOString() },
});

const fail = (state: FulfillmentState, key: string, retryable: boolean, retryAfter?: string): TaskEvent => ({
  type: 'fulfillment.fail.v1',
  body: {
    ...replyBase(state, key),
    failedAt: at.toISOString(),
    code: 'port-unavailable',
    reason: 'no free port on the DSLAM',
    retryable,
    ...(retryAfter === undefined ? {} : { retryAfter }),
  },
});

const byPerson = (state: FulfillmentState, key: string): TaskEvent => ({
  type: 'task.completed-by-person',
  body: { taskId: taskOf(state, key).id },
});

function effectsOf(outcome: Outcome): Effects {
  if (outcome.kind !== 'applied') throw new Error(`expected the event applied, got ${JSON.stringify(outcome)}`);
  return outcome.effects;
}

interface Step {
  state: FulfillmentState;
  effects: Effects;
}

/** Applies one event that must apply, and writes its effects back. */
function step(state: FulfillmentState, event: TaskEvent): Step {
  const effects = effectsOf(applyTaskEvent(state, event, at));
  return { state: applyEffects(state, effects), effects };
}

/** Applies each event built from the state so far; returns the last state and every answer, in order. */
function run(
  state: FulfillmentState,
  ...events: ((current: FulfillmentState) => TaskEvent)[]
): { state: FulfillmentState; answers: PartnerAnswer[]; effects: Effects[] } {
  const answers: PartnerAnswer[] = [];
  const all: Effects[] = [];
  let current = state;
  for (const build of events) {
    const next = step(current, build(current));
    answers.push(...next.effects.answers);
    all.push(next.effects);
    current = next.state;
  }
  return { state: current, answers, effects: all };
}

const kinds = (answers: readonly PartnerAnswer[]): string[] => answers.map((answer) => answer.kind);
const statusOf = (state: FulfillmentState, key: string): TaskStatus => taskOf(state, key).status;
const lineOf = (state: FulfillmentState, lineNumber: string): LineState => {
  const found = state.lines.get(lineNumber);
  if (found === undefined) throw new Error(`no line ${lineNumber}`);
  return found;
};

const demoVendorTasks = ['1:ship', '2.1:ship-modem', '2.2:activate-port', '2.3:truck-roll'];

/** The demo order with every vendor task acknowledged, its lines accepted in full. */
const demoAcknowledged = (): FulfillmentState =>
  run(stateFor(demoLines()), ...demoVendorTasks.map((key) => (s: FulfillmentState) => ack(s, key))).state;

describe('the demo order, reply by reply', () => {
  it('is decomposed into the tasks the demo catalog names, the person task waiting on the modem and the port', () => {
    const state = stateFor(demoLines());
    expect(state.tasks.map((task) => [task.key, task.vendorId, task.status])).toEqual([
      ['1:ship', 'vendor-a', 'dispatched'],
      ['2:customer-activation', null, 'blocked'],
      ['2.1:ship-modem', 'vendor-a', 'dispatched'],
      ['2.2:activate-port', 'vendor-b', 'dispatched'],
      ['2.3:truck-roll', 'vendor-c', 'dispatched'],
    ]);
    expect(taskOf(state, '2:customer-activation').dependsOn).toEqual(['2.1:ship-modem', '2.2:activate-port']);
  });

  it('acknowledges once, when the last vendor line is answered: every line, in the order’s own order, the bundle accepted by the gateway', () => {
    let state = stateFor(demoLines());
    // The acks arrive in an order unlike the order's own.
    const first = step(state, ack(state, '2.3:truck-roll'));
    expect(first.effects.orderSteps).toEqual([{ from: 'decomposed', to: 'in_fulfillment', cause: 'order.in-fulfillment', detail: {} }]);
    expect(first.effects.tasks).toEqual(new Map([[idOf('2.3:truck-roll'), 'acknowledged']]));
    expect(first.effects.lines).toEqual(
      new Map([
        ['2.3', { status: 'accepted', shippedQuantity: 0, acks: [{ lineNumber: '2.3', status: 'accepted', quantity: 1, uom: 'EA' }] }],
      ]),
    );
    expect(first.effects.answers).toEqual([]);
    expect(first.effects.send).toEqual([]);
    state = first.state;

    for (const key of ['1:ship', '2.2:activate-port']) {
      const next = step(state, ack(state, key));
      expect(next.effects.orderSteps).toEqual([]);
      expect(next.effects.answers).toEqual([]);
      state = next.state;
    }

    const last = step(state, ack(state, '2.1:ship-modem', { expectedDate: '2026-12-02', note: 'from stock' }));
    expect(last.effects.orderSteps).toEqual([]);
    expect(last.effects.answers).toEqual([
      {
        kind: 'acknowledgment',
        ack: {
          order: state.order,
          ackDate: today,
          lines: [
            { lineNumber: '1', status: 'accepted', quantity: 2, uom: 'EA' },
            { lineNumber: '2', status: 'accepted', quantity: 1, uom: 'EA' },
            { lineNumber: '2.1', status: 'accepted', quantity: 1, uom: 'EA', expectedDate: '2026-12-02', note: 'from stock' },
            { lineNumber: '2.2', status: 'accepted', quantity: 1, uom: 'EA' },
            { lineNumber: '2.3', status: 'accepted', quantity: 1, uom: 'EA' },
          ],
        },
      },
    ]);
    // The bundle's parent is answered by the gateway in the same effects.
    expect(last.effects.lines.get('2')).toEqual({
      status: 'accepted',
      shippedQuantity: 0,
      acks: [{ lineNumber: '2', status: 'accepted', quantity: 1, uom: 'EA' }],
    });
    expect(last.state.order.status).toBe('in_fulfillment');
    expect(demoVendorTasks.map((key) => statusOf(last.state, key))).toEqual([
      'acknowledged',
      'acknowledged',
      'acknowledged',
      'acknowledged',
    ]);
  });

  it('ships by quantity: the first shipment makes the line partially shipped and the order partially_shipped, each one is told', () => {
    const acked = demoAcknowledged();
    const first = ship(acked, '1:ship', 'S1', 1);
    const one = step(acked, first);
    expect(one.effects.tasks).toEqual(new Map([[idOf('1:ship'), 'in_progress']]));
    expect(one.effects.lines.get('1')).toEqual({
      status: 'partially_shipped',
      shippedQuantity: 1,
      acks: [{ lineNumber: '1', status: 'accepted', quantity: 2, uom: 'EA' }],
    });
    expect(one.effects.orderSteps).toEqual([
      { from: 'in_fulfillment', to: 'partially_shipped', cause: 'order.shipped', detail: { shipmentId: 'S1' } },
    ]);
    expect(one.effects.shipment).toEqual({ ...shipmentOf(first), taskId: idOf('1:ship'), vendorId: 'vendor-a', reported: true });
    expect(one.effects.answers).toEqual([{ kind: 'shipment', shipment: shipmentOf(first) }]);
    // The vendor's estimate travels with the shipment: the ship notice's delivery date.
    expect(one.effects.answers[0]).toHaveProperty('shipment.estimatedDeliveryDate', '2026-12-04');

    const second = ship(one.state, '1:ship', 'S2', 1);
    const two = step(one.state, second);
    expect(two.effects.lines.get('1')).toMatchObject({ status: 'shipped', shippedQuantity: 2 });
    expect(two.effects.orderSteps).toEqual([]);
    expect(two.effects.answers).toEqual([{ kind: 'shipment', shipment: shipmentOf(second) }]);

    const modem = step(two.state, ship(two.state, '2.1:ship-modem', 'S3', 1));
    expect(modem.effects.lines.get('2.1')).toMatchObject({ status: 'shipped', shippedQuantity: 1 });
    expect(kinds(modem.effects.answers)).toEqual(['shipment']);
    expect(modem.state.order.status).toBe('partially_shipped');
  });

  it('completes: lines completed, the person task freed (ready, never sent) once the modem and the port are done, billed when it is done last', () => {
    const shipped = run(
      demoAcknowledged(),
      (s) => ship(s, '1:ship', 'S1', 2),
      (s) => ship(s, '2.1:ship-modem', 'S2', 1),
    ).state;

    const modem = step(shipped, complete(shipped, '2.1:ship-modem'));
    expect(modem.effects.tasks).toEqual(new Map([[idOf('2.1:ship-modem'), 'done']]));
    expect(modem.effects.lines.get('2.1')).toMatchObject({ status: 'completed', shippedQuantity: 1 });
    expect(statusOf(modem.state, '2:customer-activation')).toBe('blocked');

    const port = step(modem.state, complete(modem.state, '2.2:activate-port'));
    expect(port.effects.tasks).toEqual(
      new Map([
        [idOf('2.2:activate-port'), 'done'],
        [idOf('2:customer-activation'), 'ready'],
      ]),
    );
    expect(port.effects.send).toEqual([]);
    // A service line is completed without ever shipping.
    expect(port.effects.lines.get('2.2')).toMatchObject({ status: 'completed', shippedQuantity: 0 });

    const rest = run(
      port.state,
      (s) => complete(s, '1:ship'),
      (s) => complete(s, '2.3:truck-roll'),
    );
    expect(rest.answers).toEqual([]);
    expect(rest.effects.flatMap((effects) => effects.orderSteps)).toEqual([]);
    expect(lineOf(rest.state, '1').status).toBe('completed');
    // The bundle's parent waits on its own task.
    expect(lineOf(rest.state, '2').status).toBe('accepted');

    const last = step(rest.state, byPerson(rest.state, '2:customer-activation'));
    expect(last.effects.tasks).toEqual(new Map([[idOf('2:customer-activation'), 'done']]));
    expect(last.effects.orderSteps).toEqual([
      { from: 'partially_shipped', to: 'fulfilled', cause: 'order.fulfilled', detail: {} },
      { from: 'fulfilled', to: 'ready_for_billing', cause: 'order.ready-for-billing', detail: {} },
    ]);
    expect(last.effects.answers).toEqual([
      {
        kind: 'invoice',
        invoice: {
          invoiceDate: today,
          lines: [
            { lineNumber: '1', quantity: 2, uom: 'EA', unitPrice: 49.5 },
            { lineNumber: '2', quantity: 1, uom: 'EA', unitPrice: 59.99 },
          ],
        },
      },
    ]);
    expect([...last.state.lines.values()].map((lineState) => lineState.status)).toEqual([
      'completed',
      'completed',
      'completed',
      'completed',
      'completed',
    ]);
    expect(last.state.tasks.every((task) => task.status === 'done')).toBe(true);
  });

  it('bills once a vendor task is the last to finish, the person having finished before it', () => {
    const { state, answers } = run(
      demoAcknowledged(),
      (s) => ship(s, '1:ship', 'S1', 2),
      (s) => ship(s, '2.1:ship-modem', 'S2', 1),
      (s) => complete(s, '2.1:ship-modem'),
      (s) => complete(s, '2.2:activate-port'),
      (s) => byPerson(s, '2:customer-activation'),
      (s) => complete(s, '1:ship'),
    );
    expect(kinds(answers)).toEqual(['shipment', 'shipment']);
    const last = step(state, complete(state, '2.3:truck-roll'));
    expect(kinds(last.effects.answers)).toEqual(['invoice']);
    expect(last.effects.orderSteps.map((orderStep) => orderStep.to)).toEqual(['fulfilled', 'ready_for_billing']);
    expect(last.state.order.status).toBe('ready_for_billing');
  });

  it('notes progress without changing the order', () => {
    const acked = demoAcknowledged();
    const { effects } = step(acked, progress(acked, '2.3:truck-roll', 'scheduled', 40));
    expect(effects.tasks).toEqual(new Map([[idOf('2.3:truck-roll'), 'in_progress']]));
    expect(effects.orderSteps).toEqual([]);
    expect(effects.answers).toEqual([]);
    expect(effects.note).toEqual({
      cause: 'task.progress',
      detail: { taskId: idOf('2.3:truck-roll'), taskKey: '2.3:truck-roll', stage: 'scheduled', percent: 40 },
    });
  });
});

describe('a vendor task freed by a completion', () => {
  const fiber = () => stateFor([line('1', 'FIBER-200', 1, { unitPrice: 99 })], { catalog: chainCatalog });

  it('is sent; a person task freed is made ready and not sent', () => {
    const initial = fiber();
    expect(initial.tasks.map((task) => [task.key, task.status])).toEqual([
      ['1:survey', 'dispatched'],
      ['1:splice', 'blocked'],
      ['1:welcome', 'blocked'],
    ]);
    const survey = step(initial, complete(initial, '1:survey'));
    expect(survey.effects.tasks).toEqual(
      new Map([
        [idOf('1:survey'), 'done'],
        [idOf('1:splice'), 'ready'],
      ]),
    );
    expect(survey.effects.send.map((task) => task.key)).toEqual(['1:splice']);
    // The line has more work to do: it was accepted (no ack came), not completed.
    expect(survey.effects.lines.get('1')).toMatchObject({ status: 'accepted' });
    expect(kinds(survey.effects.answers)).toEqual(['acknowledgment']);

    const splice = step(survey.state, complete(survey.state, '1:splice'));
    expect(splice.effects.tasks).toEqual(
      new Map([
        [idOf('1:splice'), 'done'],
        [idOf('1:welcome'), 'ready'],
      ]),
    );
    expect(splice.effects.send).toEqual([]);
    expect(splice.effects.answers).toEqual([]);

    const welcome = step(splice.state, byPerson(splice.state, '1:welcome'));
    expect(welcome.effects.lines.get('1')).toMatchObject({ status: 'completed' });
    expect(welcome.effects.answers).toEqual([
      {
        kind: 'invoice',
        invoice: { invoiceDate: today, lines: [{ lineNumber: '1', quantity: 1, uom: 'EA', unitPrice: 99 }] },
      },
    ]);
  });

  it('is refused a reply before it is freed (not-sent)', () => {
    const initial = fiber();
    expect(applyTaskEvent(initial, ack(initial, '1:splice'), at)).toEqual({
      kind: 'refused',
      code: 'not-sent',
      detail: 'task 1:splice waits on 1:survey and was never sent',
    });
  });
});

describe('a line answered in portions', () => {
  const sixModems = () => stateFor([line('1', 'MODEM-X1', 6, { unitPrice: 49.5 })]);
  const fourAndTwoLater = () =>
    step(
      sixModems(),
      ackPortions(sixModems(), '1:ship', [
        { status: 'accepted', quantity: 4 },
        { status: 'backordered', quantity: 2, expectedDate: '2026-12-20' },
      ]),
    );

  it('keeps every portion: the line is backordered and the acknowledgment carries both, adding up to the 6 ordered', () => {
    const { effects } = fourAndTwoLater();
    expect(effects.lines.get('1')?.status).toBe('backordered');
    const answer = effects.answers[0];
    if (answer?.kind !== 'acknowledgment') throw new Error('no acknowledgment');
    expect(answer.ack.lines).toEqual([
      { lineNumber: '1', status: 'accepted', quantity: 4, uom: 'EA' },
      { lineNumber: '1', status: 'backordered', quantity: 2, uom: 'EA', expectedDate: '2026-12-20' },
    ]);
  });

  it('ships the accepted and the backordered part, in two shipments, and bills all 6', () => {
    const { state, answers } = run(
      fourAndTwoLater().state,
      (s) => ship(s, '1:ship', 'S1', 4),
      (s) => ship(s, '1:ship', 'S2', 2),
      (s) => complete(s, '1:ship'),
    );
    expect(state.lines.get('1')).toMatchObject({ status: 'completed', shippedQuantity: 6 });
    expect(answers.at(-1)).toMatchObject({ kind: 'invoice', invoice: { lines: [{ lineNumber: '1', quantity: 6, unitPrice: 49.5 }] } });
  });

  it('ships nothing of a rejected portion: 4 accepted + 2 rejected leaves 4 due', () => {
    const { state, effects } = step(
      sixModems(),
      ackPortions(sixModems(), '1:ship', [
        { status: 'accepted', quantity: 4 },
        { status: 'rejected', quantity: 2, note: 'discontinued colour' },
      ]),
    );
    expect(effects.lines.get('1')?.status).toBe('changed');
    expect(applyTaskEvent(state, ship(state, '1:ship', 'S1', 5), at)).toMatchObject({ kind: 'refused', code: 'over-shipment' });
    const { answers } = run(
      state,
      (s) => ship(s, '1:ship', 'S1', 4),
      (s) => complete(s, '1:ship'),
    );
    expect(answers.at(-1)).toMatchObject({ kind: 'invoice', invoice: { lines: [{ lineNumber: '1', quantity: 4 }] } });
  });

  it('bills a line confirmed at two prices one invoice line per price', () => {
    const initial = sixModems();
    const { answers } = run(
      initial,
      (s) =>
        ackPortions(s, '1:ship', [
          { status: 'accepted', quantity: 4 },
          { status: 'changed', quantity: 2, unitPrice: 52 },
        ]),
      (s) => ship(s, '1:ship', 'S1', 6),
      (s) => complete(s, '1:ship'),
    );
    const invoice = answers.at(-1);
    if (invoice?.kind !== 'invoice') throw new Error('no invoice');
    expect(invoice.invoice.lines).toEqual([
      { lineNumber: '1', quantity: 4, uom: 'EA', unitPrice: 49.5 },
      { lineNumber: '1', quantity: 2, uom: 'EA', unitPrice: 52 },
    ]);
  });

  it('refuses portions that do not add up to the ordered quantity, or are stated in another unit, and changes nothing', () => {
    const initial = sixModems();
    expect(applyTaskEvent(initial, ackPortions(initial, '1:ship', [{ status: 'accepted', quantity: 4 }]), at)).toEqual({
      kind: 'refused',
      code: 'portions-do-not-add-up',
      detail: 'line 1 is ordered 6 EA; its portions (accepted 4) add up to 4',
    });
    const tooMany = ackPortions(initial, '1:ship', [
      { status: 'accepted', quantity: 4 },
      { status: 'backordered', quantity: 4 },
    ]);
    expect(applyTaskEvent(initial, tooMany, at)).toMatchObject({ kind: 'refused', code: 'portions-do-not-add-up' });
    const cases = ackPortions(initial, '1:ship', [{ status: 'accepted', quantity: 1, uom: 'CA' }]);
    expect(applyTaskEvent(initial, cases, at)).toEqual({
      kind: 'refused',
      code: 'portions-do-not-add-up',
      detail: 'line 1 is ordered in EA; a portion is stated in CA',
    });
  });

  it('keeps the first answer: a second ack of the line changes none of its portions', () => {
    const { state } = fourAndTwoLater();
    const again = step(state, ackPortions(state, '1:ship', [{ status: 'rejected', quantity: 6 }]));
    expect(again.effects.lines.has('1')).toBe(false);
    expect(again.effects.answers).toEqual([]);
  });
});

describe('a line the vendor changes', () => {
  const fiveModems = () => stateFor([line('1', 'MODEM-X1', 5, { unitPrice: 49.5 })]);
  const changed = () =>
    step(
      fiveModems(),
      ackPortions(fiveModems(), '1:ship', [
        { status: 'changed', quantity: 3, unitPrice: 45 },
        { status: 'rejected', quantity: 2, note: 'only 3 left' },
      ]),
    );

  it('is acknowledged with its new quantity and price', () => {
    const { effects } = changed();
    expect(effects.answers).toEqual([
      {
        kind: 'acknowledgment',
        ack: expect.objectContaining({
          lines: [
            { lineNumber: '1', status: 'changed', quantity: 3, uom: 'EA', unitPrice: 45 },
            { lineNumber: '1', status: 'rejected', quantity: 2, uom: 'EA', note: 'only 3 left' },
          ],
        }),
      },
    ]);
  });

  it('is shipped once the changed quantity has shipped; more is refused as an over-shipment', () => {
    const { state } = changed();
    expect(applyTaskEvent(state, ship(state, '1:ship', 'S1', 4), at)).toEqual({
      kind: 'refused',
      code: 'over-shipment',
      detail: 'line 1: 4 shipped now after 0 before is more than the 3 due',
    });
    const part = step(state, ship(state, '1:ship', 'S1', 2));
    expect(part.effects.lines.get('1')).toMatchObject({ status: 'partially_shipped', shippedQuantity: 2 });
    expect(applyTaskEvent(part.state, ship(part.state, '1:ship', 'S2', 2), at)).toMatchObject({ kind: 'refused', code: 'over-shipment' });
    const rest = step(part.state, ship(part.state, '1:ship', 'S2', 1));
    expect(rest.effects.lines.get('1')).toMatchObject({ status: 'shipped', shippedQuantity: 3 });
    expect(applyTaskEvent(rest.state, ship(rest.state, '1:ship', 'S3', 1), at)).toMatchObject({ kind: 'refused', code: 'over-shipment' });
  });

  it('is billed at the changed quantity and the price its vendor confirmed', () => {
    const { answers } = run(
      changed().state,
      (s) => ship(s, '1:ship', 'S1', 3),
      (s) => complete(s, '1:ship'),
    );
    expect(answers.at(-1)).toEqual({
      kind: 'invoice',
      invoice: { invoiceDate: today, lines: [{ lineNumber: '1', quantity: 3, uom: 'EA', unitPrice: 45 }] },
    });
  });

  it('is billed at the ordered quantity when merely backordered', () => {
    const initial = fiveModems();
    const { answers } = run(
      initial,
      (s) => ack(s, '1:ship', { status: 'backordered', expectedDate: '2026-12-20' }),
      (s) => ship(s, '1:ship', 'S1', 5),
      (s) => complete(s, '1:ship'),
    );
    expect(kinds(answers)).toEqual(['acknowledgment', 'shipment', 'invoice']);
    expect(answers.at(-1)).toMatchObject({ invoice: { lines: [{ lineNumber: '1', quantity: 5, unitPrice: 49.5 }] } });
  });
});

describe('a bundle answered by its components', () => {
  const bundle = () =>
    stateFor([
      line('2', 'INTERNET-100', 1, { unitPrice: 59.99 }),
      line('2.1', 'MODEM-X1', 1, { parentLineNumber: '2' }),
      line('2.2', 'PORT-ACT', 1, { parentLineNumber: '2' }),
    ]);

  it('is rejected when every component is rejected', () => {
    const { answers, state } = run(
      bundle(),
      (s) => ack(s, '2.1:ship-modem', { status: 'rejected' }),
      (s) => ack(s, '2.2:activate-port', { status: 'rejected', note: 'no port in the area' }),
    );
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({
      kind: 'acknowledgment',
      ack: {
        lines: [
          { lineNumber: '2', status: 'rejected', quantity: 1, uom: 'EA' },
          { lineNumber: '2.1', status: 'rejected', quantity: 1, uom: 'EA' },
          { lineNumber: '2.2', status: 'rejected', quantity: 1, uom: 'EA', note: 'no port in the area' },
        ],
      },
    });
    expect(lineOf(state, '2').status).toBe('rejected');
    // Nothing of a rejected line ships.
    expect(applyTaskEvent(state, ship(state, '2.1:ship-modem', 'S1', 1), at)).toEqual({
      kind: 'refused',
      code: 'line-rejected',
      detail: 'line 2.1 is rejected; nothing of it can ship',
    });
  });

  it('is accepted when one component is', () => {
    const { answers } = run(
      bundle(),
      (s) => ack(s, '2.1:ship-modem', { status: 'rejected' }),
      (s) => ack(s, '2.2:activate-port'),
    );
    expect(answers[0]).toMatchObject({
      ack: { lines: [{ lineNumber: '2', status: 'accepted' }, { status: 'rejected' }, { status: 'accepted' }] },
    });
  });
});

describe('the invoice of a bundle', () => {
  const finish = (lines: LineDraft[], ...acks: ((s: FulfillmentState) => TaskEvent)[]) =>
    run(
      stateFor(lines),
      ...acks,
      (s) => ship(s, '2.1:ship-modem', 'S1', 1),
      (s) => complete(s, '2.1:ship-modem'),
      (s) => complete(s, '2.2:activate-port'),
      (s) => byPerson(s, '2:customer-activation'),
    );

  it('bills a priced bundle at its own price, not its components again, so that it matches the order’s total', () => {
    const lines = [
      line('2', 'INTERNET-100', 1, { unitPrice: 59.99 }),
      line('2.1', 'MODEM-X1', 1, { parentLineNumber: '2', unitPrice: 10 }),
      line('2.2', 'PORT-ACT', 1, { parentLineNumber: '2', unitPrice: 5 }),
    ];
    const { answers, state } = finish(lines);
    const invoice = answers.at(-1);
    if (invoice?.kind !== 'invoice') throw new Error('no invoice');
    expect(invoice.invoice.lines).toEqual([{ lineNumber: '2', quantity: 1, uom: 'EA', unitPrice: 59.99 }]);
    expect(invoiceTotalCents(invoice.invoice)).toBe(Math.round(state.order.totals.amount * 100));
  });

  it('bills an unpriced bundle by its priced components, at the price their vendor confirmed', () => {
    const lines = [
      line('2', 'INTERNET-100', 1),
      line('2.1', 'MODEM-X1', 1, { parentLineNumber: '2', unitPrice: 40 }),
      line('2.2', 'PORT-ACT', 1, { parentLineNumber: '2', unitPrice: 19.99 }),
    ];
    const { answers } = finish(lines, (s) => ack(s, '2.2:activate-port', { unitPrice: 17.5 }));
    expect(answers.at(-1)).toEqual({
      kind: 'invoice',
      invoice: {
        invoiceDate: today,
        lines: [
          { lineNumber: '2.1', quantity: 1, uom: 'EA', unitPrice: 40 },
          { lineNumber: '2.2', quantity: 1, uom: 'EA', unitPrice: 17.5 },
        ],
      },
    });
  });
});

describe('refusals', () => {
  const initial = stateFor(demoLines());

  it('refuses a reply for a task the order does not have', () => {
    const event = ack(initial, '1:ship');
    const stray: TaskEvent = { ...event, body: { ...event.body, taskId: 'task-nope' } } as TaskEvent;
    expect(applyTaskEvent(initial, stray, at)).toEqual({
      kind: 'refused',
      code: 'unknown-task',
      detail: 'order order-1 has no task task-nope',
    });
    expect(applyTaskEvent(initial, { type: 'task.completed-by-person', body: { taskId: 'task-nope' } }, at)).toMatchObject({
      kind: 'refused',
      code: 'unknown-task',
    });
  });

  it('refuses a reply from a vendor whose task it is not, and a vendor reply to a person’s task, as an unknown task', () => {
    const event = ack(initial, '1:ship');
    expect(applyTaskEvent(initial, { ...event, body: { ...event.body, vendorId: 'vendor-b' } } as TaskEvent, at)).toEqual({
      kind: 'refused',
      code: 'unknown-task',
      detail: `there is no task ${event.body.taskId}`,
    });
    const person = complete(initial, '2:customer-activation');
    expect(applyTaskEvent(initial, person, at)).toEqual({
      kind: 'refused',
      code: 'unknown-task',
      detail: `there is no task ${person.body.taskId}`,
    });
  });

  it('refuses a reply naming another order', () => {
    const event = complete(initial, '1:ship');
    expect(applyTaskEvent(initial, { ...event, body: { ...event.body, orderId: 'order-2' } } as TaskEvent, at)).toEqual({
      kind: 'refused',
      code: 'wrong-order',
      detail: 'task task-1:ship belongs to order order-1, not order-2',
    });
  });

  it('refuses an ack or a shipment of a line not the task’s (line-not-in-task)', () => {
    expect(applyTaskEvent(initial, ack(initial, '1:ship', { lineNumber: '2.1', quantity: 1 }), at)).toEqual({
      kind: 'refused',
      code: 'line-not-in-task',
      detail: 'the ack answers line 2.1; task 1:ship is for line 1 only',
    });
    const both = ack(initial, '1:ship');
    if (both.type !== 'fulfillment.ack.v1') throw new Error('not an ack');
    both.body.lines.push({ lineNumber: '2', status: 'accepted', quantity: 1, uom: 'EA' });
    expect(applyTaskEvent(initial, both, at)).toMatchObject({ kind: 'refused', code: 'line-not-in-task' });
    expect(applyTaskEvent(initial, ship(initial, '2.1:ship-modem', 'S1', 1, '1'), at)).toEqual({
      kind: 'refused',
      code: 'line-not-in-task',
      detail: 'the shipment holds line 1; task 2.1:ship-modem is for line 2.1 only',
    });
  });

  it('refuses a person’s completion of a vendor task', () => {
    expect(applyTaskEvent(initial, byPerson(initial, '1:ship'), at)).toEqual({
      kind: 'refused',
      code: 'not-a-person-task',
      detail: "task 1:ship is a vendor's; vendors report their own tasks done",
    });
  });

  it('refuses a person’s completion of a task still waiting on its dependencies, or already done', () => {
    expect(applyTaskEvent(initial, byPerson(initial, '2:customer-activation'), at)).toEqual({
      kind: 'refused',
      code: 'invalid-state',
      detail: 'the task is "blocked" and its order "decomposed"; only an open task whose dependencies are done can be completed',
    });
    const halfway = run(
      initial,
      (s) => ship(s, '2.1:ship-modem', 'S1', 1),
      (s) => complete(s, '2.1:ship-modem'),
    ).state;
    expect(applyTaskEvent(halfway, byPerson(halfway, '2:customer-activation'), at)).toMatchObject({
      kind: 'refused',
      code: 'invalid-state',
    });
    const freed = run(halfway, (s) => complete(s, '2.2:activate-port')).state;
    const done = step(freed, byPerson(freed, '2:customer-activation')).state;
    expect(applyTaskEvent(done, byPerson(done, '2:customer-activation'), at)).toMatchObject({ kind: 'refused', code: 'invalid-state' });
  });

  it('refuses a person’s completion on an order that has ended', () => {
    const freed = run(
      initial,
      (s) => ship(s, '2.1:ship-modem', 'S1', 1),
      (s) => complete(s, '2.1:ship-modem'),
      (s) => complete(s, '2.2:activate-port'),
    ).state;
    const cancelled = { ...freed, order: { ...freed.order, status: 'cancelled' as const } };
    expect(applyTaskEvent(cancelled, byPerson(cancelled, '2:customer-activation'), at)).toMatchObject({
      kind: 'refused',
      code: 'invalid-state',
    });
  });
});

describe('ignored replies', () => {
  it('ignores any reply but a shipment for a task already done', () => {
    const done = run(
      stateFor(demoLines()),
      (s) => ship(s, '1:ship', 'S1', 2),
      (s) => complete(s, '1:ship'),
    ).state;
    for (const event of [ack(done, '1:ship'), progress(done, '1:ship', 'packed'), complete(done, '1:ship'), fail(done, '1:ship', false)]) {
      expect(applyTaskEvent(done, event, at)).toEqual({ kind: 'ignored', reason: 'the task is already done' });
    }
  });

  it('records a shipment that crossed the complete of a task that is no ship task: the line stays completed, the partner hears of it', () => {
    const done = run(demoAcknowledged(), (s) => complete(s, '2.2:activate-port')).state;
    const outcome = applyTaskEvent(done, ship(done, '2.2:activate-port', 'S9', 1), at);
    expect(outcome.kind).toBe('applied');
    if (outcome.kind !== 'applied') return;
    expect(outcome.effects.tasks.get(idOf('2.2:activate-port'))).toBe('done');
    expect(outcome.effects.lines.get('2.2')).toMatchObject({ status: 'completed', shippedQuantity: 1 });
    expect(outcome.effects.shipment).toMatchObject({ shipmentId: 'S9', reported: true });
    expect(kinds(outcome.effects.answers)).toEqual(['shipment']);
  });

  it('records a shipment that comes after the invoice without telling the partner: no ship notice follows the invoice', () => {
    const billed = run(
      demoAcknowledged(),
      (s) => ship(s, '1:ship', 'S1', 2),
      (s) => ship(s, '2.1:ship-modem', 'S2', 1),
      (s) => complete(s, '1:ship'),
      (s) => complete(s, '2.1:ship-modem'),
      (s) => complete(s, '2.2:activate-port'),
      (s) => complete(s, '2.3:truck-roll'),
      (s) => byPerson(s, '2:customer-activation'),
    );
    expect(billed.state.order.status).toBe('ready_for_billing');
    expect(kinds(billed.answers).at(-1)).toBe('invoice');
    const late = step(billed.state, ship(billed.state, '2.2:activate-port', 'S9', 1));
    expect(late.effects.answers).toEqual([]);
    expect(late.effects.orderSteps).toEqual([]);
    expect(late.effects.shipment).toMatchObject({ shipmentId: 'S9', reported: false });
    expect(late.effects.note).toEqual({
      cause: 'shipment.after-invoice',
      detail: { taskId: idOf('2.2:activate-port'), taskKey: '2.2:activate-port', shipmentId: 'S9' },
    });
    // A ship task's line is shipped in full by then: more of it is an over-shipment.
    expect(applyTaskEvent(billed.state, ship(billed.state, '1:ship', 'S8', 1), at)).toMatchObject({
      kind: 'refused',
      code: 'over-shipment',
    });
  });

  it.each(['cancelled', 'failed'] as const)('ignores a reply for a %s order', (status) => {
    const ended = stateFor(demoLines(), { status });
    for (const event of [ack(ended, '1:ship'), ship(ended, '1:ship', 'S1', 1), complete(ended, '1:ship'), fail(ended, '1:ship', true)]) {
      expect(applyTaskEvent(ended, event, at)).toEqual({ kind: 'ignored', reason: `the order is ${status}` });
    }
  });

  it('ignores a second ship reply with the same shipmentId, whatever it holds', () => {
    const first = run(demoAcknowledged(), (s) => ship(s, '1:ship', 'S1', 1)).state;
    expect(applyTaskEvent(first, ship(first, '1:ship', 'S1', 1), at)).toEqual({
      kind: 'ignored',
      reason: 'shipment S1 is already recorded',
    });
    expect(applyTaskEvent(first, ship(first, '1:ship', 'S1', 2), at)).toMatchObject({ kind: 'ignored' });
  });
});

describe('failures', () => {
  it('puts a task back to ready on a retryable failure, to be sent again when the vendor says', () => {
    const acked = demoAcknowledged();
    const retryAfter = '2026-12-01T12:00:00.000Z';
    const { effects, state } = step(acked, fail(acked, '2.2:activate-port', true, retryAfter));
    expect(effects.tasks).toEqual(new Map([[idOf('2.2:activate-port'), 'ready']]));
    expect(effects.resend).toEqual({ task: taskOf(acked, '2.2:activate-port'), notBefore: retryAfter });
    expect(effects.orderSteps).toEqual([]);
    expect(effects.send).toEqual([]);
    expect(effects.answers).toEqual([]);
    expect(effects.note).toEqual({
      cause: 'task.retry-scheduled',
      detail: {
        taskId: idOf('2.2:activate-port'),
        taskKey: '2.2:activate-port',
        code: 'port-unavailable',
        reason: 'no free port on the DSLAM',
        notBefore: retryAfter,
      },
    });
    // The request sent again is answered as the first would have been.
    expect(step(state, complete(state, '2.2:activate-port')).effects.tasks.get(idOf('2.2:activate-port'))).toBe('done');
  });

  it('waits ten minutes when a retryable failure names no time, from dispatched as from in_progress', () => {
    const acked = demoAcknowledged();
    const inProgress = run(acked, (s) => ship(s, '1:ship', 'S1', 1)).state;
    const { effects } = step(inProgress, fail(inProgress, '1:ship', true));
    expect(effects.tasks.get(idOf('1:ship'))).toBe('ready');
    expect(effects.resend?.notBefore).toBe('2026-12-01T10:10:00.000Z');
    expect(effects.orderSteps).toEqual([]);
  });

  it('moves a still-decomposed order into fulfillment on a retryable failure, the first reply', () => {
    const initial = stateFor(demoLines());
    const { effects } = step(initial, fail(initial, '2.2:activate-port', true));
    expect(effects.tasks.get(idOf('2.2:activate-port'))).toBe('ready');
    expect(effects.orderSteps).toEqual([{ from: 'decomposed', to: 'in_fulfillment', cause: 'order.in-fulfillment', detail: {} }]);
  });

  it('gives up after five retryable failures of one task: the sixth fails it and the order, saying so', () => {
    let state = demoAcknowledged();
    for (let attempt = 1; attempt <= maxTaskRetries; attempt += 1) {
      const result = step(state, fail(state, '2.2:activate-port', true));
      expect(result.effects.resend?.task.key).toBe('2.2:activate-port');
      // Sent again: the vendor has it once more.
      state = {
        ...result.state,
        tasks: result.state.tasks.map((task) => (task.key === '2.2:activate-port' ? { ...task, status: 'dispatched' as const } : task)),
      };
    }
    expect(taskOf(state, '2.2:activate-port').retries).toBe(maxTaskRetries);
    const { effects } = step(state, fail(state, '2.2:activate-port', true));
    expect(effects.resend).toBeUndefined();
    expect(effects.tasks.get(idOf('2.2:activate-port'))).toBe('failed');
    expect(effects.orderSteps.at(-1)).toMatchObject({
      to: 'failed',
      detail: { code: 'port-unavailable', gaveUpAfterRetries: maxTaskRetries },
    });
  });

  it('fails the task and the order on a non-retryable failure, with the vendor’s code and reason', () => {
    const acked = demoAcknowledged();
    const { effects, state } = step(acked, fail(acked, '2.2:activate-port', false));
    expect(effects.tasks).toEqual(new Map([[idOf('2.2:activate-port'), 'failed']]));
    expect(effects.resend).toBeUndefined();
    expect(effects.orderSteps).toEqual([
      {
        from: 'in_fulfillment',
        to: 'failed',
        cause: 'order.fulfillment-failed',
        detail: {
          taskId: idOf('2.2:activate-port'),
          taskKey: '2.2:activate-port',
          vendorId: 'vendor-b',
          code: 'port-unavailable',
          reason: 'no free port on the DSLAM',
        },
      },
    ]);
    // The partner had the acknowledgment: it gets a replacement refusing what will not come.
    expect(effects.answers).toEqual([
      {
        kind: 'acknowledgment',
        ack: {
          order: acked.order,
          ackDate: today,
          replacement: true,
          lines: ['1', '2', '2.1', '2.2', '2.3'].map((lineNumber) => ({
            lineNumber,
            status: 'rejected',
            quantity: lineNumber === '1' ? 2 : 1,
            uom: 'EA',
            note: 'no free port on the DSLAM (port-unavailable)',
          })),
        },
      },
    ]);
    // The other tasks' replies are no longer of use.
    expect(applyTaskEvent(state, complete(state, '1:ship'), at)).toEqual({ kind: 'ignored', reason: 'the order is failed' });
  });

  it('tells a partner not yet acknowledged: lines answered keep their refused portions, what shipped is accepted and reported after', () => {
    const initial = stateFor(demoLines());
    const { state, answers } = run(
      initial,
      (s) =>
        ackPortions(s, '1:ship', [
          { status: 'accepted', quantity: 1 },
          { status: 'rejected', quantity: 1, note: 'one left' },
        ]),
      (s) => ship(s, '1:ship', 'S1', 1),
      (s) => fail(s, '2.1:ship-modem', false),
    );
    expect(state.order.status).toBe('failed');
    expect(kinds(answers)).toEqual(['acknowledgment', 'shipment']);
    const refusal = answers[0];
    if (refusal?.kind !== 'acknowledgment') throw new Error('no acknowledgment');
    expect(refusal.ack.replacement).toBeUndefined();
    const note = 'no free port on the DSLAM (port-unavailable)';
    expect(refusal.ack.lines.map(({ lineNumber, status, quantity, note: why }) => [lineNumber, status, quantity, why])).toEqual([
      ['1', 'accepted', 1, undefined],
      ['1', 'rejected', 1, 'one left'],
      ['2', 'rejected', 1, note],
      ['2.1', 'rejected', 1, note],
      ['2.2', 'rejected', 1, note],
      ['2.3', 'rejected', 1, note],
    ]);
    expect(state.lines.get('2.2')?.status).toBe('rejected');
  });

  it('fails an order not yet in fulfillment, or partially shipped, by legal steps', () => {
    const initial = stateFor(demoLines());
    expect(step(initial, fail(initial, '1:ship', false)).effects.orderSteps.map((orderStep) => orderStep.to)).toEqual([
      'in_fulfillment',
      'failed',
    ]);
    const shipped = run(demoAcknowledged(), (s) => ship(s, '1:ship', 'S1', 1)).state;
    expect(step(shipped, fail(shipped, '2.3:truck-roll', false)).effects.orderSteps).toMatchObject([
      { from: 'partially_shipped', to: 'failed' },
    ]);
  });
});

describe('replies that skip the ack', () => {
  it('takes the line as accepted in full when a task completes straight after dispatch', () => {
    const initial = stateFor(demoLines());
    const { effects } = step(initial, complete(initial, '2.2:activate-port'));
    expect(effects.tasks.get(idOf('2.2:activate-port'))).toBe('done');
    expect(effects.lines.get('2.2')).toEqual({
      status: 'completed',
      shippedQuantity: 0,
      acks: [{ lineNumber: '2.2', status: 'accepted', quantity: 1, uom: 'EA' }],
    });
    expect(effects.orderSteps).toEqual([{ from: 'decomposed', to: 'in_fulfillment', cause: 'order.in-fulfillment', detail: {} }]);
    expect(effects.answers).toEqual([]);
  });

  it('holds a shipment made before the acknowledgment, and reports it right after the acknowledgment', () => {
    const initial = stateFor(demoLines());
    const early = ship(initial, '1:ship', 'S1', 2);
    const shipped = step(initial, early);
    expect(shipped.effects.lines.get('1')).toEqual({
      status: 'shipped',
      shippedQuantity: 2,
      acks: [{ lineNumber: '1', status: 'accepted', quantity: 2, uom: 'EA' }],
    });
    expect(shipped.effects.shipment).toMatchObject({ shipmentId: 'S1', reported: false });
    expect(shipped.effects.answers).toEqual([]);
    expect(shipped.effects.orderSteps.map((orderStep) => orderStep.to)).toEqual(['in_fulfillment', 'partially_shipped']);
    expect(shipped.state.heldShipments).toEqual([shipmentOf(early)]);

    const { effects, answers, state } = run(
      shipped.state,
      (s) => ack(s, '2.1:ship-modem'),
      (s) => ack(s, '2.2:activate-port'),
      (s) => ack(s, '2.3:truck-roll'),
    );
    expect(kinds(answers)).toEqual(['acknowledgment', 'shipment']);
    expect(answers[1]).toEqual({ kind: 'shipment', shipment: shipmentOf(early) });
    expect(effects.at(-1)?.reported).toEqual(['S1']);
    expect(state.heldShipments).toEqual([]);
  });
});

describe('a ship task’s complete before its shipments', () => {
  const heldOf = (effects: Effects) => effects.hold?.taskId;

  it('is held: the task stays open, nothing is billed or told, the order does not move; the shipment then applies both', () => {
    const acked = demoAcknowledged();
    const early = complete(acked, '1:ship');
    const held = step(acked, early);
    expect(held.effects.tasks).toEqual(new Map());
    expect(held.effects.lines).toEqual(new Map());
    expect(held.effects.orderSteps).toEqual([]);
    expect(held.effects.answers).toEqual([]);
    expect(held.effects.hold).toEqual({ taskId: idOf('1:ship'), completion: early.body });
    expect(held.effects.note).toEqual({
      cause: 'task.completion-held',
      detail: { taskId: idOf('1:ship'), taskKey: '1:ship', lineNumber: '1', shipped: 0, due: 2 },
    });
    expect(statusOf(held.state, '1:ship')).toBe('acknowledged');
    expect([...held.state.heldCompletions]).toEqual([idOf('1:ship')]);

    const shipment = ship(held.state, '1:ship', 'S1', 2);
    const shipped = step(held.state, shipment);
    expect(shipped.effects.tasks).toEqual(new Map([[idOf('1:ship'), 'done']]));
    expect(shipped.effects.lines.get('1')).toMatchObject({ status: 'completed', shippedQuantity: 2 });
    expect(shipped.effects.released).toEqual([idOf('1:ship')]);
    expect(shipped.effects.answers).toEqual([{ kind: 'shipment', shipment: shipmentOf(shipment) }]);
    expect(shipped.effects.orderSteps.map((orderStep) => orderStep.to)).toEqual(['partially_shipped']);
    expect(shipped.state.heldCompletions).toEqual(new Set());
    // Applied once: the complete sent again is a complete of a task already done.
    expect(applyTaskEvent(shipped.state, early, at)).toEqual({ kind: 'ignored', reason: 'the task is already done' });
  });

  it('is held until the rest of a partial shipment arrives', () => {
    const { state } = run(
      demoAcknowledged(),
      (s) => ship(s, '1:ship', 'S1', 1),
      (s) => complete(s, '1:ship'),
    );
    expect(statusOf(state, '1:ship')).toBe('in_progress');
    expect(lineOf(state, '1')).toMatchObject({ status: 'partially_shipped', shippedQuantity: 1 });
    expect(state.heldCompletions.has(idOf('1:ship'))).toBe(true);
    const rest = step(state, ship(state, '1:ship', 'S2', 1));
    expect(rest.effects.released).toEqual([idOf('1:ship')]);
    expect(rest.effects.tasks.get(idOf('1:ship'))).toBe('done');
    expect(rest.effects.lines.get('1')).toMatchObject({ status: 'completed', shippedQuantity: 2 });
  });

  it('is held when the vendor never acknowledged (the ordered quantity is due) or backordered the line (still to ship)', () => {
    const initial = stateFor(demoLines());
    expect(heldOf(effectsOf(applyTaskEvent(initial, complete(initial, '1:ship'), at)))).toBe(idOf('1:ship'));
    const backordered = run(initial, (s) => ack(s, '1:ship', { status: 'backordered', expectedDate: '2026-12-20' })).state;
    const outcome = effectsOf(applyTaskEvent(backordered, complete(backordered, '1:ship'), at));
    expect(outcome.hold?.taskId).toBe(idOf('1:ship'));
    expect(outcome.note?.detail).toMatchObject({ shipped: 0, due: 2 });
  });

  it('applies at once when the shipments cover the quantity the vendor changed the line to', () => {
    const { state, effects } = run(
      stateFor(demoLines()),
      (s) =>
        ackPortions(s, '1:ship', [
          { status: 'changed', quantity: 1, unitPrice: 1 },
          { status: 'rejected', quantity: 1 },
        ]),
      (s) => ship(s, '1:ship', 'S1', 1),
      (s) => complete(s, '1:ship'),
    );
    expect(effects.at(-1)?.hold).toBeUndefined();
    expect(statusOf(state, '1:ship')).toBe('done');
  });

  it('applies without a shipment when the vendor rejected the line: nothing is left to ship', () => {
    const { state, effects } = run(
      stateFor(demoLines()),
      (s) => ack(s, '1:ship', { status: 'rejected' }),
      (s) => complete(s, '1:ship'),
    );
    expect(effects.at(-1)?.hold).toBeUndefined();
    expect(statusOf(state, '1:ship')).toBe('done');
    expect(lineOf(state, '1')).toMatchObject({ status: 'rejected', shippedQuantity: 0 });
  });

  it('is applied by an ack that comes later and leaves nothing to ship', () => {
    const held = run(stateFor(demoLines()), (s) => complete(s, '1:ship')).state;
    const rejected = step(held, ack(held, '1:ship', { status: 'rejected' }));
    expect(rejected.effects.released).toEqual([idOf('1:ship')]);
    expect(rejected.effects.tasks.get(idOf('1:ship'))).toBe('done');
    expect(rejected.effects.lines.get('1')).toMatchObject({ status: 'rejected' });
  });

  it('is a repeat when it comes again while held: ignored, and still held once', () => {
    const acked = demoAcknowledged();
    const held = run(acked, (s) => complete(s, '1:ship')).state;
    const reason = 'a completion of task 1:ship is already held until its shipments arrive';
    expect(applyTaskEvent(held, complete(held, '1:ship'), at)).toEqual({ kind: 'ignored', reason });
    // Another complete message of the vendor's for the same task changes nothing either.
    const other = complete(held, '1:ship');
    if (other.type !== 'fulfillment.complete.v1') throw new Error('not a complete');
    expect(applyTaskEvent(held, { ...other, body: { ...other.body, note: 'again' } }, at)).toEqual({ kind: 'ignored', reason });
    const shipped = step(held, ship(held, '1:ship', 'S1', 2));
    expect(shipped.effects.released).toEqual([idOf('1:ship')]);
  });

  it('keeps the tasks waiting on it blocked, and billing, until the shipment: then 856 and 810 in that order, in one step', () => {
    const { state, answers } = run(
      demoAcknowledged(),
      (s) => complete(s, '2.1:ship-modem'),
      (s) => complete(s, '2.2:activate-port'),
      (s) => ship(s, '1:ship', 'S1', 2),
      (s) => complete(s, '1:ship'),
      (s) => complete(s, '2.3:truck-roll'),
    );
    expect(kinds(answers)).toEqual(['shipment']);
    expect(statusOf(state, '2.1:ship-modem')).toBe('acknowledged');
    expect(statusOf(state, '2:customer-activation')).toBe('blocked');
    expect(state.order.status).toBe('partially_shipped');

    const modem = ship(state, '2.1:ship-modem', 'S2', 1);
    const shipped = step(state, modem);
    expect(shipped.effects.tasks).toEqual(
      new Map([
        [idOf('2.1:ship-modem'), 'done'],
        [idOf('2:customer-activation'), 'ready'],
      ]),
    );
    expect(shipped.effects.answers).toEqual([{ kind: 'shipment', shipment: shipmentOf(modem) }]);

    // The last ship task's held complete, applied by its shipment, bills the order in the same step.
    const lastFirst = run(
      demoAcknowledged(),
      (s) => ship(s, '2.1:ship-modem', 'S2', 1),
      (s) => complete(s, '2.1:ship-modem'),
      (s) => complete(s, '2.2:activate-port'),
      (s) => complete(s, '2.3:truck-roll'),
      (s) => byPerson(s, '2:customer-activation'),
      (s) => complete(s, '1:ship'),
    );
    expect(lastFirst.state.order.status).toBe('partially_shipped');
    expect(kinds(lastFirst.answers)).toEqual(['shipment']);
    const last = step(lastFirst.state, ship(lastFirst.state, '1:ship', 'S1', 2));
    expect(kinds(last.effects.answers)).toEqual(['shipment', 'invoice']);
    expect(last.effects.orderSteps.map((orderStep) => orderStep.to)).toEqual(['fulfilled', 'ready_for_billing']);
    expect(last.state.tasks.every((task) => task.status === 'done')).toBe(true);
  });

  it('acknowledges once when the shipment both answers the last open line and applies the held complete', () => {
    const { state } = run(
      stateFor(demoLines()),
      (s) => ack(s, '2.1:ship-modem'),
      (s) => ack(s, '2.2:activate-port'),
      (s) => ack(s, '2.3:truck-roll'),
      (s) => complete(s, '1:ship'),
    );
    const shipment = ship(state, '1:ship', 'S1', 2);
    const { effects } = step(state, shipment);
    expect(kinds(effects.answers)).toEqual(['acknowledgment', 'shipment']);
    expect(effects.released).toEqual([idOf('1:ship')]);
  });

  it('does not hold a person’s task, or a vendor task of another type', () => {
    const initial = stateFor(demoLines());
    expect(effectsOf(applyTaskEvent(initial, complete(initial, '2.2:activate-port'), at)).hold).toBeUndefined();
    expect(effectsOf(applyTaskEvent(initial, complete(initial, '2.3:truck-roll'), at)).hold).toBeUndefined();
  });
});

// --- Properties ------------------------------------------------------------------------------

type Build = (state: FulfillmentState) => TaskEvent;

interface Script {
  skipAck: boolean[];
  /** Per ship task (1:ship, 2.1:ship-modem): its vendor sends complete before the shipments. */
  completeFirst: boolean[];
  splitShip: boolean;
  withProgress: boolean;
  redeliver: boolean[];
}

/** Each vendor task's replies, in the order its vendor sends them. */
function vendorScripts(script: Script): Map<string, Build[]> {
  const withAck = (index: number, key: string, rest: Build[]): Build[] => (script.skipAck[index] ? rest : [(s) => ack(s, key), ...rest]);
  const shipModems: Build[] = script.splitShip
    ? [(s) => ship(s, '1:ship', 'A1', 1), (s) => ship(s, '1:ship', 'A2', 1)]
    : [(s) => ship(s, '1:ship', 'A1', 2)];
  const steps = script.withProgress ? [(s: FulfillmentState) => progress(s, '2.2:activate-port', 'configuring', 50)] : [];
  const shipThenComplete = (index: number, key: string, shipments: Build[]): Build[] =>
    script.completeFirst[index] ? [(s) => complete(s, key), ...shipments] : [...shipments, (s) => complete(s, key)];
  return new Map([
    ['1:ship', withAck(0, '1:ship', shipThenComplete(0, '1:ship', shipModems))],
    ['2.1:ship-modem', withAck(1, '2.1:ship-modem', shipThenComplete(1, '2.1:ship-modem', [(s) => ship(s, '2.1:ship-modem', 'A3', 1)]))],
    ['2.2:activate-port', withAck(2, '2.2:activate-port', [...steps, (s) => complete(s, '2.2:activate-port')])],
    ['2.3:truck-roll', withAck(3, '2.3:truck-roll', [(s) => complete(s, '2.3:truck-roll')])],
  ]);
}

/**
 * Plays the demo order's replies in the interleaving `picks` chooses: at each turn, one of the
 * vendors with a reply left sends its next one, or the person completes once both dependencies
 * are done, or a reply already applied is delivered again. Every effect is written back.
 */
function play(script: Script, picks: number[]): { state: FulfillmentState; answers: PartnerAnswer[]; redelivered: number } {
  const pending = vendorScripts(script);
  let personDone = false;
  let state = stateFor(demoLines());
  const answers: PartnerAnswer[] = [];
  const again: TaskEvent[] = [];
  let redelivered = 0;
  let turn = 0;
  for (;;) {
    type Move = { kind: 'vendor'; key: string } | { kind: 'person' } | { kind: 'again'; index: number };
    const moves: Move[] = [...pending].filter(([, builds]) => builds.length > 0).map(([key]) => ({ kind: 'vendor', key }));
    const person = taskOf(state, '2:customer-activation');
    if (!personDone && person.dependsOn.every((key) => statusOf(state, key) === 'done')) moves.push({ kind: 'person' });
    again.forEach((_event, index) => moves.push({ kind: 'again', index }));
    if (moves.length === 0) break;
    const move = moves[(picks[turn % Math.max(picks.length, 1)] ?? 0) % moves.length] as Move;
    turn += 1;
    if (move.kind === 'again') {
      const [event] = again.splice(move.index, 1) as [TaskEvent];
      const outcome = applyTaskEvent(state, event, at);
      redelivered += 1;
      // A repeat changes nothing, or is ignored; it never answers the partner again.
      if (outcome.kind === 'applied') {
        expect(outcome.effects.answers).toEqual([]);
        expect(outcome.effects.orderSteps).toEqual([]);
        expect(applyEffects(state, outcome.effects)).toEqual(state);
      } else {
        expect(outcome.kind).toBe('ignored');
      }
      continue;
    }
    let event: TaskEvent;
    if (move.kind === 'person') {
      event = byPerson(state, '2:customer-activation');
      personDone = true;
    } else {
      const builds = pending.get(move.key) as Build[];
      event = (builds.shift() as Build)(state);
    }
    const next = step(state, event);
    answers.push(...next.effects.answers);
    state = next.state;
    if (event.type !== 'task.completed-by-person' && script.redeliver[turn % script.redeliver.length]) again.push(event);
  }
  return { state, answers, redelivered };
}

const scripts = fc.record({
  skipAck: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  completeFirst: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
  splitShip: fc.boolean(),
  withProgress: fc.boolean(),
  redeliver: fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }),
});

describe('any interleaving of the demo order’s replies', () => {
  it('ends ready for billing, acknowledged once, invoiced once, every task done, every shipment told after the acknowledgment and before the invoice', () => {
    fc.assert(
      fc.property(scripts, fc.array(fc.nat(), { minLength: 1, maxLength: 40 }), (script, picks) => {
        const { state, answers } = play(script, picks);
        expect(state.order.status).toBe('ready_for_billing');
        expect(state.tasks.filter((task) => task.status !== 'done')).toEqual([]);
        expect([...state.lines.values()].every((lineState) => lineState.status === 'completed')).toBe(true);
        expect(state.heldShipments).toEqual([]);
        expect(state.heldCompletions).toEqual(new Set());
        const acks = answers.filter((answer) => answer.kind === 'acknowledgment');
        expect(acks).toHaveLength(1);
        expect(acks[0]).toMatchObject({
          ack: { lines: ['1', '2', '2.1', '2.2', '2.3'].map((lineNumber) => ({ lineNumber, status: 'accepted' })) },
        });
        expect(kinds(answers).filter((kind) => kind === 'invoice')).toHaveLength(1);
        expect(answers.at(-1)).toMatchObject({
          kind: 'invoice',
          invoice: {
            lines: [
              { lineNumber: '1', quantity: 2 },
              { lineNumber: '2', quantity: 1 },
            ],
          },
        });
        // Every shipment is told once, and never before the acknowledgment.
        const shipments = answers.flatMap((answer) => (answer.kind === 'shipment' ? [answer.shipment.shipmentId] : []));
        expect(shipments.slice().sort()).toEqual(script.splitShip ? ['A1', 'A2', 'A3'] : ['A1', 'A3']);
        expect(kinds(answers).indexOf('acknowledgment')).toBeLessThan(kinds(answers).indexOf('shipment'));
        // And never after the invoice: every shipment the plan expects comes before it.
        expect(kinds(answers).lastIndexOf('shipment')).toBeLessThan(kinds(answers).indexOf('invoice'));
      }),
      { numRuns: 300 },
    );
  });

  it('answers every ack exactly once however the lines are answered, the bundle rejected only when every component is', () => {
    const answer = fc.constantFrom<VendorLineAck['status']>('accepted', 'rejected', 'backordered', 'changed');
    fc.assert(
      fc.property(
        fc.array(answer, { minLength: 4, maxLength: 4 }),
        fc.shuffledSubarray(demoVendorTasks, { minLength: 4, maxLength: 4 }),
        (statuses, order) => {
          let state = stateFor(demoLines());
          const answers: PartnerAnswer[][] = [];
          for (const key of order) {
            const status = statuses[demoVendorTasks.indexOf(key)] ?? 'accepted';
            const extra: Partial<VendorLineAck> = status === 'backordered' ? { status, expectedDate: '2026-12-20' } : { status };
            const next = step(state, ack(state, key, extra));
            answers.push(next.effects.answers);
            state = next.state;
          }
          expect(answers.map((some) => kinds(some))).toEqual([[], [], [], ['acknowledgment']]);
          const components = statuses.slice(1);
          const parent = components.every((status) => status === 'rejected') ? 'rejected' : 'accepted';
          expect(answers[3]?.[0]).toMatchObject({
            ack: {
              lines: [
                { lineNumber: '1', status: statuses[0] },
                { lineNumber: '2', status: parent },
                ...components.map((status) => ({ status })),
              ],
            },
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
