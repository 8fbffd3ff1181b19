import { lineStatusOf, portionsProblem, quantityToShip, wholeLine, type LineAck, type OrderAck } from './acknowledgment.ts';
import type { Invoice } from './invoice.ts';
import { lineMachine, type LineStatus } from './line-status.ts';
import { orderMachine, type OrderStatus } from './order-status.ts';
import type { OrderLine, StoredOrder } from './order.ts';
import type { Shipment } from './shipment.ts';
import { taskMachine, unblock, type TaskStatus } from './task-status.ts';
import type { TaskEvent, VendorReply } from './vendor-reply.ts';

// What a vendor's reply (or a person finishing a task) does to an order: task, line and order
// states, the tasks it frees, and what the partner is to hear. Pure: the caller reads the order
// under a lock, applies the effects in one transaction, and sends what is to be sent.

export interface TaskState {
  id: string;
  key: string;
  type: string;
  vendorId: string | null;
  person: boolean;
  dependsOn: string[];
  lineNumber: string;
  bundleLineNumber: string | null;
  status: TaskStatus;
  dueAt: string;
  /** Retryable failures so far: after maxTaskRetries the next one is final. */
  retries: number;
  /** A person's task: the role whose list it goes on (null: operations). */
  role: string | null;
}

export interface LineState {
  status: LineStatus;
  shippedQuantity: number;
  /** The answer the line got, in portions that add up to its quantity (from its vendor, or from the gateway for a line no vendor answers). */
  acks?: readonly LineAck[];
}

export interface FulfillmentState {
  order: StoredOrder;
  tasks: TaskState[];
  /** By line number. */
  lines: ReadonlyMap<string, LineState>;
  /**
   * `${vendorId}:${shipmentId}:${taskId}` of the shipments already recorded: one box may hold the
   * lines of several tasks, each reported by its own reply under the same shipment id.
   */
  shipments: ReadonlySet<string>;
  /**
   * Shipments recorded and not reported to the partner, oldest first: those made before the order
   * was acknowledged (reported right after the acknowledgment), and any made after the invoice (never).
   */
  heldShipments: readonly Shipment[];
  /** Ids of the ship tasks whose vendor's `complete` is held until their shipments cover them. */
  heldCompletions: ReadonlySet<string>;
}

/** A vendor's `complete` as it is held: what the store keeps to apply it later. */
export type CompletionBody = Extract<VendorReply, { type: 'fulfillment.complete.v1' }>['body'];

/** What the partner hears, in its own format (855 / ConfirmationRequest, 856 / ShipNoticeRequest, 810, or webhook events). */
export type PartnerAnswer =
  { kind: 'acknowledgment'; ack: OrderAck } | { kind: 'shipment'; shipment: Shipment } | { kind: 'invoice'; invoice: Invoice };

export interface OrderStep {
  from: OrderStatus;
  to: OrderStatus;
  cause: string;
  detail: Record<string, unknown>;
}

export interface Effects {
  /** New statuses, by task id. */
  tasks: Map<string, TaskStatus>;
  /** Changed lines, by line number. */
  lines: Map<string, LineState>;
  /** Order transitions in the order they happen; each is a history event. */
  orderSteps: OrderStep[];
  /** A history event for what changed no order state (progress, a retry...). */
  note?: { cause: string; detail: Record<string, unknown> };
  /** Vendor tasks to send a request for now. */
  send: TaskState[];
  /** A task to send again, no earlier than `notBefore`. */
  resend?: { task: TaskState; notBefore: string };
  /** `reported` false: held until the partner's acknowledgment goes out. */
  shipment?: Shipment & { taskId: string; vendorId: string; reported: boolean };
  /** Held shipments reported now, by shipmentId. */
  reported: string[];
  /** This reply is a ship task's `complete` that comes before its shipments: kept, not applied (shipmentsCover). */
  hold?: { taskId: string; completion: CompletionBody };
  /** Tasks whose held `complete` is applied now (their shipments now cover them), by task id. */
  released: string[];
  answers: PartnerAnswer[];
}

