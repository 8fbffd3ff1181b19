import { describe, expect, it } from 'vitest';
import { answerEvent, documentStored, isPartnerEvent, orderCancelled, orderDelayed, orderFailed, orderReceived } from './partner-events.ts';

const order = { id: 'o-1', partnerId: 'p-1', externalRef: 'PO-1', channel: 'api' as const };

describe('partner events', () => {
  it('builds each event for the partner, correlated with its order', () => {
    expect(orderReceived(order)).toEqual({
      type: 'order.received.v1',
      correlationId: 'o-1',
      destination: 'gateway.orders',
      payload: { orderId: 'o-1', partnerId: 'p-1', channel: 'api', externalRef: 'PO-1' },
    });
    expect(orderCancelled(order, 'decomposed')).toEqual({
      type: 'order.cancelled.v1',
      correlationId: 'o-1',
      destination: 'gateway.orders',
      payload: { orderId: 'o-1', partnerId: 'p-1', from: 'decomposed', to: 'cancelled' },
    });
    expect(orderFailed(order, { taskId: 't-1', code: 'out-of-stock', reason: 'none left' })).toEqual({
      type: 'order.failed.v1',
      correlationId: 'o-1',
      destination: 'gateway.orders',
      payload: { orderId: 'o-1', partnerId: 'p-1', externalRef: 'PO-1', taskId: 't-1', code: 'out-of-stock', reason: 'none left' },
    });
  });

  it('names the webhook twin of each partner answer', () => {
    const shipment = { shipmentId: 's-1', carrier: 'UPS', items: [] };
    const invoice = { invoiceNumber: 'I-1', invoiceDate: '2024-05-01', lines: [] };
    const ack = {
      order: {} as never,
      ackDate: '2024-05-01',
      lines: [{ lineNumber: '1', status: 'accepted' as const, quantity: 1, uom: 'EA' }],
    };
    const base = { orderId: 'o-1', partnerId: 'p-1', externalRef: 'PO-1' };
    expect(answerEvent(order, { kind: 'acknowledgment', ack })).toMatchObject({
      type: 'order.acknowledged.v1',
      payload: { ...base, ackDate: '2024-05-01', lines: ack.lines },
    });
    expect(answerEvent(order, { kind: 'shipment', shipment: shipment as never })).toMatchObject({
      type: 'order.shipped.v1',
      payload: { ...base, shipment },
    });
    expect(answerEvent(order, { kind: 'invoice', invoice })).toEqual({
      type: 'order.ready-for-billing.v1',
      correlationId: 'o-1',
      destination: 'gateway.orders',
      payload: { ...base, invoice },
    });
  });

  it('announces a stored document, inbound unless said otherwise, correlated with itself when it has no order', () => {
    expect(documentStored('d-1', 'p-1', null, { channel: 'x12', type: '850' })).toEqual({
      type: 'document.stored.v1',
      correlationId: 'd-1',
      destination: 'gateway.documents',
      payload: { documentId: 'd-1', partnerId: 'p-1', orderId: null, direction: 'inbound', channel: 'x12', type: '850' },
    });
    expect(documentStored('d-2', 'p-1', 'o-1', { direction: 'outbound', channel: 'x12', type: '855' })).toMatchObject({
      correlationId: 'o-1',
      payload: { direction: 'outbound' },
    });
  });

  it('offers partners every event built here', () => {
    const built = [
      orderReceived(order),
      orderCancelled(order, 'received'),
      orderFailed(order, {}),
      orderDelayed(order, { lineNumber: '1', dateType: 'ship', previousDate: null, expectedDate: '2026-12-14', reason: 'backordered' }),
      documentStored('d', 'p', null, { channel: 'api', type: 't' }),
    ];
    for (const message of built) expect(isPartnerEvent(message.type), message.type).toBe(true);
  });
});
