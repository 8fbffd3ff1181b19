import { availableParallelism } from 'node:os';
import { requestsPerOrder, type E2eChannel } from './e2e-channel.ts';
import { lockWaitLines, pollMs, timelineText, type Cpu, type Measured } from './e2e-measure.ts';
import type { FloorResult } from './e2e-rows.ts';
import { fmt, table } from './support.ts';

// bench:e2e's report: one table of the phases, what each gateway phase showed besides, and the
// verdicts of issue 17.

export interface GatewayPhase {
  measured: Measured;
  cpu: Cpu;
  /** The server's own timings over the phase (serverMeans). */
  serverMeans: string;
}

export interface E2eReport {
  channel: E2eChannel;
  orders: number;
  connections: number;
  partners: number;
  /** The machine's busy share before the run, 0..1. */
  busy: number;
  serverPoolSize: number;
  /** Closed loop over `connections`: the gateway's capacity (absent when only a pace was asked for). */
  closed?: GatewayPhase;
  /** Open loop at a fixed pace; `half`: half the closed loop's orders/s. */
  paced?: GatewayPhase & { half: boolean };
  floorA: FloorResult & { cpu: Cpu };
  floorB: FloorResult & { cpu: Cpu };
  /** What one order writes, per table. */
  rowsSummary: string;
}

const ordersPerSecondTarget = 1000;
const floorAMultiple = 2;
const halfRateP99Ms = 100;
const slowerFloorShare = 0.5;
/**
 * Other work's share of all cores past which a phase's figures are not a verdict (a share, not ms per
 * order: a paced phase is long, and other work's ms per order grow with it).
 */
const skewedOtherShare = 0.05;

const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');

function cpuCells(cpu: Cpu): string[] {
  return [
    fmt(cpu.server, 2),
    fmt(cpu.bench, 2),
    fmt(cpu.postgres, 2),
    fmt(cpu.broker, 2),
    fmt(cpu.other, 2),
    `${fmt(cpu.machineBusy * 100, 0)}%`,
  ];
}

function gatewayRow(name: string, phase: GatewayPhase): string[] {
  const { run } = phase.measured;
  return [
    name,
    String(run.ok),
    fmt(phase.measured.ordersPerSecond),
    fmt(run.latency.p50),
    fmt(run.latency.p99),
    fmt(run.latency.max),
    String(run.failed),
    ...cpuCells(phase.cpu),
  ];
}

function floorRow(name: string, floor: FloorResult & { cpu: Cpu }): string[] {
  return [
    name,
    String(floor.orders),
    fmt(floor.ordersPerSecond),
    fmt(floor.latency.p50),
    fmt(floor.latency.p99),
    fmt(floor.latency.max),
    '-',
    ...cpuCells(floor.cpu),
  ];
}

/** What the gateway did in a phase besides the table's figures. */
function phaseLines(name: string, phase: GatewayPhase, report: E2eReport): string[] {
  const { measured } = phase;
  const { run } = measured;
  const answer = report.channel.answer;
  const postSeconds = (run.lastAnsweredAt - run.firstSentAt) / 1000;
  const pace = run.pace;
  return [
    `${name}: ${answer}s for all ${run.ok + run.failed} orders after ${fmt(postSeconds, 2)} s (${fmt(run.ok / postSeconds)} orders/s accepted); the last request confirmed ${fmt(measured.doneAt - run.lastAnsweredAt, 0)} ms after the last ${answer}`,
    ...(pace === undefined
      ? []
      : [
          `${name}: sent at ${fmt(pace.sent)}/s (asked ${fmt(pace.target)}/s; a send at most ${fmt(pace.maxLateMs, 1)} ms behind its schedule); at most ${pace.peakInFlight} orders in flight over ${report.connections} connections (beyond them: queued in the client, which the latency counts: it runs from each order's scheduled send)`,
          `${name}: latency from the actual send instead (without the bench's own lateness): p50 ${fmt(pace.fromSend.p50)} ms, p99 ${fmt(pace.fromSend.p99)} ms, max ${fmt(pace.fromSend.max)} ms`,
        ]),
    `${name}: ${timelineText(measured, answer)}`,
    `${name}: ${phase.serverMeans}`,
    `${name}: gateway database sessions while posting (mean of ${pollMs} ms polls, pool ${report.serverPoolSize}): ${fmt(measured.sessions.active, 1)} running a statement, ${fmt(measured.sessions.lock, 1)} waiting for a lock, ${fmt(measured.sessions.idleInTransaction, 1)} idle in a transaction (waiting for the server's next statement)`,
    ...lockWaitLines(measured),
  ];
}