export type Outcome =
  | { kind: 'applied'; effects: Effects }
  /** Nothing to do, and nothing wrong: the reply comes after the task or the order has ended, or repeats a shipment. */
  | { kind: 'ignored'; reason: string }
  /** The reply cannot be right: it goes to the dead letters with this reason. */
  | { kind: 'refused'; code: RefusalCode; detail: string };

/** What a reply naming no task of its vendor is told: one wording, for a task that does not exist and for another vendor's. */
export const unknownTaskDetail = (taskId: string): string => `there is no task ${taskId}`;

export type RefusalCode =
  | 'unknown-task'
  | 'wrong-order'
  | 'not-sent'
  | 'line-not-in-task'
  | 'portions-do-not-add-up'
  | 'over-shipment'
  | 'line-rejected'
  | 'not-a-person-task'
  | 'invalid-state';

/** How far a vendor task has come; a reply moves it forward only. */
const progress: Partial<Record<TaskStatus, number>> = { blocked: 0, ready: 1, dispatched: 2, acknowledged: 3, in_progress: 4, done: 5 };
const chain: TaskStatus[] = ['blocked', 'ready', 'dispatched', 'acknowledged', 'in_progress', 'done'];

/** The task's status after moving forward to `target` (never back), each step checked. */
function advance(from: TaskStatus, target: TaskStatus): TaskStatus {
  const start = progress[from] ?? 0;
  const end = progress[target] ?? 0;
  if (end <= start) return from;
  // acknowledged → done is legal on its own: no progress report is needed in between.
  const steps = chain.slice(start + 1, end + 1).filter((step) => !(step === 'in_progress' && target === 'done'));
  return steps.reduce((status, step) => taskMachine.assertMove(status, step), from);
}

/** The line's status after following `path`, skipping steps it has already passed. */
function walkLine(from: LineStatus, path: LineStatus[]): LineStatus {
  return path.reduce((status, step) => (status === step ? status : lineMachine.assertMove(status, step)), from);
}

const dateOf = (at: Date): string => at.toISOString().slice(0, 10);

/** The gateway's own changes while applying one event, then read back as Effects. */
class Draft {
  readonly tasks = new Map<string, TaskStatus>();
  readonly lines = new Map<string, LineState>();
  readonly orderSteps: OrderStep[] = [];
  readonly send: TaskState[] = [];
  readonly answers: PartnerAnswer[] = [];
  readonly reported: string[] = [];
  readonly released: string[] = [];
  note?: Effects['note'];
  hold?: Effects['hold'];
  resend?: Effects['resend'];
  shipment?: Effects['shipment'];

  constructor(readonly state: FulfillmentState) {}

  taskStatus(task: TaskState): TaskStatus {
    return this.tasks.get(task.id) ?? task.status;
  }

  line(lineNumber: string): LineState {
    const line = this.lines.get(lineNumber) ?? this.state.lines.get(lineNumber);
    if (line === undefined) throw new Error(`order ${this.state.order.id} has no line ${lineNumber}`);
    return line;
  }

  setLine(lineNumber: string, line: LineState): void {
    this.lines.set(lineNumber, line);
  }

  orderStatus(): OrderStatus {
    return this.orderSteps.at(-1)?.to ?? this.state.order.status;
  }

  moveOrder(to: OrderStatus, cause: string, detail: Record<string, unknown> = {}): void {
    const from = this.orderStatus();
    this.orderSteps.push({ from, to: orderMachine.assertMove(from, to), cause, detail });
  }

  effects(): Effects {
    return {
      tasks: this.tasks,
      lines: this.lines,
      orderSteps: this.orderSteps,
      ...(this.note === undefined ? {} : { note: this.note }),
      send: this.send,
      ...(this.resend === undefined ? {} : { resend: this.resend }),
      ...(this.shipment === undefined ? {} : { shipment: this.shipment }),
      reported: this.reported,
      ...(this.hold === undefined ? {} : { hold: this.hold }),
      released: this.released,
      answers: this.answers,
    };
  }
}

