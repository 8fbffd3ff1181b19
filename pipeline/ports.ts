import type { ApprovalLevel, ApprovalReason, ApprovalStatus, Assignee, Decision, DecisionVia } from '../domain/approval.ts';
import type { LineAck } from '../domain/acknowledgment.ts';
import type { PartnerFacts, TotalMismatchSetting } from '../domain/approval-policy.ts';
import type { CanonicalOrder, Channel, StoredOrder } from '../domain/order.ts';
import type { Effects, FulfillmentState } from '../domain/fulfillment-progress.ts';
import type { OpenWork, WorkEnding } from '../domain/order-ending.ts';
import type { OrderStatus } from '../domain/order-status.ts';
import type { TaskType } from '../domain/catalog.ts';
import type { TaskStatus } from '../domain/task-status.ts';
import type { OutboxMessage } from '../domain/outbox-message.ts';
import type { X12Profile } from '../domain/partner-profile.ts';
import type { DocumentAckState } from '../domain/document-ack.ts';
import type { NewWorkItem, WorkItem, WorkItemKind } from '../domain/work-item.ts';
import type { NoticeBatch } from './approval-notices.ts';
import type { DeadlineDocument, DeadlineTimer, PartnerDeadline } from '../domain/partner-deadlines.ts';

// What the pipeline needs from the outside world. Adapters implement these; stages only call them.

export interface IdempotencyRecord {
  requestHash: string;
  responseStatus: number;
  responseBody: unknown;
  orderId: string | null;
}

/** A document as stored, in or out: what it is, its bytes, its control ids, and how it is delivered. */
export interface DocumentRecord {
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
  /** Outbound: when the partner's acknowledgment (997/999) should have come; past it, the document is overdue. */
  ackDueAt?: Date;
}

/** One of our outbound documents an acknowledgment may be about, with its control ids and what we know of its acknowledgment so far. */
export interface AcknowledgedDocument {
  id: string;
  partnerId: string;
  orderId: string | null;
  type: string;
  control: Record<string, string>;
  ackState: DocumentAckState | null;
  ackDueAt: Date | null;
}

/** Where acknowledgments point: our groups (GS06) or our interchanges (ISA13), by control number. */
export type AckTargets = { gsControlNumbers: string[] } | { isaControlNumbers: string[] };

export interface DeliveryRecord {
  state: 'delivered' | 'failed';
  attempts: number;
  error?: string;
  /** What the partner's reply said (e.g. its cXML Response status), merged into the document's control. */
  answer?: Record<string, string>;
}

export type { OutboxMessage } from '../domain/outbox-message.ts';

export interface NewOrder {
  /** Chosen by the caller when something written before the order names it (a set's idempotency answer). */
  id?: string;
  partnerId: string;
  order: CanonicalOrder;
  actor: string;
  cause: string;
  /** Extra facts for the first history event (the document it came in, a possible duplicate...). */
  eventDetail?: Record<string, unknown>;
  /** Name, as possibleDuplicateOf in the first event, the partner's orders already stored under the same reference. */
  flagReusedRef?: boolean;
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
  /** A person's task: the role whose list it goes on (operations when absent). */
  role?: string;
}

/** An order's tasks and the move that comes with them. */
export interface PlannedOrder {
  orderId: string;
  tasks: NewTask[];
  change: { from: OrderStatus; to: OrderStatus; cause: string; actor: string; detail: Record<string, unknown> };
}

export interface InboxEntry {
  vendorId: string;
  messageId: string;
  type: string;
  taskId?: string;
  orderId?: string;
}

/** How a partner is answered: its X12 and cXML identities, when it has them. */
export interface PartnerChannels {
  /** Its ISA pairs (their sender, our receiver), the first being the one to use when no order names one. */
  x12?: {
    identities: { qualifier: string; id: string; ourQualifier: string; ourId: string }[];
    version: string;
    map: string;
    endpointUrl?: string;
    /** What its implementation guide demands of our 856 and 810. */
    profile?: X12Profile;
  };
  /**
   * Its From credential (our To), and ours in this partnership (our From and Sender) with the shared
   * secret we present, still sealed: only the adapter that writes the document opens it.
   */
  cxml?: {
    fromDomain: string;
    fromIdentity: string;
    confirmationUrl?: string;
    ourCredential?: { domain: string; identity: string; sealedSecret: string };
  };
}

