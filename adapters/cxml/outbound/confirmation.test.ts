import { describe, expect, it } from 'vitest';
import type { OrderAck } from '../../../domain/acknowledgment.ts';
import { validateAgainstDtd } from '../../../test/support/dtd.ts';
import { parseCxml } from '../parse.ts';
import { attr, child, children, path, text, type Node } from '../tree.ts';
import { buildConfirmationRequest } from './confirmation.ts';
import { confirmationFromAck, confirmationType, type ConfirmationInput, type LineConfirmation } from './confirmation-input.ts';
import { fixedEnvelope, inbound, storedOrderFrom } from './fixtures/orders.ts';

const composite = storedOrderFrom(inbound.composite);
const sample = storedOrderFrom(inbound.sample);

const accepted = (lineNumber: string, quantity: number): LineConfirmation => ({ lineNumber, portions: [{ status: 'accepted', quantity }] });

/** The composite order: 1 of 2 modems now, 1 backordered; the bundle accepted, its port activation later and dearer. */
const compositeAnswers: ConfirmationInput = {
  order: composite,
  confirmId: 'CONF-9001',
  lines: [
    {
      lineNumber: '1',
      portions: [
        { status: 'accepted', quantity: 1, shipDate: '2026-12-01' },
        { status: 'backordered', quantity: 1, deliveryDate: '2026-12-20', note: 'modems arrive from the factory on 2026-12-18' },
      ],
    },
    accepted('2', 1),
    accepted('3', 1),
    { lineNumber: '4', portions: [{ status: 'changed', quantity: 1, unitPrice: 4.99, deliveryDate: '2026-12-22' }] },
  ],
};

