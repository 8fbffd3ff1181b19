import type { Knex } from 'knex';
import * as spine from './001_spine.ts';
import * as x12 from './002_x12.ts';
import * as cxml from './003_cxml.ts';
import * as webhooks from './004_webhooks.ts';
import * as tasks from './005_tasks.ts';
import * as fulfillment from './006_fulfillment.ts';
import * as heldCompletions from './007_held_completions.ts';
import * as documentAcks from './008_document_acks.ts';
import * as keyLastUse from './009_key_last_use.ts';
import * as subscriptionPause from './010_subscription_pause.ts';
import * as x12Identities from './011_x12_identities.ts';
import * as itemReferences from './012_item_references.ts';
import * as linePortions from './013_line_portions.ts';
import * as cxmlOurCredential from './014_cxml_our_credential.ts';
import * as retailProfile from './015_retail_profile.ts';
import * as approvals from './016_approvals.ts';
import * as partnerApprovalFacts from './017_partner_approval_facts.ts';
import * as signatures from './018_signatures.ts';
import * as notifications from './019_notifications.ts';
import * as timelineIndexes from './020_timeline_indexes.ts';
import * as eventPositions from './021_event_positions.ts';
import * as workItems from './022_work_items.ts';
import * as reportIndexes from './023_report_indexes.ts';
import * as vendorJeopardy from './024_vendor_jeopardy.ts';
import * as orderMilestones from './025_order_milestones.ts';
import * as consoleSessions from './026_console_sessions.ts';
import * as documentListIndexes from './028_document_list_indexes.ts';
import * as operationsIndexes from './029_operations_indexes.ts';

// Listed here rather than read from disk, so that the same list runs under tsx, vitest and a bundle.
const migrations: Record<string, Knex.Migration> = {
  '001_spine': spine,
  '002_x12': x12,
  '003_cxml': cxml,
  '004_webhooks': webhooks,
  '005_tasks': tasks,
  '006_fulfillment': fulfillment,
  '007_held_completions': heldCompletions,
  '008_document_acks': documentAcks,
  '009_key_last_use': keyLastUse,
  '010_subscription_pause': subscriptionPause,
  '011_x12_identities': x12Identities,
  '012_item_references': itemReferences,
  '013_line_portions': linePortions,
  '014_cxml_our_credential': cxmlOurCredential,
  '015_retail_profile': retailProfile,
  '016_approvals': approvals,
  '017_partner_approval_facts': partnerApprovalFacts,
  '018_signatures': signatures,
  '019_notifications': notifications,
  '020_timeline_indexes': timelineIndexes,
  '021_event_positions': eventPositions,
  '022_work_items': workItems,
  '023_report_indexes': reportIndexes,
  '024_vendor_jeopardy': vendorJeopardy,
  '025_order_milestones': orderMilestones,
  '026_console_sessions': consoleSessions,
  '028_document_list_indexes': documentListIndexes,
  '029_operations_indexes': operationsIndexes,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const migration = migrations[name];
    if (migration === undefined) throw new Error(`unknown migration ${name}`);
    return migration;
  },
};
