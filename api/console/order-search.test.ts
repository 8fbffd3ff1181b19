import { describe, expect, it } from 'vitest';
import { dateProblem, ordersQuery, searchForm, searchHref } from './order-search.ts';

const form = (fields: Record<string, string>) => searchForm(fields);

describe("the orders list's search", () => {
  it('asks for the latest received first, 50 a page, with the filters given and whole UTC days', () => {
    const query = new URLSearchParams(
      ordersQuery(form({ ref: ' PO-1 ', status: 'held', channel: 'x12', from: '2026-12-01', to: '2026-12-31' }), 'abc', true),
    );
    expect(Object.fromEntries(query)).toEqual({
      sort: 'newest',
      limit: '50',
      externalRefPrefix: 'PO-1',
      status: 'held',
      channel: 'x12',
      receivedFrom: '2026-12-01T00:00:00Z',
      receivedTo: '2027-01-01T00:00:00Z',
      cursor: 'abc',
    });
  });

  it('names a partner only for the admin (a partner sees its own anyway)', () => {
    expect(ordersQuery(form({ partner: 'p-1' }), undefined, true)).toContain('partnerId=p-1');
    expect(ordersQuery(form({ partner: 'p-1' }), undefined, false)).not.toContain('partnerId');
  });

  it('says which date is not one, in the words of the form', () => {
    expect(dateProblem(form({ from: '06.12.2026' }))).toMatch(/^Received from/);
    expect(dateProblem(form({ to: '2026-1-1' }))).toMatch(/^Received to/);
    expect(dateProblem(form({ from: '2026-12-06', to: '' }))).toBeUndefined();
  });

  it('links back to the same search, with or without a page', () => {
    expect(searchHref(form({}))).toBe('/console/orders');
    expect(searchHref(form({ ref: 'a&b', status: 'held' }), 'c')).toBe('/console/orders?ref=a%26b&status=held&cursor=c');
  });
});
