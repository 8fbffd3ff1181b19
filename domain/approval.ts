// Approvals: an order that needs a person's judgement waits in pending_approval until every level
// of the policies that caught it has decided. These are the shapes every part of it shares: the
// policies (domain/approval-policy.ts), the gateway's use cases (pipeline/approvals.ts), the
// notifications and links (adapters/notify), and the signature providers (adapters/esign).

/** Who decides at a level: everyone with a role, or one named person (a person id). */
export type Assignee = { role: string } | { person: string };

export type SignatureProvider = 'docusign' | 'acrobat-sign';

/** One level of an approval, decided in turn: the next level starts when this one has approved. */
export interface ApprovalLevel {
  /** 1, 2, ... in the order they decide. */
  level: number;
  name: string;
  assignees: Assignee[];
  /** `any`: one approval of an assignee approves the level; `all`: every named person (or one per role) must. */
  mode: 'any' | 'all';
  /** ISO 8601 duration (PT4H, P1D) the level has before it escalates; none: it waits. */
  sla?: string;
  /** The working calendar the SLA counts in (mappings/calendars); none: calendar time. */
  calendar?: string;
  escalateTo?: Assignee;
  /** `signature`: the level is decided by a signed PDF through the provider, not a click. */
  method: 'click' | 'signature';
  signatureProvider?: SignatureProvider;
}

/** Why the order waits, in words a person can act on. */
export interface ApprovalReason {
  /** Which condition: total-at-least, price-deviation, stated-total-mismatch, unresolved-items, restricted-sku, quantity-above, first-orders, credit-limit. */
  code: string;
  /** The policy that holds it. */
  policy: string;
  detail: string;
  lineNumber?: string;
}

export type Decision = 'approve' | 'reject';

/** How a decision was made; every decision is an event in the order's history with it. */
export type DecisionVia = 'api' | 'link' | 'signature';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'cancelled';

/** A decision asked of the gateway: by a person (through the API or a link) or by a signature provider's callback. */
export interface DecisionInput {
  approvalId: string;
  decision: Decision;
  /** A reject needs one. */
  comment?: string;
  via: DecisionVia;
  /** The person deciding (api, link); for a signature, the provider and its envelope. */
  by: { person: string } | { provider: SignatureProvider; envelopeId: string };
}

export type DecisionResult =
  /** Recorded; `status` is the approval's after it, `orderStatus` the order's. */
  | { kind: 'decided'; status: ApprovalStatus; orderStatus: string }
  /** The approval has been decided already (a concurrent decision won, a link used twice). */
  | { kind: 'already-decided'; status: ApprovalStatus }
  | { kind: 'not-found' }
  /** The person is not an assignee of the level that is deciding now. */
  | { kind: 'not-yours'; detail: string }
  | { kind: 'invalid'; detail: string };

export type DecideApproval = (input: DecisionInput) => Promise<DecisionResult>;

/** What a person needs to decide, as the mail, the SMS, the link page and the signed PDF show it. */
export interface ApprovalSummary {
  approvalId: string;
  orderId: string;
  externalRef: string;
  partner: { id: string; name: string };
  currency: string;
  computedTotal: number;
  statedTotal?: number;
  lines: {
    lineNumber: string;
    parentLineNumber?: string;
    sku?: string;
    description?: string;
    quantity: number;
    uom: string;
    unitPrice?: number;
  }[];
  reasons: ApprovalReason[];
  level: { level: number; name: string; of: number };
  history: { at: string; by: string; decision: Decision; comment?: string; via: DecisionVia; level: number }[];
}