const refused = (code: RefusalCode, detail: string): Outcome => ({ kind: 'refused', code, detail });

/** The order's line as acknowledged by the gateway: all of it, at its price. */
function fullAck(order: StoredOrder, lineNumber: string, status: LineAck['status'] = 'accepted'): LineAck[] {
  const line = order.lines.find((candidate) => candidate.lineNumber === lineNumber);
  if (line === undefined) throw new Error(`order ${order.id} has no line ${lineNumber}`);
  return [wholeLine(line, status)];
}

/** A line still open is taken as accepted, in full, when its vendor skips the ack and ships or completes. */
function acceptIfOpen(draft: Draft, lineNumber: string): void {
  const line = draft.line(lineNumber);
  if (line.status === 'open')
    draft.setLine(lineNumber, {
      ...line,
      status: lineMachine.assertMove('open', 'accepted'),
      acks: fullAck(draft.state.order, lineNumber),
    });
}

/** Work started: the order is in fulfillment from the first reply on. */
function startFulfillment(draft: Draft): void {
  if (draft.orderStatus() === 'decomposed') draft.moveOrder('in_fulfillment', 'order.in-fulfillment');
}

/** The lines a vendor answers: those with a vendor task. */
const vendorLines = (state: FulfillmentState): string[] => [
  ...new Set(state.tasks.filter((task) => !task.person && task.vendorId !== null).map((task) => task.lineNumber)),
];

/** Whether the partner's acknowledgment has gone out (or goes out in this draft): no vendor line is open. */
const acknowledged = (draft: Draft): boolean => vendorLines(draft.state).every((lineNumber) => draft.line(lineNumber).status !== 'open');

/**
 * When the last line a vendor answers gets its answer, the lines no vendor answers (a bundle's
 * parent, a line whose only task is a person's) are answered by the gateway — a bundle is
 * rejected only when every component is — and the partner gets the whole acknowledgment, its lines
 * in its own order, followed by the shipments held back until then.
 */
function acknowledgeWhenComplete(draft: Draft, at: Date): void {
  const { order } = draft.state;
  const answered = vendorLines(draft.state);
  const wasOpen = answered.some((lineNumber) => draft.state.lines.get(lineNumber)?.status === 'open');
  // Asked again in the same draft (a shipment, then the completion it releases): it has gone out once.
  const sent = draft.answers.some((answer) => answer.kind === 'acknowledgment');
  if (!wasOpen || sent || !acknowledged(draft)) return;
  for (const line of order.lines) {
    if (draft.line(line.lineNumber).status !== 'open') continue;
    const components = order.lines.filter((candidate) => candidate.parentLineNumber === line.lineNumber);
    const rejected = components.length > 0 && components.every((component) => draft.line(component.lineNumber).status === 'rejected');
    const status = rejected ? 'rejected' : 'accepted';
    draft.setLine(line.lineNumber, {
      ...draft.line(line.lineNumber),
      status: lineMachine.assertMove('open', status),
      acks: fullAck(order, line.lineNumber, status),
    });
  }
  const lines = order.lines.flatMap((line) => draft.line(line.lineNumber).acks ?? fullAck(order, line.lineNumber));
  draft.answers.push({ kind: 'acknowledgment', ack: { order, lines, ackDate: dateOf(at) } });
  for (const shipment of draft.state.heldShipments) {
    draft.answers.push({ kind: 'shipment', shipment });
    draft.reported.push(shipment.shipmentId);
  }
}

/** The quantity a line is to ship: its portions not rejected, or what was ordered while it has no answer. */
function quantityDue(order: StoredOrder, lineNumber: string, line: LineState): number {
  if (line.acks !== undefined) return quantityToShip(line.acks);
  return order.lines.find((candidate) => candidate.lineNumber === lineNumber)?.quantity ?? 0;
}