export interface ItemReferenceInput {
  partnerItem: string;
  sku: string;
  description?: string;
}

/**
 * `hold`: the order waits for the missing cross-references (or a person). `reject`: the lines that
 * do not resolve are refused at once and the partner is told line by line; the rest goes on.
 */
export type UnresolvedItemsPolicy = 'hold' | 'reject';

/** An approval as the store keeps it (domain/approval.ts for its parts). */
export interface ApprovalRecord {
  id: string;
  orderId: string;
  partnerId: string;
  status: ApprovalStatus;
  reasons: ApprovalReason[];
  levels: ApprovalLevel[];
  currentLevel: number;
  levelStartedAt: string;
  createdAt: string;
  decidedAt: string | null;
}

/** One decision on an approval: a person's (api, link) or a signature's. */
export interface DecisionRecord {
  level: number;
  personId: string | null;
  /** The person's name, for people to read (null for a signature). */
  personName: string | null;
  provider: string | null;
  envelopeId: string | null;
  decision: Decision;
  comment: string | null;
  via: DecisionVia;
  at: string;
}

export interface PersonRecord {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  roles: string[];
}

/** A timer on an order (order_deadlines), as the escalation step sees it. */
export interface DeadlineRecord {
  id: number;
  orderId: string;
  partnerId: string;
  document: DeadlineDocument;
  within: string;
  calendar: string | null;
  startedAt: Date;
  warnAt: Date;
  dueAt: Date;
}

/** The partner deadlines part of a transaction (adapters/db/deadlines.ts). */
export interface DeadlineTransaction {
  /** Each partner's deadlines as set on it (partners.deadlines); a partner without any is absent. */
  partnerDeadlines(partnerIds: readonly string[]): Promise<Map<string, PartnerDeadline[]>>;
  /** Sets timers on orders; an order that has one for the document already keeps it (the 856's clock starts at the first shipment only). */
  startDeadlines(timers: readonly (DeadlineTimer & { orderId: string; partnerId: string })[]): Promise<void>;
  /**
   * The orders' timers for the document are met at `at` (absent: the database's clock as it writes),
   * once; a missed one stays missed, and one met after its due time is missed too (at its due time).
   */
  meetDeadlines(orderIds: readonly string[], document: DeadlineDocument, at?: Date): Promise<void>;
  /**
   * Drops up to `limit` open timers past their warning point by `now` whose document the order is no
   * longer owed: any of a cancelled order, the 810 of an order rejected or failed (never billed).
   * Claimed like the others; how many were dropped.
   */
  dropUnowedDeadlines(now: Date, limit: number): Promise<number>;
  /**
   * Up to `limit` open timers (neither met nor missed) whose warning point is past by `now` and that
   * are not due yet, never warned before: claimed (`FOR UPDATE SKIP LOCKED`) and marked warned.
   */
  warnDeadlines(now: Date, limit: number): Promise<DeadlineRecord[]>;
  /** Up to `limit` open timers due by `now`: claimed the same way and marked missed. */
  missDeadlines(now: Date, limit: number): Promise<DeadlineRecord[]>;
}

/** The approval part of a transaction (adapters/db/approval-store.ts). */
export interface ApprovalTransaction {
  insertApproval(approval: {
    orderId: string;
    partnerId: string;
    reasons: ApprovalReason[];
    levels: ApprovalLevel[];
  }): Promise<ApprovalRecord>;
  /** The approval, locked until commit: decisions on it are taken one at a time. */
  lockApproval(approvalId: string): Promise<ApprovalRecord | undefined>;
  /** Every decision on it, oldest first. */
  approvalDecisions(approvalId: string): Promise<DecisionRecord[]>;
  /** False when this person (or envelope) has decided this level already. */
  recordDecision(approvalId: string, decision: Omit<DecisionRecord, 'at' | 'personName'>): Promise<boolean>;
  /** A new level (its start time now), or the end (decided_at now). */
  updateApproval(approvalId: string, change: { currentLevel?: number; status?: ApprovalStatus; decided?: true }): Promise<void>;
  person(personId: string): Promise<PersonRecord | undefined>;
  /** The people a level asks: the named ones and everyone with one of its roles. */
  peopleFor(assignees: readonly Assignee[]): Promise<PersonRecord[]>;
  partnerName(partnerId: string): Promise<string>;
  /** The order's approval still pending, locked; undefined when it has none. */
  pendingApprovalOf(orderId: string): Promise<ApprovalRecord | undefined>;
  /** The current level escalated: its levels as they now are (the escalatee added). */
  recordEscalation(approvalId: string, levels: readonly ApprovalLevel[], level: number): Promise<void>;
  /**
   * Up to `limit` pending approvals whose current level is a signature level with no envelope sent
   * for it yet, leased to the caller until `leaseUntil` (another sender skips them meanwhile).
   */
  leaseSignatureLevels(now: Date, leaseUntil: Date, limit: number): Promise<ApprovalRecord[]>;
  /** Holds a signature level back until `until` (a send that failed waits that long before the next try). */
  holdSignatureLevel(approvalId: string, until: Date): Promise<void>;
  /** How many times the level's signature request could not go out (its order's history says so). */
  signatureFailures(orderId: string, approvalId: string, level: number): Promise<number>;
}

