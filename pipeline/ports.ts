import type { CanonicalOrder, Channel, StoredOrder } from '../domain/order.ts';
import type { OrderStatus } from '../domain/order-status.ts';
import type { TaskType } from '../domain/catalog.ts';
import type { TaskStatus } from '../domain/task-status.ts';

// What the pipeline needs from the outside world. Adapters implement these; stages only call them.

export interface IdempotencyRecord {
  requestHash: string;
  responseStatus: number;
  responseBody: unknown;
  orderId: string | null;
}

export interface InboundDocument {
  /** Inbound unless said otherwise. */
  direction?: 'inbound' | 'outbound';
  channel: Channel;
  type: string;
  contentType: string;
  body: Uint8Array;
  sha256: string;
  control: Record<string, string>;
  /** What was found wrong in it, in the channel's own terms. */
  findings?: unknown;
  /** Outbound: 'mailbox' (the partner pulls it) or 'pending' (we push it to an endpoint). */
  deliveryState?: 'mailbox' | 'pending';
}

export interface DeliveryRecord {
  state: 'delivered' | 'failed';
  attempts: number;
  error?: string;
  /** What the partner's reply said (e.g. its cXML Response status), merged into the document's control. */
  answer?: Record<string, string>;
}

export interface OutboxMessage {
  type: string;
  correlationId: string;
  destination: string;
  payload: unknown;
  headers?: Record<string, string>;
}

export interface NewOrder {
  partnerId: string;
  order: CanonicalOrder;
  actor: string;
  cause: string;
  /** Extra facts for the first history event (the document it came in, a possible duplicate...). */
  eventDetail?: Record<string, unknown>;
}

export interface OrderEventRecord {
  from: string | null;
  to: string;
  cause: string;
  actor: string;
  detail?: Record<string, unknown>;
}

export interface NewTask {
  key: string;
  /** The order line the task works on; absent only if the line cannot be found. */
  lineId?: string;
  lineNumber: string;
  bundleLineNumber?: string;
  type: TaskType;
  vendorId?: string;
  person: boolean;
  dependsOn: string[];
  slaMinutes: number;
  dueAt: Date;
  status: TaskStatus;
}

export interface StoreTransaction {
  /** Takes the key for this request, or returns the record of whoever took it first (waiting for it to commit). */
  claimIdempotencyKey(partnerId: string, scope: string, key: string, requestHash: string): Promise<IdempotencyRecord | 'claimed'>;
  completeIdempotencyKey(partnerId: string, scope: string, key: string, response: { status: number; body: unknown; orderId: string | null }): Promise<void>;
  insertOrder(order: NewOrder): Promise<StoredOrder>;
  insertDocument(partnerId: string, orderId: string | null, document: InboundDocument): Promise<string>;
  enqueue(message: OutboxMessage): Promise<void>;
  /** Reserves `count` consecutive control numbers of one kind for a partner; returns the first. Gap-free: a rollback returns them. */
  nextControlNumbers(partnerId: string, kind: string, count: number): Promise<number>;
  findOrderIdsByExternalRef(partnerId: string, externalRef: string): Promise<string[]>;
  recordDelivery(documentId: string, delivery: DeliveryRecord): Promise<void>;
  /** Stores an order's tasks; returns their ids in the same order. */
  insertTasks(orderId: string, tasks: NewTask[]): Promise<string[]>;
  /** Moves an order from one state to another with a history event; throws if it is not in `from`. Returns the order's new updatedAt. */
  changeStatus(orderId: string, from: OrderStatus, to: OrderStatus, cause: string, actor: string, detail: Record<string, unknown>): Promise<{ updatedAt: string }>;
}

export interface OrderStore {
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
}

/** Measures a stage; the API wires it to a Prometheus histogram, tests to nothing. */
export type StageTimer = <T>(stage: string, work: () => Promise<T>) => Promise<T>;

export const untimed: StageTimer = (_stage, work) => work();