function applyAck(
  draft: Draft,
  task: TaskState,
  reply: Extract<VendorReply, { type: 'fulfillment.ack.v1' }>,
  at: Date,
): Outcome | undefined {
  const stray = reply.body.lines.find((line) => line.lineNumber !== task.lineNumber);
  if (stray !== undefined)
    return refused('line-not-in-task', `the ack answers line ${stray.lineNumber}; task ${task.key} is for line ${task.lineNumber} only`);
  const line = draft.line(task.lineNumber);
  // The first answer a line gets is its answer; a later one (another task of the line) changes nothing.
  if (line.status === 'open' && reply.body.lines.length > 0) {
    const ordered = draft.state.order.lines.find((candidate) => candidate.lineNumber === task.lineNumber);
    if (ordered === undefined) throw new Error(`order ${draft.state.order.id} has no line ${task.lineNumber}`);
    const acks = reply.body.lines.map(portion);
    const problem = portionsProblem(ordered, acks);
    if (problem !== undefined) return refused('portions-do-not-add-up', problem);
    draft.setLine(task.lineNumber, { ...line, status: lineMachine.assertMove('open', lineStatusOf(acks)), acks });
  }
  draft.tasks.set(task.id, advance(draft.taskStatus(task), 'acknowledged'));
  startFulfillment(draft);
  acknowledgeWhenComplete(draft, at);
  return undefined;
}

/** A vendor's portion as the line keeps it: only the fields of a LineAck. */
function portion(answer: LineAck): LineAck {
  const { lineNumber, status, quantity, uom, unitPrice, expectedDate, note } = answer;
  return {
    lineNumber,
    status,
    quantity,
    uom,
    ...(unitPrice === undefined ? {} : { unitPrice }),
    ...(expectedDate === undefined ? {} : { expectedDate }),
    ...(note === undefined ? {} : { note }),
  };
}

/** Order states in which the partner has (or may have) the invoice. */
const invoicedStatuses: readonly OrderStatus[] = ['ready_for_billing', 'billed'];

function applyShip(
  draft: Draft,
  task: TaskState,
  reply: Extract<VendorReply, { type: 'fulfillment.ship.v1' }>,
  at: Date,
): Outcome | undefined {
  const { order } = draft.state;
  const shipment = reply.body;
  if (draft.state.shipments.has(`${shipment.vendorId}:${shipment.shipmentId}:${task.id}`))
    return { kind: 'ignored', reason: `shipment ${shipment.shipmentId} is already recorded` };
  const shipped = new Map<string, number>();
  for (const item of shipment.packages.flatMap((pack) => pack.items)) {
    if (item.lineNumber !== task.lineNumber)
      return refused(
        'line-not-in-task',
        `the shipment holds line ${item.lineNumber}; task ${task.key} is for line ${task.lineNumber} only`,
      );
    shipped.set(item.lineNumber, (shipped.get(item.lineNumber) ?? 0) + item.quantity);
  }
  for (const [lineNumber, quantity] of shipped) {
    const line = draft.line(lineNumber);
    if (line.status === 'rejected' || line.status === 'cancelled')
      return refused('line-rejected', `line ${lineNumber} is ${line.status}; nothing of it can ship`);
    const due = quantityDue(order, lineNumber, line);
    // A ten-thousandth of slack: quantities are kept to four decimals.
    if (line.shippedQuantity + quantity > due + 0.00005) {
      return refused(
        'over-shipment',
        `line ${lineNumber}: ${quantity} shipped now after ${line.shippedQuantity} before is more than the ${due} due`,
      );
    }
  }
  for (const [lineNumber, quantity] of shipped) {
    acceptIfOpen(draft, lineNumber);
    const line = draft.line(lineNumber);
    const total = line.shippedQuantity + quantity;
    const full = total >= quantityDue(order, lineNumber, line) - 0.00005;
    // A line already completed (its task reported done before this shipment) stays completed.
    const status = line.status === 'completed' ? line.status : walkLine(line.status, [full ? 'shipped' : 'partially_shipped']);
    draft.setLine(lineNumber, { ...line, status, shippedQuantity: total });
  }
  draft.tasks.set(task.id, advance(draft.taskStatus(task), 'in_progress'));
  startFulfillment(draft);
  acknowledgeWhenComplete(draft, at);
  if (draft.orderStatus() === 'in_fulfillment') draft.moveOrder('partially_shipped', 'order.shipped', { shipmentId: shipment.shipmentId });
  const { taskId: _taskId, orderId: _orderId, vendorId, ...details } = shipment;
  // A ship notice for an order the partner has not had the acknowledgment of waits for it. One for
  // an order already invoiced is recorded and never told: no 856 follows the 810. (A ship task's
  // shipments all come before its completion, so only a task of another type can ship that late.)
  const invoiced = invoicedStatuses.includes(draft.orderStatus());
  const reported = !invoiced && acknowledged(draft);
  draft.shipment = { ...details, taskId: task.id, vendorId, reported };
  if (reported) draft.answers.push({ kind: 'shipment', shipment: details });
  if (invoiced)
    draft.note = { cause: 'shipment.after-invoice', detail: { taskId: task.id, taskKey: task.key, shipmentId: shipment.shipmentId } };
  return undefined;
}

