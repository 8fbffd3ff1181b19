import { readFileSync } from 'node:fs';
import type { Address, LineDraft, OrderDraft, OrderType, Party } from '../../domain/order.ts';
import type { Problem } from '../../domain/problem.ts';
import { packageFile } from '../../package-files.ts';
import type { CxmlTree } from './parse.ts';
import { attr, child, children, path, text, type Node } from './tree.ts';

// cXML OrderRequest → canonical order draft, driven by mappings/cxml/order-request.json. What the
// DTD requires of the parts we read is checked first (406 when missing); what no map claims is
// kept in extras.

interface CxmlMap {
  orderTypes: Record<string, OrderType>;
  identifiers: Record<string, string>;
  skuFrom: string[];
  compositeItemType: string;
  defaultUnitOfMeasure: string;
}

const map = JSON.parse(readFileSync(packageFile('mappings/cxml/order-request.json'), 'utf8')) as CxmlMap;

export interface CxmlHeader {
  payloadId: string;
  timestamp: string;
  from: { domain: string; identity: string }[];
  sender: { domain: string; identity: string; sharedSecret: string } | undefined;
}

/** The envelope facts needed before anything else: who sends, and which payload this is. */
export function readHeader(tree: CxmlTree): { ok: true; header: CxmlHeader } | { ok: false; text: string } {
  const cxml = child(tree, 'cXML');
  if (cxml === undefined) return { ok: false, text: 'the root element is not cXML' };
  const payloadId = attr(cxml, 'payloadID');
  const timestamp = attr(cxml, 'timestamp');
  if (payloadId === undefined || timestamp === undefined) return { ok: false, text: 'cXML needs the payloadID and timestamp attributes' };
  const header = child(cxml, 'Header');
  if (header === undefined) return { ok: false, text: 'cXML/Header is missing' };
  const credentials = (node: Node) =>
    children(node, 'Credential').map((c) => ({
      domain: attr(c, 'domain') ?? '',
      identity: text(child(c, 'Identity')) ?? '',
      sharedSecret: text(child(c, 'SharedSecret')),
    }));
  const from = credentials(child(header, 'From')).map(({ domain, identity }) => ({ domain, identity }));
  const senderCredential = credentials(child(header, 'Sender')).find((c) => c.sharedSecret !== undefined);
  if (from.length === 0) return { ok: false, text: 'Header/From needs a Credential' };
  return {
    ok: true,
    header: {
      payloadId,
      timestamp,
      from,
      sender:
        senderCredential === undefined
          ? undefined
          : { domain: senderCredential.domain, identity: senderCredential.identity, sharedSecret: senderCredential.sharedSecret ?? '' },
    },
  };
}

/** The DTD's requirements for what we read, as (406) findings naming the element. */
export function checkOrderRequest(tree: CxmlTree): string[] {
  const problems: string[] = [];
  const request = path(tree, 'cXML', 'Request', 'OrderRequest');
  if (request === undefined) return ['cXML/Request/OrderRequest is missing'];
  const header = child(request, 'OrderRequestHeader');
  if (header === undefined) return ['OrderRequest/OrderRequestHeader is missing'];
  for (const name of ['orderID', 'orderDate', 'type'])
    if (attr(header, name) === undefined) problems.push(`OrderRequestHeader needs the ${name} attribute`);
  const type = attr(header, 'type');
  if (type !== undefined && map.orderTypes[type] === undefined)
    problems.push(`OrderRequestHeader type="${type}" is not one of ${Object.keys(map.orderTypes).join(', ')}`);
  if (text(path(header, 'Total', 'Money')) === undefined) problems.push('OrderRequestHeader/Total/Money is missing');
  if (child(header, 'BillTo') === undefined) problems.push('OrderRequestHeader/BillTo is missing');
  children(request, 'ItemOut').forEach((item, index) => {
    const at = `ItemOut[${index + 1}]`;
    if (attr(item, 'quantity') === undefined) problems.push(`${at} needs the quantity attribute`);
    if (text(path(item, 'ItemID', 'SupplierPartID')) === undefined) problems.push(`${at}/ItemID/SupplierPartID is missing`);
    const detail = child(item, 'ItemDetail');
    if (detail !== undefined) {
      if (text(path(detail, 'UnitPrice', 'Money')) === undefined) problems.push(`${at}/ItemDetail/UnitPrice/Money is missing`);
      if (child(detail, 'Description') === undefined) problems.push(`${at}/ItemDetail/Description is missing`);
      if (text(child(detail, 'UnitOfMeasure')) === undefined) problems.push(`${at}/ItemDetail/UnitOfMeasure is missing`);
      if (child(detail, 'Classification') === undefined) problems.push(`${at}/ItemDetail/Classification is missing`);
    }
  });
  if (children(request, 'ItemOut').length === 0) problems.push('OrderRequest needs at least one ItemOut');
  return problems;
}

