export { isDatabaseUnavailable } from './availability.ts';
export { connectDatabase, describeDatabase, migrateToLatest, rollbackAll, type Database, type DatabaseOptions } from './connect.ts';
export { changeOrderStatus, getOrder, listOrderEvents, listOrders, type OrderEvent, type OrderFilter, type StatusChange, type Viewer } from './order-queries.ts';
export { orderStore } from './order-store.ts';
export { createPartner, createPartnerKey, ensureAdminKey, findPrincipal, getPartner, getPartnerX12, type NewPartner, type Partner, type PartnerX12, type Principal } from './partners.ts';
export { getDocumentBody, listDocuments, type DocumentFilter, type DocumentSummary } from './documents.ts';
