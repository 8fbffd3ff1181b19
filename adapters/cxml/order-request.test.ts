import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapOrderRequest, parseCxml } from './index.ts';

// OrderRequestHeader@orderDate: the canonical order keeps the day, the envelope the value as sent,
// so that OrderReference@orderDate can copy it back (the DTD's "copied from the OrderRequest").

const composite = readFileSync(new URL('./fixtures/composite-OrderRequest.xml', import.meta.url), 'utf8');

const mapped = (orderDate: string) => {
  const parsed = parseCxml(
    new TextEncoder().encode(composite.replace('orderDate="2026-11-27T10:14:00-05:00"', `orderDate="${orderDate}"`)),
    1024 * 1024,
  );
  if (!parsed.ok) throw new Error(parsed.failure.text);
  return mapOrderRequest(parsed.tree, 'p@x');
};

describe('OrderRequestHeader@orderDate', () => {
  it.each([
    ['2026-11-27T10:14:00-05:00', '2026-11-27'],
    ['2026-11-27T23:59:59.123+13:45', '2026-11-27'],
    ['2026-11-27T10:14:00Z', '2026-11-27'],
    ['2026-11-27', '2026-11-27'],
  ])('keeps %s as sent beside the day', (sent, day) => {
    const order = mapped(sent);
    expect(order.orderDate).toBe(day);
    expect(order.envelope?.orderDate).toBe(sent);
  });

  it.each(['yesterday', '27.11.2026', '2026-11-27T10:14:00-05:00 or so'])('does not keep %s, which is no date to echo', (sent) => {
    expect(mapped(sent).envelope).not.toHaveProperty('orderDate');
  });
});