/** What the escalation job raises about a vendor task: its warning point passed, or its due time. */
export type LateStep = 'jeopardy' | 'overdue';

/** A vendor task as it is raised late; `warnAt` is 80% of the way from its creation to `dueAt`. */
export interface LateVendorTask {
  id: string;
  orderId: string;
  key: string;
  type: string;
  vendorId: string;
  warnAt: Date;
  dueAt: Date;
}

/** Which open items to close: one source's (an approval's level, when given), or all of an order's. */
export type WorkItemSelector = { kind: WorkItemKind; sourceId: string; level?: number } | { orderId: string };

/** The task lists' part of a transaction (adapters/db/work-items.ts). */
export interface WorkItemTransaction {
  /** Opened once per source and level: an item already there is kept as it is. */
  openWorkItems(items: readonly NewWorkItem[]): Promise<void>;
  /** The open items selected, closed; returns them as they now are. */
  closeWorkItems(
    which: WorkItemSelector,
    end: { status: 'done' | 'cancelled'; outcome: string; comment?: string; by: string; at: Date },
  ): Promise<WorkItem[]>;
  lockWorkItem(id: string): Promise<WorkItem | undefined>;
  changeWorkItem(id: string, change: { claimedBy?: string | null; assignedRoles?: string[]; assignedPeople?: string[] }): Promise<void>;
  /** Up to `limit` open items whose warning point has passed and that were not warned, stamped warned; others' locks skipped. */
  claimWorkItemWarnings(now: Date, limit: number): Promise<WorkItem[]>;
  /** Up to `limit` open items past due and not escalated, stamped escalated; others' locks skipped. */
  claimWorkItemEscalations(now: Date, limit: number): Promise<WorkItem[]>;
}