/**
 * Whether a task's `complete` must wait for shipments: a vendor's ship task whose shipments do not
 * yet cover what it must ship. Covered means the shipped quantity of the task's line reaches the
 * quantity still expected of it, which is
 *   - the line's portions not rejected (accepted, changed and backordered: a backorder is still to
 *     ship, and is billed);
 *   - the ordered quantity for a line the vendor never acknowledged;
 *   - nothing for a rejected or cancelled line: its task completes without a shipment.
 * These are the quantities the over-shipment check and the invoice use (quantityDue). Quantities are
 * counted per line, as the line keeps them (a plan gives a line one ship task). A person's task, and
 * a task of any other type, completes without a shipment.
 */
function awaitsShipment(draft: Draft, task: TaskState): boolean {
  if (task.type !== 'ship' || task.person || task.vendorId === null) return false;
  const line = draft.line(task.lineNumber);
  if (line.status === 'rejected' || line.status === 'cancelled') return false;
  return line.shippedQuantity < quantityDue(draft.state.order, task.lineNumber, line) - 0.00005;
}

/**
 * A ship task's `complete` before its shipments is kept, not applied: the task stays open, so that
 * neither the tasks waiting on it nor billing go ahead of the shipment (else its 856 would follow the
 * 810, or never come). The store keeps it; the shipment that covers the task applies it (releaseCovered).
 */
function holdCompletion(draft: Draft, task: TaskState, reply: Extract<VendorReply, { type: 'fulfillment.complete.v1' }>): void {
  const line = draft.line(task.lineNumber);
  draft.hold = { taskId: task.id, completion: reply.body };
  draft.note = {
    cause: 'task.completion-held',
    detail: {
      taskId: task.id,
      taskKey: task.key,
      lineNumber: task.lineNumber,
      shipped: line.shippedQuantity,
      due: quantityDue(draft.state.order, task.lineNumber, line),
    },
  };
}

/** The held completions this reply (a shipment, or an ack that lowers what is due) has made good, applied in the same draft. */
function releaseCovered(draft: Draft, at: Date): void {
  for (const task of draft.state.tasks) {
    if (!draft.state.heldCompletions.has(task.id) || taskMachine.isTerminal(draft.taskStatus(task)) || awaitsShipment(draft, task))
      continue;
    draft.released.push(task.id);
    applyComplete(draft, task, at);
    draft.note ??= { cause: 'task.held-completion-applied', detail: { taskId: task.id, taskKey: task.key } };
  }
}

