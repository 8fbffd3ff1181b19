import type { TestApp } from './app.ts';
import { checkPartnerView } from './partner-checker.ts';

// For integration tests: our answers to one order, fetched from the partner's mailbox as the partner
// fetches them, and what the partner would find wrong in them (partner-checker.ts).

/** The documents that answer an order; acknowledgments of interchanges (997, 999, TA1) do not. */
const answerTypes = new Set(['855', '856', '810', 'ConfirmationRequest', 'ShipNoticeRequest']);

interface Listed {
  id: string;
  orderId: string | null;
  type: string;
  contentType: string;
}

/** Oldest first: documents are listed in the order they were stored, which is the order they were sent. */
export async function partnerAnswers(t: TestApp, key: string, orderId: string): Promise<string[]> {
  const listed: Listed[] = [];
  let after: string | undefined;
  for (;;) {
    const url = `/v1/documents?direction=outbound&limit=500${after === undefined ? '' : `&after=${after}`}`;
    const page = (await t.request({ method: 'GET', url, key })).json().documents as Listed[];
    listed.push(...page);
    if (page.length < 500) break;
    after = page.at(-1)?.id;
  }
  const bodies: string[] = [];
  for (const doc of listed.filter((d) => d.orderId === orderId && answerTypes.has(d.type)))
    bodies.push((await t.request({ method: 'GET', url: `/v1/documents/${doc.id}`, key, headers: { accept: doc.contentType } })).body);
  return bodies;
}

/** The partner's findings on our answers to the order it sent as `orderText` (the 850 or OrderRequest): none when all is right. */
export async function partnerFindings(t: TestApp, key: string, orderId: string, orderText: string): Promise<string[]> {
  return checkPartnerView(orderText, await partnerAnswers(t, key, orderId));
}
