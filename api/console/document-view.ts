import { segmentLines } from '../../adapters/x12/index.ts';
import type { components } from '../openapi.gen.ts';
import { indentXml } from '../../domain/xml-indent.ts';
import { segmentName, transactionSetName } from '../../domain/x12-names.ts';
import { timeText } from './words.ts';

// What the documents pages show of a Document (GET /v1/documents): its kind in words, its control
// numbers, where its acknowledgment stands, and its body made readable. Only shaping: the API
// decided what the viewer may see.

/** A document as the API answers it (the contract's Document). */
export type DocumentJson = components['schemas']['Document'];

/** The orders a document belongs to: its own, or those stored from an interchange. */
export const ordersOf = (document: DocumentJson): string[] =>
  document.orderId === null || document.orderId === undefined ? (document.orderIds ?? []) : [document.orderId];

/** "850 Purchase Order", "cXML OrderRequest", "TA1+997", "JSON order", "webhook orders/create". */
export function typeLabel(document: Pick<DocumentJson, 'channel' | 'type'>): string {
  const { channel, type } = document;
  if (channel === 'x12') {
    const name = transactionSetName(type);
    return name === undefined ? type : `${type} ${name}`;
  }
  if (channel === 'cxml') return `cXML ${type}`;
  if (type === 'order.json') return 'JSON order';
  return `${channel} ${type}`;
}

const controlNames: [key: string, label: string][] = [
  ['isaControlNumber', 'ISA13'],
  ['gsControlNumber', 'GS06'],
  ['stControlNumber', 'ST02'],
  ['payloadId', 'payloadID'],
  ['answers', 'answers ISA13'],
];

/** The envelope's control numbers, each with its name. */
export const controlNumbers = (control: Record<string, unknown>): { label: string; value: string }[] =>
  controlNames.flatMap(([key, label]) =>
    typeof control[key] === 'string' || typeof control[key] === 'number' ? [{ label, value: String(control[key]) }] : [],
  );

const otherNames: Record<string, string> = {
  isaSender: 'Sender (ISA05/06)',
  isaReceiver: 'Receiver (ISA07/08)',
  inboundDocumentId: 'Answers document',
  source: 'Webhook source',
  sourceId: 'Webhook source id',
  topic: 'Webhook topic',
  account: 'Shop',
};

/** The control entries not named above (X12 sender and receiver, a webhook's source, a dedupe key). */
export const otherControl = (control: Record<string, unknown>): { key: string; value: string }[] =>
  Object.entries(control)
    .filter(([key]) => !controlNames.some(([named]) => named === key) && key !== 'cxmlStatus' && key !== 'cxmlStatusText')
    .map(([key, value]) => ({ key: otherNames[key] ?? key, value: typeof value === 'string' ? value : JSON.stringify(value) }));

export type Tone = 'good' | 'bad' | 'warn' | 'quiet';

export interface AckView {
  text: string;
  tone: Tone;
  /** Our answers to an inbound interchange, as documents to open. */
  answers: { id: string; type: string }[];
}

const outboundStates: Record<string, { text: string; tone: Tone }> = {
  accepted: { text: 'accepted', tone: 'good' },
  'accepted-with-errors': { text: 'accepted with errors', tone: 'warn' },
  rejected: { text: 'rejected', tone: 'bad' },
  overdue: { text: 'overdue', tone: 'bad' },
};

function inboundVerdict(findings: unknown): { text: string; tone: Tone } {
  if (findings === undefined || findings === null) return { text: 'accepted', tone: 'good' };
  const { interchange } = findings as { interchange?: unknown };
  if (interchange !== null && interchange !== undefined) return { text: 'rejected', tone: 'bad' };
  return { text: 'with errors', tone: 'warn' };
}

/**
 * Where the acknowledgment stands: for what we sent, the partner's 997/999 or TA1 (awaiting until it
 * is due) or, for cXML, the partner's Status; for an X12 interchange we received, our own answer.
 */
export function acknowledgmentOf(document: DocumentJson): AckView {
  const answers = document.answers ?? [];
  if (document.direction === 'inbound') {
    if (document.channel !== 'x12') return { text: 'answered at once', tone: 'quiet', answers };
    const verdict = inboundVerdict(document.findings);
    return {
      tone: verdict.tone,
      text: answers.length === 0 ? verdict.text : `${verdict.text}, we sent ${answers.map((a) => a.type).join(', ')}`,
      answers,
    };
  }
  const ack = document.acknowledgment;
  if (ack !== undefined) {
    const known = ack.state === null ? undefined : outboundStates[ack.state];
    if (known !== undefined) return { ...known, answers };
    return {
      text: ack.dueAt === undefined ? 'awaiting' : `awaiting (due ${timeText(ack.dueAt)})`,
      tone: 'warn',
      answers,
    };
  }
  const status = document.control?.cxmlStatus;
  if (status !== undefined) {
    const code = Number(status);
    return {
      text: `Status ${String(status)} ${String(document.control?.cxmlStatusText ?? '')}`.trim(),
      tone: code >= 200 && code < 300 ? 'good' : 'bad',
      answers,
    };
  }
  return { text: 'none expected', tone: 'quiet', answers };
}

/** How much of a body the page shows; the rest is in the download. */
export const shownLimits = { maxSegments: 2_000, maxBytes: 1_048_576 };

export type BodyView =
  | { kind: 'x12'; lines: { tag: string; name: string; text: string }[]; cut: boolean; unreadable: string[] }
  | { kind: 'text'; text: string; cut: boolean; indented: boolean };

/** X12 one segment per line with its name; XML re-indented; JSON pretty-printed; anything else as it is. */
export function bodyView(contentType: string, body: string): BodyView {
  const bytes = Buffer.from(body, 'utf8');
  if (/edi-x12/.test(contentType) || body.trimStart().startsWith('ISA')) {
    const { lines, cut, unreadable } = segmentLines(bytes, shownLimits);
    return { kind: 'x12', lines: lines.map((line) => ({ ...line, name: segmentName(line.tag) ?? '' })), cut, unreadable };
  }
  if (bytes.length > shownLimits.maxBytes)
    return { kind: 'text', text: bytes.subarray(0, shownLimits.maxBytes).toString('utf8'), cut: true, indented: false };
  if (/xml/.test(contentType)) {
    const indented = indentXml(body);
    return { kind: 'text', text: indented ?? body, cut: false, indented: indented !== undefined };
  }
  if (/json/.test(contentType)) {
    try {
      return { kind: 'text', text: JSON.stringify(JSON.parse(body), null, 2), cut: false, indented: true };
    } catch {
      return { kind: 'text', text: body, cut: false, indented: false };
    }
  }
  return { kind: 'text', text: body, cut: false, indented: false };
}