/**
 * The invoice for an order whose every task is done: every priced line not rejected, at its confirmed
 * quantity and price. A priced bundle carries the bundle's price, as in the order's total
 * (domain/order.ts), so its components are not billed again.
 */
function invoiceFor(draft: Draft, at: Date): Invoice {
  const { order } = draft.state;
  const priced = new Set(order.lines.filter((line) => line.unitPrice !== undefined).map((line) => line.lineNumber));
  const lines = order.lines.flatMap((line) => {
    const state = draft.line(line.lineNumber);
    if (line.unitPrice === undefined || state.status === 'rejected' || state.status === 'cancelled') return [];
    if (line.parentLineNumber !== undefined && priced.has(line.parentLineNumber)) return [];
    const orderedPrice = line.unitPrice;
    // A line confirmed in portions at different prices is billed one invoice line per price.
    const byPrice = new Map<number, LineAck[]>();
    for (const portion of state.acks ?? fullAck(order, line.lineNumber)) {
      const price = portion.unitPrice ?? orderedPrice;
      byPrice.set(price, [...(byPrice.get(price) ?? []), portion]);
    }
    return [...byPrice]
      .map(([unitPrice, portions]) => ({ lineNumber: line.lineNumber, quantity: quantityToShip(portions), uom: line.uom, unitPrice }))
      .filter((billed) => billed.quantity > 0);
  });
  return { invoiceDate: dateOf(at), lines };
}

/** The steps from a line's state to completed; terminal lines stay as they are. */
function completeLine(draft: Draft, lineNumber: string): void {
  acceptIfOpen(draft, lineNumber);
  const line = draft.line(lineNumber);
  if (line.status === 'rejected' || line.status === 'cancelled' || line.status === 'completed') return;
  const path: LineStatus[] = line.status === 'partially_shipped' ? ['shipped', 'completed'] : ['completed'];
  draft.setLine(lineNumber, { ...line, status: walkLine(line.status, path) });
}

function applyComplete(draft: Draft, task: TaskState, at: Date): void {
  const { order, tasks } = draft.state;
  draft.tasks.set(task.id, advance(draft.taskStatus(task), 'done'));
  // A vendor that completes without an ack has answered its line, even when other tasks of the line remain.
  if (!task.person) acceptIfOpen(draft, task.lineNumber);
  const statuses = new Map(tasks.map((candidate) => [candidate.key, draft.taskStatus(candidate)] as const));
  const freed = new Set(unblock({ tasks }, statuses));
  for (const candidate of tasks.filter((t) => freed.has(t.key))) {
    draft.tasks.set(candidate.id, taskMachine.assertMove('blocked', 'ready'));
    if (!candidate.person && candidate.vendorId !== null) draft.send.push(candidate);
  }
  // A line whose every task is done is completed.
  const lineDone = (lineNumber: string) => tasks.filter((t) => t.lineNumber === lineNumber).every((t) => draft.taskStatus(t) === 'done');
  if (lineDone(task.lineNumber)) completeLine(draft, task.lineNumber);
  startFulfillment(draft);
  acknowledgeWhenComplete(draft, at);
  const open = tasks.filter((t) => !taskMachine.isTerminal(draft.taskStatus(t)));
  if (open.length > 0) return;
  // Every task done: the lines no task works on (a bundle's parent) are complete too, and the order is ready for billing.
  for (const line of order.lines) completeLine(draft, line.lineNumber);
  draft.moveOrder('fulfilled', 'order.fulfilled');
  draft.moveOrder('ready_for_billing', 'order.ready-for-billing');
  // Nothing billable (every line rejected): no invoice, rather than an 810 without a line.
  const invoice = invoiceFor(draft, at);
  if (invoice.lines.length > 0) draft.answers.push({ kind: 'invoice', invoice });
}

/** Retryable failures a task may have; one more fails it, so that a vendor cannot keep a task (and its order) open forever. */
export const maxTaskRetries = 5;

/** Ten minutes when the vendor names no time: long enough for a passing fault to pass. */
const defaultRetryDelayMs = 10 * 60_000;