function built(input: ConfirmationInput, envelope = fixedEnvelope): string {
  const result = buildConfirmationRequest(input, envelope);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

function readBack(xml: string): Node {
  const parsed = parseCxml(new TextEncoder().encode(xml), 1024 * 1024);
  if (!parsed.ok) throw new Error(parsed.failure.text);
  return path(parsed.tree, 'cXML', 'Request', 'ConfirmationRequest');
}

describe('buildConfirmationRequest', () => {
  it('writes the golden ConfirmationRequest for the composite order: detail, a line part accepted and part backordered, components under their parent', async () => {
    const xml = built(compositeAnswers);
    await expect(xml).toMatchFileSnapshot('./fixtures/composite-ConfirmationRequest.xml');
    expect(validateAgainstDtd(xml, 'Fulfill.dtd')).toEqual({ valid: true, errors: [] });

    const request = readBack(xml);
    expect(attr(child(request, 'ConfirmationHeader'), 'type')).toBe('detail');
    expect(attr(child(request, 'OrderReference'), 'orderID')).toBe('PO-9001');
    // The OrderRequest's orderDate as it came, time and zone included (the DTD: copied from it).
    expect(attr(child(request, 'OrderReference'), 'orderDate')).toBe('2026-11-27T10:14:00-05:00');
    expect(attr(path(request, 'OrderReference', 'DocumentReference'), 'payloadID')).toBe('1700000000.4711@buyer.example');
    const items = children(request, 'ConfirmationItem');
    expect(items.map((i) => [attr(i, 'lineNumber'), attr(i, 'quantity'), attr(i, 'parentLineNumber'), attr(i, 'itemType')])).toEqual([
      ['1', '2', undefined, undefined],
      ['2', '1', undefined, 'composite'],
      ['3', '1', '2', 'item'],
      ['4', '1', '2', 'item'],
    ]);
    const first = children(items[0], 'ConfirmationStatus');
    expect(first.map((s) => [attr(s, 'type'), attr(s, 'quantity'), attr(s, 'deliveryDate')])).toEqual([
      ['accept', '1', undefined],
      ['backordered', '1', '2026-12-20T00:00:00+00:00'],
    ]);
    // Every item's portions add up to its quantity.
    for (const item of items)
      expect(children(item, 'ConfirmationStatus').reduce((sum, s) => sum + Number(attr(s, 'quantity')), 0)).toBe(
        Number(attr(item, 'quantity')),
      );
    expect(text(path(children(items[3], 'ConfirmationStatus')[0], 'UnitPrice', 'Money'))).toBe('4.99');
  });

  it('writes the golden ConfirmationRequest for the public sample order: accept, in test mode like the order', async () => {
    const xml = built({ order: sample, lines: [accepted('1', 10), accepted('2', 20)] }, { ...fixedEnvelope, deploymentMode: 'test' });
    await expect(xml).toMatchFileSnapshot('./fixtures/sample-ConfirmationRequest.xml');
    expect(validateAgainstDtd(xml, 'Fulfill.dtd')).toEqual({ valid: true, errors: [] });
    const request = readBack(xml);
    expect(attr(child(request, 'ConfirmationHeader'), 'type')).toBe('accept');
    expect(children(request, 'ConfirmationItem').flatMap((i) => children(i, 'ConfirmationStatus').map((s) => attr(s, 'type')))).toEqual([
      'accept',
      'accept',
    ]);
    expect(xml).toContain('<Request deploymentMode="test">');
  });

  it('rejects a whole order without items (the DTD forbids them on a reject), the reason in Comments', () => {
    const xml = built({
      order: sample,
      lines: [
        { lineNumber: '1', portions: [{ status: 'rejected', quantity: 10, note: 'discontinued' }] },
        { lineNumber: '2', portions: [{ status: 'rejected', quantity: 20, note: 'discontinued' }] },
      ],
    });
    expect(validateAgainstDtd(xml, 'Fulfill.dtd')).toEqual({ valid: true, errors: [] });
    const request = readBack(xml);
    expect(attr(child(request, 'ConfirmationHeader'), 'type')).toBe('reject');
    expect(text(path(request, 'ConfirmationHeader', 'Comments'))).toBe('discontinued');
    expect(children(request, 'ConfirmationItem')).toEqual([]);
  });

  it('decides the type from the answers', () => {
    const all = (status: 'accepted' | 'rejected') =>
      sample.lines.map((l) => ({ lineNumber: l.lineNumber, portions: [{ status, quantity: l.quantity }] }));
    expect(confirmationType(sample, all('accepted'))).toBe('accept');
    expect(confirmationType(sample, all('rejected'))).toBe('reject');
    expect(confirmationType(sample, [accepted('1', 10)])).toBe('detail'); // line 2 not answered: detail leaves it as it is
    expect(confirmationType(sample, [accepted('1', 10), { lineNumber: '2', portions: [{ status: 'rejected', quantity: 20 }] }])).toBe(
      'detail',
    );
    expect(
      confirmationType(sample, [
        accepted('1', 10),
        {
          lineNumber: '2',
          portions: [
            { status: 'accepted', quantity: 15 },
            { status: 'backordered', quantity: 5 },
          ],
        },
      ]),
    ).toBe('detail');
  });

  it('refuses portions that do not add up to the line, saying which line and what they add up to', () => {
    const result = buildConfirmationRequest(
      {
        order: sample,
        lines: [
          accepted('1', 10),
          {
            lineNumber: '2',
            portions: [
              { status: 'accepted', quantity: 15 },
              { status: 'backordered', quantity: 4 },
            ],
          },
        ],
      },
      fixedEnvelope,
    );
    expect(result).toEqual({
      ok: false,
      error: [
        {
          pointer: '/lines/1/portions',
          code: 'quantities-do-not-add-up',
          detail: 'line "2" is ordered 20 EA; its portions (accepted 15, backordered 4) add up to 19',
        },
      ],
    });
  });

  it('adds decimal quantities without float drift', () => {
    const order = { ...sample, lines: sample.lines.map((l) => (l.lineNumber === '1' ? { ...l, quantity: 0.3 } : l)) };
    const result = buildConfirmationRequest(
      {
        order,
        lines: [
          {
            lineNumber: '1',
            portions: [
              { status: 'accepted', quantity: 0.1 },
              { status: 'backordered', quantity: 0.2 },
            ],
          },
        ],
      },
      fixedEnvelope,
    );
    expect(result.ok).toBe(true);
  });

  it.each([
    ['an unknown line', [accepted('9', 1)], 'unknown-line', '/lines/0/lineNumber'],
    ['a line answered twice', [accepted('1', 10), accepted('1', 10)], 'line-answered-twice', '/lines/1/lineNumber'],
    ['a line without portions', [{ lineNumber: '1', portions: [] }], 'no-portions', '/lines/0/portions'],
    [
      'a zero quantity',
      [
        {
          lineNumber: '1',
          portions: [
            { status: 'accepted' as const, quantity: 10 },
            { status: 'rejected' as const, quantity: 0 },
          ],
        },
      ],
      'invalid-quantity',
      '/lines/0/portions/1/quantity',
    ],
    [
      'a change that says nothing new',
      [{ lineNumber: '1', portions: [{ status: 'changed' as const, quantity: 10 }] }],
      'change-without-detail',
      '/lines/0/portions/0',
    ],
    [
      'a date that is no date',
      [{ lineNumber: '1', portions: [{ status: 'backordered' as const, quantity: 10, deliveryDate: 'soon' }] }],
      'invalid-date',
      '/lines/0/portions/0/deliveryDate',
    ],
    [
      'another unit',
      [{ lineNumber: '1', portions: [{ status: 'accepted' as const, quantity: 1, uom: 'BX' }] }],
      'unit-mismatch',
      '/lines/0/portions/0/uom',
    ],
    ['nothing', [], 'nothing-to-confirm', '/lines'],
  ])('refuses %s', (_name, lines: LineConfirmation[], code, pointer) => {
    const result = buildConfirmationRequest({ order: sample, lines }, fixedEnvelope);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContainEqual(expect.objectContaining({ code, pointer }));
  });

  it('refuses an order that did not come over cXML (no payloadID to refer to) and lines cXML cannot number', () => {
    const { envelope: _envelope, ...order } = composite;
    const result = buildConfirmationRequest(
      {
        order: { ...order, lines: order.lines.map((l) => (l.lineNumber === '1' ? { ...l, lineNumber: '1.1' } : l)) },
        lines: [accepted('1.1', 2)],
      },
      fixedEnvelope,
    );
    expect(result.ok ? [] : result.error.map((p) => p.code)).toEqual(['not-a-cxml-order', 'line-number-not-cxml']);
  });

  it('takes the domain acknowledgment: several LineAcks for one line are its portions', () => {
    const ack: OrderAck = {
      order: sample,
      ackDate: '2026-11-28',
      lines: [
        { lineNumber: '1', status: 'accepted', quantity: 10, uom: 'EA', expectedDate: '2026-12-01' },
        { lineNumber: '2', status: 'accepted', quantity: 12, uom: 'EA' },
        { lineNumber: '2', status: 'backordered', quantity: 8, uom: 'EA', expectedDate: '2027-01-10' },
      ],
    };
    const input = confirmationFromAck(ack);
    expect(input.lines.map((l) => [l.lineNumber, l.portions.map((p) => [p.status, p.quantity, p.shipDate])])).toEqual([
      ['1', [['accepted', 10, '2026-12-01']]],
      [
        '2',
        [
          ['accepted', 12, undefined],
          ['backordered', 8, '2027-01-10'],
        ],
      ],
    ]);
    const xml = built(input);
    expect(validateAgainstDtd(xml, 'Fulfill.dtd')).toEqual({ valid: true, errors: [] });
    expect(xml).toContain('<ConfirmationStatus quantity="8" type="backordered" shipmentDate="2027-01-10T00:00:00+00:00">');
  });

  it('confirms a quantity or date change as an accept of that quantity beside the reject of the rest; only a new price is "detail"', () => {
    const price = sample.lines.find((l) => l.lineNumber === '2')?.unitPrice ?? 0;
    const ack: OrderAck = {
      order: sample,
      ackDate: '2026-11-28',
      lines: [
        { lineNumber: '1', status: 'changed', quantity: 10, uom: 'EA', expectedDate: '2026-12-09' },
        { lineNumber: '2', status: 'changed', quantity: 5, uom: 'EA' },
        { lineNumber: '2', status: 'changed', quantity: 5, uom: 'EA', unitPrice: price + 1 },
        { lineNumber: '2', status: 'rejected', quantity: 10, uom: 'EA', note: 'discontinued' },
      ],
    };
    const input = confirmationFromAck(ack);
    expect(input.lines.map((l) => l.portions.map((p) => [p.status, p.quantity, p.unitPrice]))).toEqual([
      [['accepted', 10, undefined]],
      [
        ['accepted', 5, undefined],
        ['changed', 5, price + 1],
        ['rejected', 10, undefined],
      ],
    ]);
    const xml = built(input);
    expect(validateAgainstDtd(xml, 'Fulfill.dtd')).toEqual({ valid: true, errors: [] });
    const statuses = children(children(readBack(xml), 'ConfirmationItem')[1], 'ConfirmationStatus');
    expect(statuses.map((status) => [attr(status, 'type'), attr(status, 'quantity')])).toEqual([
      ['accept', '5'],
      ['detail', '5'],
      ['reject', '10'],
    ]);
  });

  it('escapes what a vendor writes, and keeps the document readable', () => {
    const note = 'ships <after> "Q1" & \'maybe\'\u0007 later';
    const xml = built(
      { order: sample, lines: [accepted('1', 10), { lineNumber: '2', portions: [{ status: 'backordered', quantity: 20, note }] }] },
      { ...fixedEnvelope, from: { domain: 'NetworkID', identity: 'A&B <supplies>' } },
    );
    expect(validateAgainstDtd(xml, 'Fulfill.dtd')).toEqual({ valid: true, errors: [] });
    const status = children(children(readBack(xml), 'ConfirmationItem')[1], 'ConfirmationStatus')[0];
    expect(text(child(status, 'Comments'))).toBe('ships <after> "Q1" & \'maybe\'\uFFFD later');
  });
});
