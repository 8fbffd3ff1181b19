export { isDatabaseUnavailable, isTransientConflict, pingDatabase } from './availability.ts';
export { connectDatabase, describeDatabase, migrateToLatest, rollbackAll, type Database, type DatabaseOptions } from './connect.ts';
export { getOrder, listOrderEvents, listOrders, type OrderEvent, type OrderFilter, type Viewer } from './order-queries.ts';
export { orderStore } from './order-store.ts';
export { commitGroups, type CommitGroupOptions, type CommitGroups } from './commit-groups.ts';
export { listApiKeys, revokeApiKey, type ApiKeyView, type KeyOwner } from './api-keys.ts';
export { listPartners, updatePartner, type PartnerFilter, type PartnerPatch, type PartnerUpdate } from './partner-admin.ts';
export {
  authenticateCxml,
  getCxmlChannel,
  getPartnerCxml,
  getPartnerX12,
  ourCxmlSecretContext,
  type PartnerCxml,
  type PartnerX12,
  type SecretSealer,
  type X12Pair,
} from './partner-identities.ts';
export {
  createPartner,
  createPartnerKey,
  ensureAdminKey,
  findPrincipal,
  findPrincipalByHash,
  getPartner,
  hashKey,
  type NewPartner,
  type Partner,
  type PartnerCreation,
  type CreditLimit,
  type Principal,
} from './partners.ts';
export { getDocumentBody, getDocumentSummary, listDocuments, type DocumentFilter, type DocumentSummary } from './documents.ts';
export { findWebhookSource, insertWebhookSource, type NewWebhookSource, type WebhookSource } from './partner-identities.ts';
export {
  claimDueWebhookDeliveries,
  deleteWebhookSubscription,
  fanOutWebhookEvents,
  insertWebhookSubscription,
  listWebhookDeliveries,
  listWebhookSubscriptions,
  recordWebhookAttempt,
  replaceWebhookSubscriptionSecret,
  retryWebhookDelivery,
  setWebhookSubscriptionPaused,
  type AttemptRecord,
  type AttemptResult,
  type DeliveryFilter,
  type DueDelivery,
  type WebhookDelivery,
  type WebhookSubscription,
} from './webhooks.ts';
export { deleteItemReference, listItemReferences, type ItemReference } from './item-references.ts';
export { approvalFacts, partnerTotalMismatch } from './approval-facts.ts';
export { listContractPrices, putContractPrices, type ContractPrice } from './partner-prices.ts';
export { findTask, listTasks, type TaskView } from './tasks.ts';
export {
  changeWorkItemLocked,
  closeWorkItemByPerson,
  commentWorkItem,
  ensurePersonTaskItem,
  findWorkItem,
  listWorkItems,
  workViewerOfPerson,
  type WorkItemFilter,
} from './work-items.ts';
export { createVendor, createVendorKey, getVendor, listVendors, type Vendor, type VendorChannel } from './vendors.ts';
export {
  bringForwardFailedRequests,
  dispatchDue,
  leaseMailbox,
  vendorChannel,
  type DueRequest,
  type SendOutcome,
} from './request-outbox.ts';
export { getDeadLetter, insertDeadLetter, listDeadLetters, markReplayed, type DeadLetter, type NewDeadLetter } from './dead-letters.ts';
export { leaseStuckPushes, type StuckPush } from './document-pushes.ts';
export { metricReadings, type MetricReadings } from './metric-readings.ts';
export {
  approvalsOfOrder,
  createPerson,
  createPersonKey,
  getApproval,
  listApprovals,
  listPeople,
  personExists,
  personHasRole,
  type ApprovalView,
  type NewPerson,
} from './people.ts';
export {
  claimSignatureEvent,
  findSignatureEnvelope,
  recordSignatureEnvelope,
  releaseSignatureEvent,
  settleSignatureEnvelope,
  type SignatureEnvelope,
} from './signatures.ts';
export {
  claimDueNotifications,
  findApprovalLink,
  listNotifications,
  noteLinkEvent,
  recordNoticeOutcome,
  spendApprovalLink,
  unspendApprovalLink,
  type DueNotification,
  type NoticeOutcome,
  type NotificationView,
  type StoredLink,
} from './notifications.ts';
export { timelineSources } from './timeline.ts';
export {
  eventPosition,
  isAfter,
  matches,
  readSettledEvents,
  settledHead,
  streamStart,
  type EventPosition,
  type StreamEvent,
  type StreamFilter,
} from './event-stream.ts';
export { defaultStreamTiming, eventFeed, type EventFeed, type Listener, type StreamTiming } from './event-feed.ts';
export { cycleTimesReport, recentStageDurations } from './reports-cycle-times.ts';
export { slaReport } from './reports-sla.ts';
export { approvalsReport } from './reports-approvals.ts';
export { throughputReport } from './reports-throughput.ts';
export type { ReportScope } from './reports-scope.ts';
export {
  consoleKeyOf,
  endSession,
  findSession,
  openSession,
  sendSignInLink,
  signInLinkMinutes,
  spendSignInLink,
  type ConsoleSession,
  type SignInHolder,
} from './console-sessions.ts';