export interface StoreTransaction extends ApprovalTransaction, WorkItemTransaction, DeadlineTransaction {
  /**
   * Takes the key for this request, or returns the record of whoever took it first (waiting for it
   * to commit). With `answer`, the record is written with it at once (no completeIdempotencyKey).
   */
  claimIdempotencyKey(
    partnerId: string,
    scope: string,
    key: string,
    requestHash: string,
    answer?: { status: number; body: unknown; orderId: string | null },
  ): Promise<IdempotencyRecord | 'claimed'>;
  /** claimIdempotencyKey, and when the key is taken here, the request's document stored too: one round trip. */
  claimWithDocument(
    partnerId: string,
    scope: string,
    key: string,
    requestHash: string,
    document: DocumentRecord,
  ): Promise<IdempotencyRecord | { documentId: string }>;
  /** claimWithDocument for many envelopes of any partners in one round trip: each claim's outcome in the same order. */
  claimWithDocuments(
    claims: readonly { partnerId: string; scope: string; key: string; requestHash: string; document: DocumentRecord }[],
  ): Promise<(IdempotencyRecord | { documentId: string })[]>;
  completeIdempotencyKey(
    partnerId: string,
    scope: string,
    key: string,
    response: { status: number; body: unknown; orderId: string | null },
  ): Promise<void>;
  /**
   * claimIdempotencyKey with an answer, for many keys of any partners in one round trip: each key's
   * outcome in the same order. A key twice in `claims` is taken by the first.
   */
  claimIdempotencyKeys(
    claims: readonly {
      partnerId: string;
      scope: string;
      key: string;
      requestHash: string;
      answer: { status: number; body: unknown; orderId: string | null };
    }[],
  ): Promise<(IdempotencyRecord | 'claimed')[]>;
  /** Orders with their lines and first events, any number in one statement; the stored orders in the same order. */
  insertOrders(orders: readonly NewOrder[]): Promise<StoredOrder[]>;
  insertDocument(partnerId: string, orderId: string | null, document: DocumentRecord): Promise<string>;
  enqueue(message: OutboxMessage): Promise<void>;
  /** An outbound answer document, the messages enqueued so far and, when given, the idempotency answer that repeats it: one round trip. */
  storeAnswer(
    partnerId: string,
    document: DocumentRecord,
    idempotency?: { scope: string; key: string; response: { status: number; body: unknown; orderId: string | null } },
  ): Promise<string>;
  /**
   * Documents (answers, or the orders they answer: `orderId`), the messages enqueued so far and the
   * idempotency answers that repeat them, any number in one round trip; their ids in the same order.
   */
  storeAnswers(
    answers: readonly {
      partnerId: string;
      orderId?: string | null;
      document: DocumentRecord;
      idempotency?: { scope: string; key: string; response: { status: number; body: unknown; orderId: string | null } };
    }[],
  ): Promise<string[]>;
  /**
   * The only way control numbers are taken: `counts` consecutive numbers of each kind (e.g. ISA and GS
   * of one document) for a partner, in one statement that locks the counters always in the same
   * order, so that no two takers wait on each other crosswise. Gap-free: a rollback returns them.
   * Returns the first of each kind.
   */
  takeControlNumbers(partnerId: string, counts: Record<string, number>): Promise<Record<string, number>>;
  /**
   * takeControlNumbers for many documents of any partners in one statement: each counter taken once,
   * its range split among the documents in the order asked. The first of each kind, per document.
   */
  takeControlNumbersFor(asks: readonly { partnerId: string; counts: Record<string, number> }[]): Promise<Record<string, number>[]>;
  /**
   * `count` serial references for SSCCs of one extension digit and GS1 company prefix, whichever
   * partner they are for (an SSCC must be unique for the prefix, not per partner). Returns the first.
   */
  takeSsccSerials(extensionDigit: string, companyPrefix: string, count: number): Promise<number>;
  /** An invoice number no other invoice has had (a database sequence: unique, not gap-free). */
  nextInvoiceNumber(): Promise<string>;
  recordDelivery(documentId: string, delivery: DeliveryRecord): Promise<void>;
  /**
   * The partner's outbound documents that wait for or got an acknowledgment, under any of the
   * control numbers (compared as numbers: leading zeros do not count), oldest first, locked.
   */
  acknowledgedDocuments(partnerId: string, targets: AckTargets): Promise<AcknowledgedDocument[]>;
  /** Records a partner's verdict on one of our documents (acked_at: now). */
  recordAcknowledgment(documentId: string, state: Exclude<DocumentAckState, 'overdue'>, detail: Record<string, unknown>): Promise<void>;
  /** Marks up to `limit` documents whose acknowledgment was due by `now` and never came as overdue; the ones marked. */
  markAcknowledgmentsOverdue(now: Date, limit: number): Promise<AcknowledgedDocument[]>;
  /**
   * Claims (FOR UPDATE SKIP LOCKED, so concurrent callers take different rows) up to `limit` open
   * vendor tasks whose `step` is due by `now` and not yet raised, and stamps each as raised at `now`:
   * jeopardy at the warning point (and only before the due time), overdue at the due time (which
   * settles the warning too). The stamps commit with the caller's events, so each step happens once.
   */
  claimLateVendorTasks(step: LateStep, now: Date, limit: number): Promise<LateVendorTask[]>;
  /**
   * Stores orders' tasks with each order's move that comes with them (received → decomposed), any
   * number of orders in one statement; each order's task ids (in its tasks' order) and new updatedAt.
   */
  storePlans(plans: readonly PlannedOrder[]): Promise<{ ids: string[]; updatedAt: string }[]>;
  /** The order with its lines, locked until commit; undefined when there is none, or it is not `partnerId`'s (null: anyone's). */
  lockOrder(orderId: string, partnerId: string | null): Promise<StoredOrder | undefined>;
  /** Moves an order from one state to another with a history event; throws if it is not in `from`. Returns the order's new updatedAt. */
  changeStatus(
    orderId: string,
    from: OrderStatus,
    to: OrderStatus,
    cause: string,
    actor: string,
    detail: Record<string, unknown>,
  ): Promise<{ updatedAt: string }>;
  /** Records a reply's message id; false when it was recorded before (the reply is a repeat). Waits for a concurrent recorder to finish. */
  recordInbox(entry: InboxEntry, outcome: string, detail: Record<string, unknown>): Promise<boolean>;
  /** The order a task belongs to, locked until commit (replies to one order apply one at a time), with its tasks, lines and shipments. */
  lockFulfillment(taskId: string): Promise<FulfillmentState | undefined>;
  /** Writes what a reply did: task and line states, a shipment, order transitions and a history note. */
  applyFulfillment(order: StoredOrder, effects: Effects, actor: string): Promise<void>;
  partnerChannels(partnerId: string): Promise<PartnerChannels>;
  /** An ending order's tasks and its requests not sent yet (call with the order locked). */
  openWork(orderId: string): Promise<OpenWork>;
  /** Writes what ending the order does to its work: tasks cancelled, requests dropped. The vendors' cancellations are enqueued by the caller. */
  endWork(ending: WorkEnding): Promise<void>;
  /** Requests for the task that were handed out are settled: the vendor has them, it answered. */
  settleRequests(taskId: string): Promise<void>;
  /** The partner's cross-references among `values`: its item number → our SKU. */
  partnerItems(partnerId: string, values: readonly string[]): Promise<Map<string, string>>;
  /** Adds or replaces some of the partner's cross-references. */
  putItemReferences(partnerId: string, references: readonly ItemReferenceInput[]): Promise<void>;
  /** What the partner has chosen for an order whose items do not resolve. */
  unresolvedItemsPolicy(partnerId: string): Promise<UnresolvedItemsPolicy>;
  /** Up to `limit` of the partner's held orders, oldest first, locked; those another transaction holds are skipped. */
  lockHeldOrders(partnerId: string, limit: number): Promise<StoredOrder[]>;
  /** Writes the SKUs lines were resolved to. */
  setLineSkus(orderId: string, items: readonly { lineNumber: string; sku: string }[]): Promise<void>;
  /** Lines refused before any work was planned: rejected, with the answer the partner gets for each. */
  rejectLines(orderId: string, acks: readonly LineAck[]): Promise<void>;
  /** A history event that changes no state. */
  noteEvent(orderId: string, cause: string, actor: string, detail: Record<string, unknown>): Promise<void>;
  /** Whether the order's acknowledgment could not be written in the partner's format (its history says answer.not-written). */
  acknowledgmentNotWritten(orderId: string): Promise<boolean>;
  /**
   * What approval policies ask of the partner for an order in `currency` of these SKUs (undefined:
   * no such partner). `orderId`: the order being evaluated, once stored, left out of the counts;
   * `countUpTo`: the largest firstOrders of the policies (orders beyond it are not counted).
   */
  approvalFacts(
    partnerId: string,
    skus: readonly string[],
    currency: string,
    options?: { orderId?: string; countUpTo?: number },
  ): Promise<PartnerFacts | undefined>;
  /** What the partner chose for an order whose stated total does not match its lines. */
  totalMismatchSetting(partnerId: string): Promise<TotalMismatchSetting>;
  /** Writes a level start's approval links and its messages (sent after commit by the notifications job). */
  queueNotices(batch: NoticeBatch): Promise<void>;
}

/** One piece of work's end in a transaction it shared: what it returned, or what it threw (its own writes undone). */
export type Isolated<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface OrderStore {
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /**
   * Runs the works one after another in one transaction, one commit for all: a work that throws
   * has only its own writes undone (a savepoint each) and the others are kept. A failure of the
   * transaction itself (the database gone, a conflict that outlasts the retries, the commit)
   * throws, and then nothing is kept. Run again whole after a conflict, so each work must be too.
   */
  transactionEach<T>(works: readonly ((tx: StoreTransaction) => Promise<T>)[]): Promise<Isolated<T>[]>;
}

/** Measures a stage; the API wires it to a Prometheus histogram, tests to nothing. */
export type StageTimer = <T>(stage: string, work: () => Promise<T>) => Promise<T>;

export const untimed: StageTimer = (_stage, work) => work();