/** Issue 17's verdicts, and the earlier target against the slower floor. */
function verdictLines(report: E2eReport, skewed: boolean): string[] {
  const { closed, paced, floorA, floorB } = report;
  const caveat = skewed ? ' (not a verdict: other work skewed this run, see the warning below)' : '';
  const phases = [closed, paced].filter((p): p is GatewayPhase => p !== undefined);
  const expected = phases.reduce((n, p) => n + (p.measured.run.ok + p.measured.run.failed) * requestsPerOrder, 0);
  const confirmed = phases.reduce((n, p) => n + p.measured.requestsSent, 0);
  const lines = ['verdicts (issue 17):'];
  if (closed === undefined) {
    lines.push('  throughput: not measured (only a paced phase ran: its orders/s is its pace); run without --rate, or with --rate half');
  } else {
    const gateway = closed.measured.ordersPerSecond;
    lines.push(
      `  gateway ${fmt(gateway)} orders/s ≥ ${floorAMultiple} × floor A (${fmt(floorAMultiple * floorA.ordersPerSecond)}): ${verdict(gateway >= floorAMultiple * floorA.ordersPerSecond)}${caveat}`,
      `  gateway ${fmt(gateway)} orders/s ≥ ${ordersPerSecondTarget}: ${verdict(gateway >= ordersPerSecondTarget)}${caveat}`,
    );
  }
  lines.push(
    `  every fulfillment request confirmed by the broker (marked sent only on its confirm): ${confirmed} of ${expected}: ${verdict(confirmed === expected)}`,
  );
  if (paced === undefined) {
    lines.push(`  p99 acceptance latency < ${halfRateP99Ms} ms at half the closed-loop rate: not measured (--rate half)`);
  } else {
    const p99 = paced.measured.run.latency.p99;
    const at = `${fmt(paced.measured.run.pace?.target ?? Number.NaN)} orders/s`;
    lines.push(
      paced.half
        ? `  p99 acceptance latency at half the closed-loop rate (${at}) ${fmt(p99)} ms < ${halfRateP99Ms} ms: ${verdict(p99 < halfRateP99Ms)}${caveat}`
        : `  p99 acceptance latency at ${at}: ${fmt(p99)} ms (the verdict is at half the closed-loop rate: --rate half)`,
    );
  }
  if (closed !== undefined) {
    const slower = Math.min(floorA.ordersPerSecond, floorB.ordersPerSecond);
    const slowerName = floorA.ordersPerSecond <= floorB.ordersPerSecond ? 'A (pg)' : 'B (amqp)';
    const share = closed.measured.ordersPerSecond / slower;
    lines.push(
      `  earlier target: gateway / slower floor (${slowerName}, ${fmt(slower)} orders/s) = ${fmt(share * 100)} % ≥ ${slowerFloorShare * 100} %: ${verdict(share >= slowerFloorShare)}${caveat}`,
    );
  }
  return lines;
}

export function reportText(report: E2eReport): string {
  const { channel, closed, paced, floorA, floorB } = report;
  const flow = `${channel.document} → ${channel.answer} → confirmed`;
  const phases: [string, Cpu][] = [
    ...(closed === undefined ? [] : [['gateway', closed.cpu] as [string, Cpu]]),
    ...(paced === undefined ? [] : [['paced gateway', paced.cpu] as [string, Cpu]]),
    ['floor A', floorA.cpu],
    ['floor B', floorB.cpu],
  ];
  const skewed = phases
    .filter(([, cpu]) => cpu.otherShare > skewedOtherShare)
    .map(([name, cpu]) => `${name} (${fmt(cpu.otherShare * 100, 0)} %)`);
  const failed = (closed?.measured.run.failed ?? 0) + (paced?.measured.run.failed ?? 0);
  return [
    '',
    `ordergate bench:e2e — ${report.orders} ${channel.orders} (the X12 bundle fixture's order, ${requestsPerOrder} fulfillment requests each) → ${channel.answer} → RabbitMQ confirms; ${report.connections} connections${report.partners > 1 ? `, ${report.partners} partners (experiment)` : ''}; ${availableParallelism()} CPUs (${fmt(report.busy * 100, 0)} % busy before the run)`,
    table([
      [
        'phase',
        'orders',
        'orders/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'failed',
        'cpu server',
        'cpu bench',
        'cpu pg',
        'cpu broker',
        'cpu other',
        'busy',
      ],
      ...(closed === undefined ? [] : [gatewayRow(`gateway  ${flow}`, closed)]),
      ...(paced === undefined ? [] : [gatewayRow(`gateway  paced at ${fmt(paced.measured.run.pace?.target ?? Number.NaN, 0)}/s`, paced)]),
      floorRow('floor A  plain pg', floorA),
      floorRow('floor B  plain amqplib', floorB),
    ]),
    `gateway latency: POST sent (paced: scheduled) → ${channel.answer} received (acceptance); floor latency: one order's transaction + mark sent (A), one order's publishes → all confirmed (B)`,
    'gateway orders/s: orders / (first POST → the last of their requests marked sent in the outbox, polled)',
    "cpu: CPU ms per order: the server process; this process (HTTP client, or the floor's pg / amqplib client); PostgreSQL; RabbitMQ; everything else; busy: share of all cores in use",
    ...(closed === undefined ? [] : phaseLines('closed loop', closed, report)),
    ...(paced === undefined ? [] : phaseLines('paced', paced, report)),
    `one order writes: ${report.rowsSummary}`,
    ...verdictLines(report, skewed.length > 0),
    `${availableParallelism()} CPUs: the gateway, PostgreSQL, RabbitMQ and this load generator share them; run it alone on the machine (anything else running skews every figure; see "cpu other").`,
    ...(skewed.length === 0
      ? []
      : [
          `WARNING: other work on the machine during ${skewed.join(', ')} (other work's share of all cores above ${fmt(skewedOtherShare * 100, 0)} %): those figures are skewed; run again on a quiet machine`,
        ]),
    ...(failed === 0 ? [] : ['SOME ORDERS WERE NOT ACCEPTED: see above']),
    '',
  ].join('\n');
}
