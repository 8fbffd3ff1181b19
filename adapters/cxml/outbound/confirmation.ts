import type { LineAckStatus } from '../../../domain/acknowledgment.ts';
import { ok, type Result } from '../../../domain/result.ts';
import { checkConfirmation, type ConfirmationInput, type ConfirmationPortion, type ConfirmationProblem } from './confirmation-input.ts';
import { envelopeLang, envelopeTime, fulfillRequest, type CxmlEnvelope } from './envelope.ts';
import { itemAttributes, orderReference, type StoredLine } from './order-lines.ts';
import { dateTime, decimal, timestamp } from './values.ts';
import { el, type XmlElement } from './xml.ts';

// The cXML ConfirmationRequest (Fulfill.dtd): our answer to an OrderRequest, line by line.

/** ConfirmationStatus@type for each of the domain's answers; "detail" is cXML's "accepted with changes". */
const statusTypes: Readonly<Record<LineAckStatus, string>> = {
  accepted: 'accept',
  rejected: 'reject',
  backordered: 'backordered',
  changed: 'detail',
};

/**
 * ConfirmationStatus: UnitOfMeasure, then UnitPrice (only for a change: the DTD's "should not be
 * included if they match the original ItemOut"), then Comments.
 */
function confirmationStatus(portion: ConfirmationPortion, line: StoredLine, currency: string, lang: string): XmlElement {
  const when = (value: string | undefined) => (value === undefined ? undefined : dateTime(value));
  return el(
    'ConfirmationStatus',
    {
      quantity: decimal(portion.quantity),
      type: statusTypes[portion.status],
      shipmentDate: when(portion.shipDate),
      deliveryDate: when(portion.deliveryDate),
    },
    el('UnitOfMeasure', {}, line.uom),
    portion.status === 'changed' && portion.unitPrice !== undefined
      ? el('UnitPrice', {}, el('Money', { currency }, decimal(portion.unitPrice)))
      : undefined,
    portion.note === undefined || portion.note === '' ? undefined : el('Comments', { 'xml:lang': lang }, portion.note),
  );
}

/** ConfirmationItem: the ordered quantity and unit, copied from the ItemOut, its bundle place, and its portions. */
const confirmationItem = (line: StoredLine, portions: readonly ConfirmationPortion[], currency: string, lang: string): XmlElement =>
  el(
    'ConfirmationItem',
    { quantity: decimal(line.quantity), ...itemAttributes(line) },
    el('UnitOfMeasure', {}, line.uom),
    portions.map((p) => confirmationStatus(p, line, currency, lang)),
  );

/**
 * The whole document, or the problems that keep it from being written (portions that do not add up
 * to the line, unknown lines...). The type is decided from the answers (see confirmationType). An
 * "accept" still lists its items, all "accept", which the DTD allows: the partner sees each line,
 * its bundle and any ship date. A "reject" lists none, which the DTD demands; the reason goes in the
 * header's Comments (the input's comment, else the portions' notes).
 */
export function buildConfirmationRequest(input: ConfirmationInput, envelope: CxmlEnvelope): Result<string, ConfirmationProblem[]> {
  const checked = checkConfirmation(input);
  if (!checked.ok) return checked;
  const { type, orderPayloadId, items } = checked.value;
  const { order } = input;
  const lang = envelopeLang(envelope);
  const notes = [...new Set(items.flatMap((i) => i.portions.flatMap((p) => (p.note === undefined || p.note === '' ? [] : [p.note]))))];
  const comment = input.comment ?? (type === 'reject' && notes.length > 0 ? notes.join('; ') : undefined);
  const request = el(
    'ConfirmationRequest',
    {},
    el(
      'ConfirmationHeader',
      { confirmID: input.confirmId, type, noticeDate: timestamp(envelopeTime(envelope)) },
      comment === undefined ? undefined : el('Comments', { 'xml:lang': lang }, comment),
    ),
    orderReference(order, orderPayloadId),
    type === 'reject' ? [] : items.map((i) => confirmationItem(i.line, i.portions, order.currency, lang)),
  );
  return ok(fulfillRequest(envelope, request));
}
