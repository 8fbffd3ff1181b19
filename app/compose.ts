import type { FastifyBaseLogger } from 'fastify';
import { describePolicyProblems, loadApprovalPolicies } from '../adapters/approvals/index.ts';
import { loadCatalog } from '../adapters/catalog/index.ts';
import { loadCalendars } from '../adapters/calendars/index.ts';
import {
  commitGroups,
  metricReadings,
  orderStore,
  type CommitGroupOptions,
  type Database,
  type StreamTiming,
} from '../adapters/db/index.ts';
import { createOutbound, defaultRetryPolicy, type Outbound, type RetryPolicy } from '../adapters/http/index.ts';
import { secretBox } from '../adapters/webhook/index.ts';
import type { Replayer } from '../api/dead-letters.ts';
import type { ApprovalLinkDeps } from '../api/approval-links.ts';
import { createMetrics, type Metrics } from '../api/metrics.ts';
import { fulfillmentDeps } from '../adapters/partners/index.ts';
import type { EsignCallbacks } from '../api/esign.ts';
import { defaultTimeouts, type ServerDeps, type ServerTimeouts } from '../api/server.ts';
import type { ApprovalPolicy } from '../domain/approval-policy.ts';
import type { Catalog } from '../domain/catalog.ts';
import { strictOutboundRules } from '../domain/outbound-target.ts';
import type { WorkingCalendar } from '../domain/working-calendar.ts';
import { decideApproval, type ApprovalDeps, type ApprovalGate, type LevelNotice } from '../pipeline/approvals.ts';
import type { IntakeGroups } from '../pipeline/intake-groups.ts';
import { runEnvelopeGroup, type EnvelopeInbound, type EnvelopeOutcome } from '../pipeline/interchange.ts';
import { runOrderGroup, type PipelineDeps, type ValidOrder } from '../pipeline/runner.ts';

// Builds each dependency of the HTTP server once from the parts a process has (database, catalog,
// secret key, broker or not). app/main.ts calls it with the production parts; tests with theirs.

export interface Parts {
  db: Database;
  catalog: Catalog;
  /** Seals webhook secrets. */
  secretKey: Buffer;
  bodyLimitBytes: number;
  logger?: FastifyBaseLogger;
  /** How documents are pushed to partners' endpoints. */
  retryPolicy?: RetryPolicy;
  /**
   * Where the gateway may send (the outbound-URL policy, from configuration in app/main.ts): judged
   * at registration and at every connection. Absent: https only, no allow-list, the system resolver.
   */
  outbound?: Outbound;
  /** Whether amqp vendors are served over RabbitMQ rather than through the mailbox. */
  amqp: boolean;
  replayDeadLetter?: Replayer;
  /** Whether start-up is done; already done when absent (tests build the server on a ready database). */
  started?: () => boolean;
  /** Slow senders' limits; node-friendly defaults (10 s headers, 30 s request) when absent. */
  timeouts?: ServerTimeouts;
  metricsToken?: string;
  /** The clock of the /metrics cache (tests move it). */
  metricsClock?: () => number;
  /** The approval policies every stored order passes, and how a level's people are told; absent: no order waits. */
  approvals?: { gate: ApprovalGate; notice?: LevelNotice };
  /** The signature providers' callback settings (config.docusign, config.acrobatSign); their decisions go to decideApproval unless a test gives its own. */
  esign?: Omit<EsignCallbacks, 'decide'> & { decide?: EsignCallbacks['decide'] };
  /** Serves the approval links' pages (/a/{token}) with these; they decide with the approvals' decideApproval unless given another. */
  approvalLinks?: Omit<ApprovalLinkDeps, 'decide'> & { decide?: ApprovalLinkDeps['decide'] };
  /** GET /v1/stream's polling and heartbeat intervals; defaults when absent. */
  stream?: StreamTiming;
  /** The time orders are held and approval levels start at (tests move it); now when absent. */
  clock?: () => Date;
  /** The gateway's address as people reach it (PUBLIC_BASE_URL), for the console's e-mailed links. */
  publicBaseUrl?: string;
  /** The working calendars (startCalendars) approval levels' SLAs and partner deadlines count in; absent: none. */
  calendars?: ReadonlyMap<string, WorkingCalendar>;
  /** How concurrent requests are committed together; defaultCommitGroups when absent. */
  commitGroups?: CommitGroupOptions;
}

