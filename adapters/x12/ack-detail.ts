import { elementErrorMeanings, groupErrorMeanings, interchangeNoteMeanings, segmentErrorMeanings, setErrorMeanings } from './codes.ts';

// For the console: the partner's acknowledgment of a document we sent, as stored with it (Document.acknowledgment
// .detail): the group (AK1/AK9) and set (AK2/AK5) verdicts and each AK3/AK4 (IK3/IK4) error, every
// code with its meaning from the X12 code lists.

export interface AckDetailView {
  kind: string;
  /** The acknowledgment as received, a document of its own. */
  receivedId?: string;
  facts: { label: string; value: string }[];
  errors: {
    segment: string;
    position: string;
    loop: string;
    code: string;
    elements: { position: string; reference: string; code: string; value: string }[];
  }[];
}

const statuses: Record<string, string> = {
  A: 'accepted',
  E: 'accepted with errors',
  P: 'partially accepted',
  R: 'rejected',
  M: 'rejected, message authentication failed',
  W: 'rejected, assurance failed',
  X: 'rejected, content could not be analysed',
};

const meaning = (table: Record<string, string>, code: unknown): string => {
  const text = String(code ?? '');
  return Object.hasOwn(table, text) ? `${text} (${table[text]})` : text;
};
const status = (code: unknown): string => meaning(statuses, code);
const codes = (table: Record<string, string>, list: unknown): string =>
  Array.isArray(list) && list.length > 0 ? list.map((code) => meaning(table, code)).join('; ') : '';

type Loose = Record<string, unknown>;
const record = (value: unknown): Loose => (value !== null && typeof value === 'object' ? (value as Loose) : {});
const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

export function ackDetailView(detail: Loose | undefined): AckDetailView | undefined {
  if (detail === undefined) return undefined;
  const facts: AckDetailView['facts'] = [];
  const add = (label: string, value: string) => {
    if (value !== '') facts.push({ label, value });
  };
  const interchange = record(detail.interchange);
  add('TA1 for our ISA13', text(interchange.isaControlNumber));
  add('TA1 status', interchange.status === undefined ? '' : status(interchange.status));
  add('TA1 note', interchange.note === undefined ? '' : meaning(interchangeNoteMeanings, interchange.note));
  const group = record(detail.group);
  add('Group (AK1)', [text(group.functionalId), text(group.gsControlNumber)].filter((s) => s !== '').join(' GS06 '));
  add('Group status (AK9)', group.status === undefined ? '' : status(group.status));
  add('Group codes', codes(groupErrorMeanings, group.codes));
  const set = record(detail.set);
  add('Set (AK2)', [text(set.setId), text(set.stControlNumber)].filter((s) => s !== '').join(' ST02 '));
  add('Set status (AK5)', set.status === undefined ? '' : status(set.status));
  add('Set codes', codes(setErrorMeanings, set.codes));
  const errors = (Array.isArray(set.errors) ? set.errors : []).map((raw) => {
    const error = record(raw);
    return {
      segment: text(error.segment),
      position: text(error.position),
      loop: text(error.loop),
      code: error.code === undefined ? '' : meaning(segmentErrorMeanings, error.code),
      elements: (Array.isArray(error.elements) ? error.elements : []).map((rawElement) => {
        const element = record(rawElement);
        return {
          position: text(element.position),
          reference: text(element.reference),
          code: meaning(elementErrorMeanings, element.code),
          value: text(element.value),
        };
      }),
    };
  });
  return {
    kind: text(detail.kind),
    ...(typeof detail.inboundDocumentId === 'string' ? { receivedId: detail.inboundDocumentId } : {}),
    facts,
    errors,
  };
}
