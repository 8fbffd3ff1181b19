import { mb, type CampaignResult } from './campaign.ts';

// The campaign as text: per channel the status histogram, 5xx, hangs and latency; /healthz while it
// ran; the server's RSS; every distinct failure with its smallest input and how to replay it.

const ms = (value: number) => (Number.isFinite(value) ? `${value < 10 ? value.toFixed(1) : Math.round(value)} ms` : '-');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(bytes < 10_240 ? 1 : 0)} KB`;

const shownFindings = 60;

export function formatReport(result: CampaignResult, hangMs: number, msPerMiB: number): string {
  const lines: string[] = [];
  lines.push(`fuzz campaign ${result.runId}: ${result.db}, seed ${result.seed}, ${result.seconds.toFixed(0)} s`);
  for (const [name, stats] of result.channels) {
    lines.push(
      `  ${name.padEnd(8)} ${stats.inputs} inputs; 5xx ${stats.fiveXx}; hangs (> ${hangMs} ms + ${msPerMiB} ms/MiB of input) ${stats.hangs}; slow for their size ${stats.slowForSize}; no answer ${stats.noAnswer}; ` +
        `latency p50 ${ms(stats.latency.percentile(50))}, p99 ${ms(stats.latency.percentile(99))}, max ${ms(stats.latency.max)}; ` +
        `largest input ${kb(stats.largestInputBytes)}, largest answer ${kb(stats.largestAnswerBytes)} (#${stats.largestAnswerIndex})`,
    );
    lines.push(`           statuses: ${stats.histogram()}`);
  }
  lines.push(
    `  /healthz every 100 ms: ${result.health.count} polls, p50 ${ms(result.health.percentile(50))}, p99 ${ms(result.health.percentile(99))}, max ${ms(result.health.max)}` +
      (result.healthFailures > 0 ? `, ${result.healthFailures} not 200` : ''),
  );
  lines.push(`  server RSS: before ${mb(result.rss.before)}, peak ${mb(result.rss.peak)}, after ${mb(result.rss.after)}`);
  if (result.gatewayExit !== undefined) lines.push(`  THE GATEWAY DIED during the campaign: ${result.gatewayExit}`);
  lines.push(`  total: 5xx ${result.fiveXx}, hangs ${result.hangs}, no answer ${result.noAnswer}`);
  if (result.findingLines.length > 0) {
    lines.push(`  distinct failures (${result.findingLines.length}), inputs saved under ${result.findingsDir}:`);
    for (const [n, line] of result.findingLines.slice(0, shownFindings).entries()) {
      const group = result.findings[n];
      lines.push(`  ${line}`);
      if (group !== undefined)
        lines.push(
          `    replay: npm run fuzz -- --db ${result.db} --seed ${result.seed} --channels ${group.channel} --only ${group.smallest.index}`,
        );
    }
  }
  if (result.findingLines.length > shownFindings)
    lines.push(`  … and ${result.findingLines.length - shownFindings} more groups (see the files)`);
  if (result.otherLogEntries.length > 0) {
    lines.push('  warnings and errors the gateway logged outside requests:');
    for (const [message, count] of result.otherLogEntries) lines.push(`    ${count}× ${message.slice(0, 200)}`);
  }
  return lines.join('\n');
}

export function failed(result: CampaignResult): boolean {
  return result.fiveXx > 0 || result.hangs > 0 || result.noAnswer > 0 || result.gatewayExit !== undefined;
}