export function composeServer(parts: Parts): ServerDeps {
  const { db } = parts;
  const metrics = createMetrics(metricReadings(db), parts.metricsClock === undefined ? {} : { now: parts.metricsClock });
  const outbound = parts.outbound ?? createOutbound(strictOutboundRules);
  const secrets = secretBox(parts.secretKey);
  const calendars = parts.calendars ?? new Map<string, WorkingCalendar>();
  const fulfillment = {
    ...fulfillmentDeps(db, { retry: parts.retryPolicy ?? defaultRetryPolicy, outbound: outbound.endpoints, secrets }),
    calendars,
  };
  const store = orderStore(db);
  const approvalDeps: ApprovalDeps = {
    store,
    catalog: parts.catalog,
    renderAnswer: fulfillment.renderAnswer,
    ...(parts.approvals?.notice === undefined ? {} : { notice: parts.approvals.notice }),
    calendars,
  };
  const decide: ServerDeps['decideApproval'] = (input) => decideApproval(approvalDeps, input);
  const pipeline: PipelineDeps = {
    store,
    catalog: parts.catalog,
    renderAnswer: fulfillment.renderAnswer,
    timer: metrics.timeStage,
    calendars,
    ...(parts.approvals === undefined ? {} : { approvals: parts.approvals }),
    ...(parts.clock === undefined ? {} : { clock: parts.clock }),
  };
  pipeline.groups = intakeGroups(pipeline, parts.commitGroups ?? defaultCommitGroups, metrics);
  return {
    db,
    outbound,
    pipeline,
    decideApproval: decide,
    approvals: approvalDeps,
    fulfillment,
    secrets,
    metrics,
    bodyLimitBytes: parts.bodyLimitBytes,
    amqp: parts.amqp,
    lifecycle: { started: parts.started ?? (() => true) },
    timeouts: parts.timeouts ?? defaultTimeouts,
    ...(parts.metricsToken === undefined ? {} : { metricsToken: parts.metricsToken }),
    ...(parts.logger === undefined ? {} : { logger: parts.logger }),
    ...(parts.replayDeadLetter === undefined ? {} : { replayDeadLetter: parts.replayDeadLetter }),
    ...(parts.esign === undefined ? {} : { esign: { ...parts.esign, decide: parts.esign.decide ?? decide } }),
    ...(parts.approvalLinks === undefined ? {} : { approvalLinks: { decide, ...parts.approvalLinks } }),
    ...(parts.stream === undefined ? {} : { stream: parts.stream }),
    ...(parts.publicBaseUrl === undefined ? {} : { publicBaseUrl: parts.publicBaseUrl }),
    ...(parts.clock === undefined ? {} : { clock: parts.clock }),
  };
}

/**
 * Two transactions in flight per kind, each of up to 64 requests: under load a transaction takes
 * all that came in while the last one was written (bench:e2e measures it); the pool (10) keeps
 * connections for everything else.
 */
export const defaultCommitGroups: CommitGroupOptions = { writers: 2, maxItems: 64 };

/** An interchange of more sets than this is a transaction of its own (its sets go 500 at a time already). */
const aloneAboveSets = 100;

/** Concurrent envelopes and orders committed together (pipeline/intake-groups.ts). */
function intakeGroups(pipeline: PipelineDeps, options: CommitGroupOptions, metrics: Metrics): IntakeGroups {
  const sized = (kind: string) => (size: number) => metrics.commitGroupSize.observe({ kind }, size);
  const envelopes = commitGroups((inbounds: EnvelopeInbound[]) => runEnvelopeGroup(pipeline, inbounds), options, sized('envelope'));
  const orders = commitGroups((valid: ValidOrder[]) => runOrderGroup(pipeline, valid), options, sized('order'));
  return {
    envelope: (inbound) =>
      inbound.sets.length > aloneAboveSets
        ? runEnvelopeGroup(pipeline, [inbound]).then((outcomes) => outcomes[0] as EnvelopeOutcome)
        : envelopes.submit(inbound),
    order: (valid) => orders.submit(valid),
  };
}

/** Loaded once at start: a catalog with problems stops the start rather than failing orders one by one. */
export function startCatalog(calendars: ReadonlyMap<string, WorkingCalendar> = startCalendars(undefined)): Catalog {
  const loaded = loadCatalog(undefined, calendars);
  if (!loaded.ok)
    throw new Error(`the fulfillment catalog has problems: ${loaded.error.map((p) => `${p.pointer}: ${p.detail}`).join('; ')}`);
  return loaded.value;
}

/** Loaded once at start like the catalog: a policy with problems stops the start, each problem named by file and pointer. */
export function startApprovalPolicies(dir: string | undefined, calendars?: ReadonlyMap<string, WorkingCalendar>): ApprovalPolicy[] {
  let loaded: ReturnType<typeof loadApprovalPolicies>;
  try {
    loaded = dir === undefined ? loadApprovalPolicies() : loadApprovalPolicies(dir);
  } catch (error) {
    throw new Error(`APPROVALS_DIR ${dir ?? 'mappings/approvals'} cannot be read: ${(error as Error).message}`);
  }
  if (!loaded.ok) throw new Error(`the approval policies have problems: ${describePolicyProblems(loaded.error)}`);
  const unknown = loaded.value.flatMap((policy) =>
    policy.levels.flatMap((level) =>
      level.calendar === undefined || calendars === undefined || calendars.has(level.calendar)
        ? []
        : [`policy ${policy.name} level ${level.level} names calendar ${level.calendar}, which CALENDARS_DIR does not have`],
    ),
  );
  if (unknown.length > 0) throw new Error(`the approval policies have problems: ${unknown.join('; ')}`);
  return loaded.value;
}

/** Loaded once at start: a calendar with problems stops the start, each problem named by file and field. */
export function startCalendars(dir: string | undefined): ReadonlyMap<string, WorkingCalendar> {
  let loaded: ReturnType<typeof loadCalendars>;
  try {
    loaded = dir === undefined ? loadCalendars() : loadCalendars(dir);
  } catch (error) {
    throw new Error(`CALENDARS_DIR ${dir ?? 'mappings/calendars'} cannot be read: ${(error as Error).message}`);
  }
  if (!loaded.ok)
    throw new Error(`the working calendars have problems: ${loaded.error.map((p) => `${p.file}#${p.pointer}: ${p.detail}`).join('; ')}`);
  return loaded.value;
}
