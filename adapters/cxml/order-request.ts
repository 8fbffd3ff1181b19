import { readFileSync } from 'node:fs';
import type { Address, LineDraft, OrderDraft, OrderType, Party } from '../../domain/order.ts';
import type { Problem } from '../../domain/problem.ts';
import { packageFile } from '../../package-files.ts';
import { identifierLimits, tooLong } from './limits.ts';
import type { CxmlTree } from './parse.ts';
import { attr, child, children, path, text, type Node } from './tree.ts';

// cXML OrderRequest → canonical order draft, driven by mappings/cxml/order-request.json. What the
// DTD requires of the parts we read is checked first (406 when missing), then the length of every
// identifier that is stored or indexed (400 naming it, limits.ts); what no map claims is kept in
// extras.

interface CxmlMap {
  orderTypes: Record<string, OrderType>;
  identifiers: Record<string, string>;
  skuFrom: string[];
  compositeItemType: string;
  defaultUnitOfMeasure: string;
}

const map = JSON.parse(readFileSync(packageFile('mappings/cxml/order-request.json'), 'utf8')) as CxmlMap;

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

/**
 * Identifiers of the OrderRequest that are stored or indexed (the orderID and line numbers as
 * indexed columns, part numbers and the unit as line columns and catalog keys, address IDs as
 * party codes) longer than accepted: 400 findings naming each element or attribute.
 */
export function checkIdentifiers(tree: CxmlTree): string[] {
  const request = path(tree, 'cXML', 'Request', 'OrderRequest');
  const header = child(request, 'OrderRequestHeader');
  const found = [
    ...tooLong('OrderRequestHeader@orderID', attr(header, 'orderID'), identifierLimits.orderID),
    ...tooLong('OrderRequestHeader@orderVersion', attr(header, 'orderVersion'), identifierLimits.orderVersion),
  ];
  for (const party of ['ShipTo', 'BillTo'])
    found.push(
      ...tooLong(
        `OrderRequestHeader/${party}/Address@addressID`,
        attr(path(header, party, 'Address'), 'addressID'),
        identifierLimits.addressID,
      ),
    );
  children(request, 'ItemOut').forEach((item, index) => {
    const at = `ItemOut[${index + 1}]`;
    const ids = child(item, 'ItemID');
    const detail = child(item, 'ItemDetail');
    found.push(
      ...tooLong(`${at}@lineNumber`, attr(item, 'lineNumber'), identifierLimits.lineNumber),
      ...tooLong(`${at}@parentLineNumber`, attr(item, 'parentLineNumber'), identifierLimits.lineNumber),
      ...Object.keys(map.identifiers).flatMap((element) =>
        tooLong(`${at}/ItemID/${element}`, text(child(ids, element)), identifierLimits.partId),
      ),
      ...tooLong(`${at}/ItemDetail/ManufacturerPartID`, text(child(detail, 'ManufacturerPartID')), identifierLimits.partId),
      ...tooLong(`${at}/ItemDetail/UnitOfMeasure`, text(child(detail, 'UnitOfMeasure')), identifierLimits.unitOfMeasure),
    );
  });
  return found;
}

const date = (value: string | undefined): string | undefined => (value === undefined ? undefined : value.slice(0, 10));

/** A date or date-time as cXML writes one (%datetime.tz): kept as sent, to be echoed in OrderReference@orderDate. */
const dateTimeForm = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

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
  // The canonical orderDate is the day; the DTD wants OrderReference@orderDate copied from the
  // OrderRequest, time and zone with it. Anything that is no date form is not kept (nor echoed).
  const orderDate = attr(header, 'orderDate');
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
    envelope: {
      payloadId,
      ...(orderVersion === undefined ? {} : { orderVersion }),
      ...(orderDate === undefined || !dateTimeForm.test(orderDate) ? {} : { orderDate }),
    },
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
