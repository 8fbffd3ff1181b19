import { XMLParser } from 'fast-xml-parser';

// The cXML side of test/support/partner-checker.ts: an OrderRequest and our ConfirmationRequests
// and ShipNoticeRequests for it, read as the buyer's procurement system reads them. Written from
// cXML's Fulfill.dtd and the rules in its comments, never from our builders.

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => ['ItemOut', 'ConfirmationItem', 'ConfirmationStatus', 'ShipNoticePortion', 'ShipNoticeItem'].includes(name),
});

const child = (node: unknown, name: string): Node | undefined => {
  const value = (node as Node | undefined)?.[name];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Node) : undefined;
};
const children = (node: unknown, name: string): Node[] => {
  const value = (node as Node | undefined)?.[name];
  return Array.isArray(value) ? (value as Node[]) : [];
};
const attr = (node: unknown, name: string): string => {
  const value = (node as Node | undefined)?.[`@${name}`];
  return typeof value === 'string' ? value : '';
};
const num = (value: string): number => (value.trim() === '' ? Number.NaN : Number(value));
const same = (a: number, b: number): boolean => Math.abs(a - b) < 1e-6;
const fmt = (n: number): string => String(Math.round(n * 1e6) / 1e6);

/** The Request's one element, and the cXML root's payloadID. */
function request(text: string): { payloadId: string; name: string; body: Node } {
  const root = child(parser.parse(text) as Node, 'cXML');
  const req = child(root, 'Request');
  const name = Object.keys(req ?? {}).find((key) => !key.startsWith('@'));
  const body = name === undefined ? undefined : child(req, name);
  if (root === undefined || name === undefined || body === undefined) throw new Error('not a cXML Request document');
  return { payloadId: attr(root, 'payloadID'), name, body };
}

interface OrderedItem {
  lineNumber: string;
  quantity: number;
}

/** ConfirmationHeader@type and ConfirmationStatus@type values (Fulfill.dtd). */
const headerTypes = new Set(['accept', 'allDetail', 'detail', 'backordered', 'except', 'reject', 'requestToPay', 'replace']);
const statusTypes = new Set(['accept', 'allDetail', 'detail', 'backordered', 'reject', 'unknown', 'requestToPay']);
/** Statuses whose quantity is to ship: taken as ordered, with changes, or later. */
const shipping = new Set(['accept', 'allDetail', 'detail', 'backordered']);
/** Header types under which the lines a confirmation does not list are taken whole (accept, except, backordered) or refused (reject). */
const unlistedTaken = new Set(['accept', 'except', 'backordered']);

/**
 * The OrderRequest and, in the order they were sent, our ConfirmationRequests and ShipNoticeRequests
 * for it. What each line may ship is what the latest confirmation of it said (a detail confirmation
 * leaves the lines it does not list as they were); shipped quantities, summed over the ship notices,
 * are held against it.
 */
export function checkCxmlAnswers(orderRequest: string, answers: readonly string[]): string[] {
  const findings: string[] = [];
  const order = request(orderRequest);
  if (order.name !== 'OrderRequest') throw new Error(`expected an OrderRequest, got ${order.name}`);
  const orderId = attr(child(order.body, 'OrderRequestHeader'), 'orderID');
  const items: OrderedItem[] = children(order.body, 'ItemOut').map((item) => ({
    lineNumber: attr(item, 'lineNumber'),
    quantity: num(attr(item, 'quantity')),
  }));
  const toShip = new Map<string, number>();
  const shipped = new Map<string, number>();
  let confirmed = false;
  answers.forEach((text, index) => {
    const answer = request(text);
    const name = `answer ${index + 1}, ${answer.name}`;
    if (answer.name !== 'ConfirmationRequest' && answer.name !== 'ShipNoticeRequest') {
      findings.push(`${name}: not an answer to an OrderRequest`);
      return;
    }
    const orderReferences =
      answer.name === 'ShipNoticeRequest'
        ? children(answer.body, 'ShipNoticePortion').map((portion) => child(portion, 'OrderReference'))
        : [child(answer.body, 'OrderReference')];
    for (const ref of orderReferences) {
      if (attr(ref, 'orderID') !== orderId)
        findings.push(`${name}: OrderReference@orderID ${attr(ref, 'orderID') || '(none)'} is not the order's ${orderId}`);
      const payload = attr(child(ref, 'DocumentReference'), 'payloadID');
      if (payload !== order.payloadId)
        findings.push(`${name}: DocumentReference@payloadID ${payload || '(none)'} is not the OrderRequest's ${order.payloadId}`);
    }
    if (answer.name === 'ConfirmationRequest') {
      confirmed = true;
      checkConfirmation(answer.body, items, toShip, name, findings);
    } else if (!confirmed) findings.push(`${name}: sent before any ConfirmationRequest`);
    else checkShipNotice(answer.body, items, toShip, shipped, name, findings);
  });
  return findings;
}

