// The order's timeline: everything that happened to an order (status changes, documents in and
// out, tasks, approvals and their decisions, messages to people) in one list, oldest first, each
// with a line an operations person reads before anything else.

export const timelineKinds = ['event', 'document', 'task', 'approval', 'decision', 'notification'] as const;
export type TimelineKind = (typeof timelineKinds)[number];

export interface TimelineSources {
  events: { id: number; from: string | null; to: string; cause: string; actor: string; detail: Record<string, unknown>; at: string }[];
  /** Metadata only: a timeline never carries a document's body. */
  documents: {
    id: string;
    direction: 'inbound' | 'outbound';
    channel: string;
    type: string;
    control: Record<string, unknown>;
    delivery?: { state: string; attempts: number };
    acknowledgment?: { state: string | null; dueAt?: string; at?: string };
    createdAt: string;
  }[];
  /** `updatedAt`: when the task reached the status it is in. */
  tasks: {
    id: string;
    key: string;
    type: string;
    vendorId: string | null;
    person: boolean;
    status: string;
    dueAt: string;
    updatedAt: string;
  }[];
  approvals: {
    id: string;
    status: string;
    currentLevel: number;
    levels: { level: number; name: string }[];
    reasons: { code: string; detail: string }[];
    createdAt: string;
    decisions: {
      id: number;
      level: number;
      personName: string | null;
      provider: string | null;
      decision: 'approve' | 'reject';
      comment: string | null;
      via: string;
      at: string;
    }[];
  }[];
  notifications: {
    id: string;
    approvalId: string;
    channel: string;
    to: string;
    state: string;
    attempts: number;
    createdAt: string;
    sentAt: string | null;
  }[];
}

export type TimelineEntry = { at: string; kind: TimelineKind; summary: string; ref: { id: string } & Record<string, string> } & Record<
  string,
  unknown
>;

const eventEntry = (e: TimelineSources['events'][number]): TimelineEntry => ({
  at: e.at,
  kind: 'event',
  summary:
    e.from === null
      ? `${e.to} (${e.cause}) by ${e.actor}`
      : e.from === e.to
        ? `${e.cause} while ${e.to}, by ${e.actor}`
        : `${e.from} to ${e.to} (${e.cause}) by ${e.actor}`,
  ref: { id: String(e.id) },
  ...(e.from === null ? {} : { from: e.from }),
  to: e.to,
  cause: e.cause,
  actor: e.actor,
  detail: e.detail,
});

function documentSummary(d: TimelineSources['documents'][number]): string {
  if (d.direction === 'inbound') return `${d.type} received over ${d.channel}`;
  const parts = [`${d.type} sent over ${d.channel}`];
  if (d.delivery !== undefined) parts.push(`delivery ${d.delivery.state}`);
  const ack = d.acknowledgment;
  if (ack !== undefined) parts.push(ack.state === null ? `acknowledgment due by ${ack.dueAt ?? 'no time'}` : `acknowledged ${ack.state}`);
  return parts.join(', ');
}

const documentEntry = (d: TimelineSources['documents'][number]): TimelineEntry => ({
  at: d.createdAt,
  kind: 'document',
  summary: documentSummary(d),
  ref: { id: d.id },
  direction: d.direction,
  type: d.type,
  channel: d.channel,
  control: d.control,
  ...(d.delivery === undefined ? {} : { delivery: d.delivery }),
  ...(d.acknowledgment === undefined ? {} : { acknowledgment: d.acknowledgment }),
});

const taskEntry = (t: TimelineSources['tasks'][number]): TimelineEntry => ({
  at: t.updatedAt,
  kind: 'task',
  summary: `task ${t.key} ${t.status} ${t.person ? 'for a person' : `by ${t.vendorId ?? 'no vendor'}`}`,
  ref: { id: t.id },
  key: t.key,
  type: t.type,
  ...(t.vendorId === null ? {} : { vendorId: t.vendorId }),
  person: t.person,
  status: t.status,
  dueAt: t.dueAt,
});

const levelName = (approval: TimelineSources['approvals'][number], level: number): string => {
  const name = approval.levels.find((l) => l.level === level)?.name;
  return name === undefined ? `level ${level}` : `level ${level} (${name})`;
};

const approvalEntries = (a: TimelineSources['approvals'][number]): TimelineEntry[] => [
  {
    at: a.createdAt,
    kind: 'approval',
    summary: `approval ${a.status}, ${levelName(a, a.currentLevel)} of ${a.levels.length}: ${a.reasons.map((r) => r.detail).join('; ')}`,
    ref: { id: a.id },
    status: a.status,
    level: a.currentLevel,
    levels: a.levels.length,
  },
  ...a.decisions.map((d): TimelineEntry => ({
    at: d.at,
    kind: 'decision',
    summary:
      `approval ${levelName(a, d.level)} ${d.decision === 'approve' ? 'approved' : 'rejected'} by ${d.personName ?? d.provider ?? 'nobody known'} via ${d.via}` +
      (d.comment === null ? '' : `: ${d.comment}`),
    ref: { id: String(d.id), approvalId: a.id },
    decision: d.decision,
    level: d.level,
    via: d.via,
  })),
];

const notificationEntry = (n: TimelineSources['notifications'][number]): TimelineEntry => ({
  at: n.createdAt,
  kind: 'notification',
  summary: `${n.channel} to ${n.to} ${n.state}${n.attempts > 1 ? ` after ${n.attempts} attempts` : ''}`,
  ref: { id: n.id, approvalId: n.approvalId },
  channel: n.channel,
  state: n.state,
  ...(n.sentAt === null ? {} : { sentAt: n.sentAt }),
});

/** Serial ids compare as numbers (9 before 10), others as text. */
function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b) && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What one transaction wrote shares its time; so that such entries read as cause and effect, a
 * decision (or the approval asked) comes before the status changes it made, and those before the
 * documents they sent and the tasks they planned.
 */
const tieOrder: readonly TimelineKind[] = ['decision', 'approval', 'event', 'document', 'task', 'notification'];

/** Oldest first; ties by kind (tieOrder), inbound documents before outbound (an answer after what it answers), then id. */
export function orderTimeline(sources: TimelineSources): TimelineEntry[] {
  const entries = [
    ...sources.events.map(eventEntry),
    ...sources.documents.map(documentEntry),
    ...sources.tasks.map(taskEntry),
    ...sources.approvals.flatMap(approvalEntries),
    ...sources.notifications.map(notificationEntry),
  ];
  const direction = (entry: TimelineEntry) => (entry.direction === 'outbound' ? 1 : 0);
  return entries.sort(
    (a, b) =>
      Date.parse(a.at) - Date.parse(b.at) ||
      tieOrder.indexOf(a.kind) - tieOrder.indexOf(b.kind) ||
      direction(a) - direction(b) ||
      compareIds(a.ref.id, b.ref.id),
  );
}