const date = (value: string | undefined): string | undefined => (value === undefined ? undefined : value.slice(0, 10));

function addressOf(node: Node): Party | undefined {
  const address = child(node, 'Address');
  if (address === undefined) return undefined;
  const postal = child(address, 'PostalAddress');
  const lines = [...children(postal, 'DeliverTo'), ...children(postal, 'Street')]
    .map(text)
    .filter((l): l is string => l !== undefined && l !== '');
  const place: Address = {
    lines,
    ...(text(child(postal, 'City')) === undefined ? {} : { city: text(child(postal, 'City')) as string }),
    ...(text(child(postal, 'State')) === undefined ? {} : { region: text(child(postal, 'State')) as string }),
    ...(text(child(postal, 'PostalCode')) === undefined ? {} : { postalCode: text(child(postal, 'PostalCode')) as string }),
    ...(attr(child(postal, 'Country'), 'isoCountryCode') === undefined
      ? {}
      : { country: attr(child(postal, 'Country'), 'isoCountryCode') as string }),
  };
  const email = text(child(address, 'Email'));
  const phone = child(child(address, 'Phone'), 'TelephoneNumber');
  const phoneText =
    phone === undefined
      ? undefined
      : [text(child(phone, 'CountryCode')), text(child(phone, 'AreaOrCityCode')), text(child(phone, 'Number'))].filter(Boolean).join(' ');
  return {
    name: text(child(address, 'Name')) ?? '',
    ...(attr(address, 'addressID') === undefined ? {} : { code: attr(address, 'addressID') as string }),
    ...(postal === undefined ? {} : { address: place }),
    ...(email === undefined && phoneText === undefined
      ? {}
      : { contact: { ...(email === undefined ? {} : { email }), ...(phoneText === undefined ? {} : { phone: phoneText }) } }),
  };
}

const commentText = (node: Node): string[] =>
  children(node, 'Comments')
    .map((c) => text(c))
    .filter((c): c is string => c !== undefined && c !== '');

/** Comments that hold more than text (an Attachment...), kept whole so that nothing is lost. */
const richComments = (node: Node): Node[] =>
  children(node, 'Comments').filter(
    (c) => c !== undefined && typeof c !== 'string' && Object.keys(c).some((k) => k !== '#text' && !k.startsWith('@')),
  );

const extrinsics = (node: Node): Record<string, string> =>
  Object.fromEntries(children(node, 'Extrinsic').map((e) => [attr(e, 'name') ?? '', text(e) ?? '']));

/** Everything of an element except the children a map claims. */
function unclaimed(node: Node, claimed: string[]): Record<string, unknown> {
  if (node === undefined || typeof node === 'string') return {};
  return Object.fromEntries(Object.entries(node).filter(([key]) => !claimed.includes(key)));
}