function checkConfirmation(body: Node, items: readonly OrderedItem[], toShip: Map<string, number>, name: string, findings: string[]): void {
  const type = attr(child(body, 'ConfirmationHeader'), 'type');
  if (!headerTypes.has(type)) findings.push(`${name}: ConfirmationHeader@type ${type || '(none)'} is not one of Fulfill.dtd's`);
  const listed = children(body, 'ConfirmationItem');
  // "reject - The entire order is rejected... must not contain ConfirmationItem elements."
  if (type === 'reject' && listed.length > 0)
    findings.push(`${name}: a type="reject" confirmation lists ${listed.length} ConfirmationItems; Fulfill.dtd allows none`);
  const seen = new Set<string>();
  const statuses: string[] = [];
  for (const item of listed) {
    const lineNumber = attr(item, 'lineNumber');
    const ordered = items.find((candidate) => candidate.lineNumber === lineNumber);
    if (ordered === undefined) {
      findings.push(`${name}: ConfirmationItem ${lineNumber} names no ItemOut of the order`);
      continue;
    }
    if (seen.has(lineNumber)) findings.push(`${name}: line ${lineNumber} is confirmed twice`);
    seen.add(lineNumber);
    // ConfirmationItem@quantity: "Number of this line item which was ordered... Copied directly from the ItemOut."
    if (!same(num(attr(item, 'quantity')), ordered.quantity))
      findings.push(
        `${name}: line ${lineNumber}: ConfirmationItem@quantity ${attr(item, 'quantity')} is not the ordered ${fmt(ordered.quantity)}`,
      );
    let total = 0;
    let ship = 0;
    for (const status of children(item, 'ConfirmationStatus')) {
      const statusType = attr(status, 'type');
      const quantity = num(attr(status, 'quantity'));
      statuses.push(statusType);
      if (!statusTypes.has(statusType))
        findings.push(`${name}: line ${lineNumber}: ConfirmationStatus@type ${statusType || '(none)'} is not one of Fulfill.dtd's`);
      if (Number.isNaN(quantity)) {
        findings.push(`${name}: line ${lineNumber}: a ConfirmationStatus with no quantity`);
        continue;
      }
      total += quantity;
      if (shipping.has(statusType)) ship += quantity;
    }
    if (!same(total, ordered.quantity))
      findings.push(
        `${name}: line ${lineNumber}: the ConfirmationStatus quantities add up to ${fmt(total)}, the ItemOut quantity is ${fmt(ordered.quantity)}`,
      );
    toShip.set(lineNumber, ship);
  }
  const all = (wanted: string) => statuses.length > 0 && statuses.every((s) => s === wanted);
  if (type === 'accept' && statuses.length > 0 && !all('accept'))
    findings.push(`${name}: type="accept", but not every ConfirmationStatus is accept (${[...new Set(statuses)].join(', ')})`);
  if (type === 'reject' && statuses.length > 0 && !all('reject'))
    findings.push(`${name}: type="reject", but not every ConfirmationStatus is reject (${[...new Set(statuses)].join(', ')})`);
  if (type === 'backordered' && statuses.length > 0 && !all('backordered'))
    findings.push(`${name}: type="backordered", but not every ConfirmationStatus is backordered (${[...new Set(statuses)].join(', ')})`);
  for (const item of items) {
    if (seen.has(item.lineNumber)) continue;
    if (type === 'reject') toShip.set(item.lineNumber, 0);
    else if (unlistedTaken.has(type)) toShip.set(item.lineNumber, item.quantity);
  }
}

function checkShipNotice(
  body: Node,
  items: readonly OrderedItem[],
  toShip: ReadonlyMap<string, number>,
  shipped: Map<string, number>,
  name: string,
  findings: string[],
): void {
  const header = child(body, 'ShipNoticeHeader');
  if (attr(header, 'deliveryDate') === '') findings.push(`${name}: ShipNoticeHeader ${attr(header, 'shipmentID')} has no deliveryDate`);
  const lines = new Set<string>();
  for (const item of children(body, 'ShipNoticePortion').flatMap((portion) => children(portion, 'ShipNoticeItem'))) {
    const lineNumber = attr(item, 'lineNumber');
    if (!items.some((candidate) => candidate.lineNumber === lineNumber)) {
      findings.push(`${name}: ShipNoticeItem ${lineNumber} names no ItemOut of the order`);
      continue;
    }
    shipped.set(lineNumber, (shipped.get(lineNumber) ?? 0) + num(attr(item, 'quantity')));
    lines.add(lineNumber);
  }
  for (const lineNumber of lines) {
    const quantity = shipped.get(lineNumber) ?? 0;
    const allowed = toShip.get(lineNumber) ?? 0;
    if (quantity > allowed + 1e-6)
      findings.push(`${name}: line ${lineNumber}: ${fmt(quantity)} shipped so far, more than the ${fmt(allowed)} confirmed to ship`);
  }
}