function applyFail(draft: Draft, task: TaskState, reply: Extract<VendorReply, { type: 'fulfillment.fail.v1' }>, at: Date): void {
  const { code, reason, retryable, retryAfter } = reply.body;
  startFulfillment(draft);
  if (retryable && task.retries < maxTaskRetries) {
    const status = draft.taskStatus(task);
    draft.tasks.set(task.id, status === 'ready' ? status : taskMachine.assertMove(advance(status, 'dispatched'), 'ready'));
    const notBefore = retryAfter ?? new Date(at.getTime() + defaultRetryDelayMs).toISOString();
    draft.resend = { task, notBefore };
    draft.note = { cause: 'task.retry-scheduled', detail: { taskId: task.id, taskKey: task.key, code, reason, notBefore } };
    return;
  }
  draft.tasks.set(task.id, taskMachine.assertMove(advance(draft.taskStatus(task), 'dispatched'), 'failed'));
  const gaveUp = retryable ? { gaveUpAfterRetries: task.retries } : {};
  draft.moveOrder('failed', 'order.fulfillment-failed', {
    taskId: task.id,
    taskKey: task.key,
    vendorId: task.vendorId,
    code,
    reason,
    ...gaveUp,
  });
  refuseUndelivered(draft, `${reason} (${code})`, at);
}

/**
 * A failed order ends its work, so the partner is told what it will not get: every line worked on
 * and not completed is refused for what has not shipped (an accepted portion for what has, a
 * rejected one for the rest, the failure as its note), and a bundle's parent with it when one of
 * its components is; a line already rejected keeps its answer. The refusal is the acknowledgment when
 * the partner has had none (the shipments held for it follow), else a replacement of the one it had.
 */
function refuseUndelivered(draft: Draft, note: string, at: Date): void {
  const { order } = draft.state;
  const replacement = acknowledged(draft);
  const refusedNow = new Set<string>();
  const portionsOf = (line: OrderLine): LineAck[] => {
    const state = draft.line(line.lineNumber);
    const answered = state.acks ?? fullAck(order, line.lineNumber);
    if (state.status === 'completed' || state.status === 'rejected' || state.status === 'cancelled') return [...answered];
    const worked = tasksOf(draft.state, line.lineNumber).length > 0;
    const components = order.lines.filter((candidate) => candidate.parentLineNumber === line.lineNumber);
    // A bundle's parent ships nothing itself: it is refused whole when a component is.
    if (!worked && !components.some((component) => refusedNow.has(component.lineNumber))) return [...answered];
    const due = quantityToShip(answered);
    const shipped = worked ? Math.min(state.shippedQuantity, due) : 0;
    const rest = Math.round((due - shipped) * 10_000) / 10_000;
    if (rest > 0) refusedNow.add(line.lineNumber);
    return [
      ...(shipped > 0 ? [{ ...wholeLine(line, 'accepted'), quantity: shipped }] : []),
      ...answered.filter((portion) => portion.status === 'rejected'),
      ...(rest > 0 ? [{ ...wholeLine(line, 'rejected', note), quantity: rest }] : []),
    ];
  };
  // Components before their parents, the answer in the order's own line order.
  const byLine = new Map<string, LineAck[]>();
  for (const line of [...order.lines].sort((a, b) => Number(a.parentLineNumber === undefined) - Number(b.parentLineNumber === undefined)))
    byLine.set(line.lineNumber, portionsOf(line));
  for (const line of order.lines) {
    const state = draft.line(line.lineNumber);
    const acks = byLine.get(line.lineNumber) ?? [];
    if (state.status === 'open')
      draft.setLine(line.lineNumber, { ...state, status: lineMachine.assertMove('open', lineStatusOf(acks)), acks });
  }
  const lines = order.lines.flatMap((line) => byLine.get(line.lineNumber) ?? []);
  draft.answers.push({ kind: 'acknowledgment', ack: { order, lines, ackDate: dateOf(at), ...(replacement ? { replacement } : {}) } });
  if (replacement) return;
  for (const shipment of draft.state.heldShipments) {
    draft.answers.push({ kind: 'shipment', shipment });
    draft.reported.push(shipment.shipmentId);
  }
}