export function mapOrderRequest(tree: CxmlTree, payloadId: string): OrderDraft {
  const request = path(tree, 'cXML', 'Request', 'OrderRequest');
  const header = child(request, 'OrderRequestHeader');
  const items = children(request, 'ItemOut');
  const lines: LineDraft[] = items.map((item, index) => {
    const detail = child(item, 'ItemDetail');
    const ids = child(item, 'ItemID');
    const identifiers: Record<string, string> = {};
    for (const [element, name] of Object.entries(map.identifiers)) {
      const value = text(child(ids, element)) ?? (element === 'ManufacturerPartID' ? text(child(detail, element)) : undefined);
      if (value !== undefined) identifiers[name] = value;
    }
    const skuElement = map.skuFrom.find((e) => text(child(ids, e)) !== undefined);
    const itemType = attr(item, 'itemType');
    const parent = attr(item, 'parentLineNumber');
    const classification = children(detail, 'Classification').map((c) => ({ domain: attr(c, 'domain'), code: text(c) }));
    const itemExtras = {
      ...(itemType === undefined ? {} : { itemType }),
      ...(attr(item, 'compositeItemType') === undefined ? {} : { compositeItemType: attr(item, 'compositeItemType') }),
      ...(classification.length === 0 ? {} : { classification }),
      ...(commentText(item).length === 0 ? {} : { comments: commentText(item) }),
      ...(richComments(item).length === 0 ? {} : { Comments: richComments(item) }),
      ...(Object.keys(extrinsics(detail)).length === 0 ? {} : { extrinsics: extrinsics(detail) }),
      ...unclaimed(item, [
        'ItemID',
        'ItemDetail',
        'Comments',
        '@quantity',
        '@lineNumber',
        '@requestedDeliveryDate',
        '@itemType',
        '@compositeItemType',
        '@parentLineNumber',
      ]),
    };
    const unitPrice = text(path(detail, 'UnitPrice', 'Money'));
    return {
      lineNumber: attr(item, 'lineNumber') ?? String(index + 1),
      ...(parent === undefined ? {} : { parentLineNumber: parent }),
      ...(skuElement === undefined ? {} : { sku: text(child(ids, skuElement)) as string }),
      identifiers,
      ...(text(child(detail, 'Description')) === undefined ? {} : { description: text(child(detail, 'Description')) as string }),
      quantity: Number(attr(item, 'quantity')),
      uom: text(child(detail, 'UnitOfMeasure')) ?? map.defaultUnitOfMeasure,
      ...(unitPrice === undefined ? {} : { unitPrice: Number(unitPrice) }),
      ...(date(attr(item, 'requestedDeliveryDate')) === undefined
        ? {}
        : { requestedDeliveryDate: date(attr(item, 'requestedDeliveryDate')) as string }),
      ...(Object.keys(itemExtras).length === 0 ? {} : { extras: itemExtras }),
      origin: `ItemOut[${index + 1}]`,
    };
  });

  const shipTo = addressOf(child(header, 'ShipTo'));
  const billTo = addressOf(child(header, 'BillTo'));
  const notes = commentText(header);
  const headerExtrinsics = extrinsics(header);
  const total = text(path(header, 'Total', 'Money'));
  const orderVersion = attr(header, 'orderVersion');
  const headerExtras = unclaimed(header, [
    'Total',
    'ShipTo',
    'BillTo',
    'Comments',
    'Extrinsic',
    '@orderID',
    '@orderDate',
    '@type',
    '@orderVersion',
  ]);
  return {
    channel: 'cxml',
    externalRef: attr(header, 'orderID') ?? '',
    orderType: map.orderTypes[attr(header, 'type') ?? 'new'] ?? 'new',
    orderDate: date(attr(header, 'orderDate')) ?? '',
    currency: attr(path(header, 'Total', 'Money'), 'currency') ?? 'USD',
    ...(shipTo === undefined ? {} : { shipTo }),
    ...(billTo === undefined ? {} : { billTo }),
    ...(notes.length === 0 ? {} : { notes }),
    ...(total === undefined ? {} : { statedTotal: Number(total) }),
    envelope: { payloadId, ...(orderVersion === undefined ? {} : { orderVersion }) },
    lines,
    extras: {
      ...(Object.keys(headerExtrinsics).length === 0 ? {} : { extrinsics: headerExtrinsics }),
      ...(richComments(header).length === 0 ? {} : { Comments: richComments(header) }),
      ...headerExtras,
    },
  };
}

/** A domain problem as the element it is about, e.g. "ItemOut[2]@quantity". */
export function elementOf(problem: Problem): string {
  if (problem.pointer === '/total') return 'OrderRequestHeader/Total';
  const at = /^(ItemOut\[\d+\])\/(\w+)$/.exec(problem.pointer);
  return at === null ? problem.pointer : `${at[1]}@${at[2]}`;
}
