// The orders list's search form, as the browser sends it, into GET /v1/orders's query: the latest
// received first, one page of 50. Dates are whole days in UTC; "to" includes its day. Values the
// API refuses go through as they are, so that its answer names what is wrong.

export interface OrderSearchForm {
  ref: string;
  partner: string;
  status: string;
  channel: string;
  from: string;
  to: string;
}

export const searchFields = ['ref', 'partner', 'status', 'channel', 'from', 'to'] as const;

export const pageSize = 50;

const day = /^\d{4}-\d{2}-\d{2}$/;

export function searchForm(query: Record<string, unknown>): OrderSearchForm {
  const text = (name: string): string => {
    const value = query[name];
    return typeof value === 'string' ? value.trim().slice(0, 300) : '';
  };
  return {
    ref: text('ref'),
    partner: text('partner'),
    status: text('status'),
    channel: text('channel'),
    from: text('from'),
    to: text('to'),
  };
}

const nextDay = (date: string): string => {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().replace('.000Z', 'Z');
};

/** A date field the API would not understand, in the form's own words; undefined when both are fine. */
export function dateProblem(form: OrderSearchForm): string | undefined {
  const bad = (value: string) => value !== '' && (!day.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)));
  if (bad(form.from)) return 'Received from: enter a date as YYYY-MM-DD.';
  if (bad(form.to)) return 'Received to: enter a date as YYYY-MM-DD.';
  return undefined;
}

export function ordersQuery(form: OrderSearchForm, cursor: string | undefined, admin: boolean): string {
  const query = new URLSearchParams({ sort: 'newest', limit: String(pageSize) });
  if (form.ref !== '') query.set('externalRefPrefix', form.ref);
  if (admin && form.partner !== '') query.set('partnerId', form.partner);
  if (form.status !== '') query.set('status', form.status);
  if (form.channel !== '') query.set('channel', form.channel);
  if (form.from !== '') query.set('receivedFrom', `${form.from}T00:00:00Z`);
  if (form.to !== '') query.set('receivedTo', nextDay(form.to));
  if (cursor !== undefined && cursor !== '') query.set('cursor', cursor);
  return query.toString();
}

/** The console's own address of a search (for the next page, and the live notice's "show them"). */
export function searchHref(form: OrderSearchForm, cursor?: string): string {
  const query = new URLSearchParams();
  for (const field of searchFields) if (form[field] !== '') query.set(field, form[field]);
  if (cursor !== undefined) query.set('cursor', cursor);
  const text = query.toString();
  return text === '' ? '/console/orders' : `/console/orders?${text}`;
}