const tasksOf = (state: FulfillmentState, lineNumber: string): TaskState[] => state.tasks.filter((task) => task.lineNumber === lineNumber);

/** Applies one reply, or a person's completion, to the order it is about. */
export function applyTaskEvent(state: FulfillmentState, event: TaskEvent, at: Date): Outcome {
  const task = state.tasks.find((candidate) => candidate.id === event.body.taskId);
  if (task === undefined) return refused('unknown-task', `order ${state.order.id} has no task ${event.body.taskId}`);
  if (event.type === 'task.completed-by-person') {
    if (!task.person) return refused('not-a-person-task', `task ${task.key} is a vendor's; vendors report their own tasks done`);
    const freed = task.status !== 'blocked' || task.dependsOn.every((key) => state.tasks.find((t) => t.key === key)?.status === 'done');
    if (taskMachine.isTerminal(task.status) || !freed || orderMachine.isTerminal(state.order.status)) {
      return refused(
        'invalid-state',
        `the task is "${task.status}" and its order "${state.order.status}"; only an open task whose dependencies are done can be completed`,
      );
    }
  } else {
    // Another vendor's task (or a person's) is answered exactly as one that does not exist: a
    // vendor learns nothing of the work of others, not even that the id is one.
    if (task.person || task.vendorId !== event.body.vendorId) return refused('unknown-task', unknownTaskDetail(event.body.taskId));
    if (event.body.orderId !== state.order.id)
      return refused('wrong-order', `task ${task.id} belongs to order ${state.order.id}, not ${event.body.orderId}`);
    if (orderMachine.isTerminal(state.order.status)) return { kind: 'ignored', reason: `the order is ${state.order.status}` };
    // A shipment is a fact even when it comes after the vendor's complete (replies may cross; only
    // for a task of another type than ship, whose complete never waits for shipments).
    const lateShipment = task.status === 'done' && event.type === 'fulfillment.ship.v1';
    if (taskMachine.isTerminal(task.status) && !lateShipment) return { kind: 'ignored', reason: `the task is already ${task.status}` };
    if (task.status === 'blocked') return refused('not-sent', `task ${task.key} waits on ${task.dependsOn.join(', ')} and was never sent`);
  }
  const draft = new Draft(state);
  switch (event.type) {
    case 'fulfillment.ack.v1': {
      const refusal = applyAck(draft, task, event, at);
      if (refusal !== undefined) return refusal;
      releaseCovered(draft, at);
      break;
    }
    case 'fulfillment.ship.v1': {
      const refusal = applyShip(draft, task, event, at);
      if (refusal !== undefined) return refusal;
      releaseCovered(draft, at);
      break;
    }
    case 'fulfillment.progress.v1':
      draft.tasks.set(task.id, advance(task.status, 'in_progress'));
      startFulfillment(draft);
      draft.note = {
        cause: 'task.progress',
        detail: {
          taskId: task.id,
          taskKey: task.key,
          stage: event.body.stage,
          ...(event.body.percent === undefined ? {} : { percent: event.body.percent }),
        },
      };
      break;
    case 'fulfillment.complete.v1':
      if (!awaitsShipment(draft, task)) applyComplete(draft, task, at);
      else if (state.heldCompletions.has(task.id))
        return { kind: 'ignored', reason: `a completion of task ${task.key} is already held until its shipments arrive` };
      else holdCompletion(draft, task, event);
      break;
    case 'task.completed-by-person':
      applyComplete(draft, task, at);
      break;
    case 'fulfillment.fail.v1':
      applyFail(draft, task, event, at);
      break;
  }
  return { kind: 'applied', effects: draft.effects() };
}
