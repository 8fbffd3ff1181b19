import type { Address, OrderLine, Party, StoredOrder } from './order.ts';

/**
 * The body of a `fulfillment.request.v1` message (asyncapi.yaml, FulfillmentRequest): everything a
 * vendor needs to do one task without calling back. Built in one place, so a task sent at
 * decomposition and one sent when it is unblocked or retried later look the same.
 */
export interface FulfillmentRequest {
  taskId: string;
  orderId: string;
  partnerId: string;
  externalRef: string;
  vendorId: string;
  taskType: string;
  taskName: string;
  line: TaskLine;
  /** The id of the bundle's parent line, on every task of a bundle. */
  bundleId?: string;
  items: TaskItem[];
  shipTo?: Party;
  dueAt: string;
  requestedShipDate?: string;
  requestedDeliveryDate?: string;
  notes?: string[];
}

/** The order line the task fulfils, with the canonical order's field names, and its id. */
export type TaskLine = Pick<
  OrderLine,
  | 'lineNumber'
  | 'parentLineNumber'
  | 'bundleLineNumber'
  | 'sku'
  | 'identifiers'
  | 'description'
  | 'quantity'
  | 'uom'
  | 'unitPrice'
  | 'requestedShipDate'
  | 'requestedDeliveryDate'
> & { lineId: string };

export type TaskItem = Pick<OrderLine, 'lineNumber' | 'sku' | 'quantity' | 'uom'>;

/** What the request needs of a task. */
export interface RequestedTask {
  id: string;
  key: string;
  type: string;
  vendorId: string;
  lineNumber: string;
  bundleLineNumber: string | null;
  dueAt: string;
}

export const fulfillmentRequestType = 'fulfillment.request.v1';

/** `fulfillment.cancel.v1` (asyncapi.yaml): a task the vendor was sent is not wanted any more. */
export interface FulfillmentCancel {
  taskId: string;
  orderId: string;
  vendorId: string;
  cancelledAt: string;
  reason: string;
}

export const fulfillmentCancelType = 'fulfillment.cancel.v1';

/** A cancellation goes where the vendor's requests go, with `cancel` as the last routing-key word. */
export const vendorCancelDestination = (vendorId: string): string => `vendor.${vendorId}.cancel`;

/** The routing key of a vendor's task on the requests exchange (asyncapi.yaml). */
export const vendorDestination = (vendorId: string, taskType: string): string => `vendor.${vendorId}.${taskType}`;

/** A task key is `${lineNumber}:${taskName}`; line numbers may hold ':' themselves, names may not. */
export const taskNameOf = (key: string): string => key.slice(key.lastIndexOf(':') + 1);

/** Present keys only: the message schema forbids nulls, and an absent field says "none". */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const address = (value: Address | undefined): Address | undefined => {
  const lines = value?.lines.filter((line) => line.trim() !== '') ?? [];
  return value === undefined || lines.length === 0 ? undefined : defined({ ...value, lines });
};

const party = (value: Party | undefined): Party | undefined =>
  value === undefined ? undefined : defined({ ...value, address: address(value.address) });

function taskLine(line: OrderLine & { id: string }, bundleLineNumber: string | null): TaskLine {
  return defined({
    lineId: line.id,
    lineNumber: line.lineNumber,
    parentLineNumber: line.parentLineNumber,
    bundleLineNumber: bundleLineNumber ?? undefined,
    sku: line.sku,
    identifiers: line.identifiers,
    description: line.description,
    quantity: line.quantity,
    uom: line.uom,
    unitPrice: line.unitPrice,
    requestedShipDate: line.requestedShipDate,
    requestedDeliveryDate: line.requestedDeliveryDate,
  });
}

/** An order's lines by line number (unique in an order): built once for all the requests of one order. */
export const linesByNumber = (order: StoredOrder): ReadonlyMap<string, StoredOrder['lines'][number]> =>
  new Map(order.lines.map((line) => [line.lineNumber, line]));

/**
 * Throws when the task's line is not in the order: a task is only ever planned on its order's lines.
 * `lines`: linesByNumber(order), when many requests of one order are built (a search per task is
 * quadratic: an order of 50,000 component lines took 15 s).
 */
export function fulfillmentRequest(order: StoredOrder, task: RequestedTask, lines = linesByNumber(order)): FulfillmentRequest {
  const line = lines.get(task.lineNumber);
  if (line === undefined) throw new Error(`task ${task.key} names line ${task.lineNumber}, which order ${order.id} does not have`);
  const bundle = task.bundleLineNumber === null ? undefined : lines.get(task.bundleLineNumber);
  return defined({
    taskId: task.id,
    orderId: order.id,
    partnerId: order.partnerId,
    externalRef: order.externalRef,
    vendorId: task.vendorId,
    taskType: task.type,
    taskName: taskNameOf(task.key),
    line: taskLine(line, task.bundleLineNumber),
    bundleId: bundle?.id,
    items: [defined({ lineNumber: line.lineNumber, sku: line.sku, quantity: line.quantity, uom: line.uom })],
    shipTo: party(order.shipTo),
    dueAt: task.dueAt,
    requestedShipDate: line.requestedShipDate ?? order.requestedShipDate,
    requestedDeliveryDate: line.requestedDeliveryDate ?? order.requestedDeliveryDate,
    notes: order.notes?.length === 0 ? undefined : order.notes,
  });
}
