import type { GatewayPost, PostResult } from './e2e-load.ts';

// What bench:e2e needs to know of an inbound channel: where its orders go, how one is written and
// how its acceptance reads. Both channels send the same order (the X12 bundle fixture's), so both make
// the same fulfillment requests and the runs compare.

export interface E2ePartner {
  id: string;
  key: string;
  /**
   * Order n (1..999,999,999) from this partner: every reference the partner gives it (control numbers,
   * PO number, idempotency key) holds n in full, so a 9-digit n stands for the order in its stored rows.
   */
  post(n: number): GatewayPost;
}

export interface E2eChannel {
  name: string;
  /** The route POSTed to, as the gateway's metrics label it. */
  route: string;
  contentType: string;
  /** For the report: what is sent (many, and one), and what answers an accepted order. */
  orders: string;
  document: string;
  answer: string;
  /** Partner `index` (0, 1, …), made the way an operator makes one: through the admin API. */
  createPartner(baseUrl: string, adminKey: string, index: number): Promise<E2ePartner>;
  accepted(result: PostResult): boolean;
}

/** Fulfillment requests one order makes with the demo catalog (MODEM-X1 ship; the bundle's modem, port, truck roll). */
export const requestsPerOrder = 4;
