import { expect, it } from 'vitest';
import { allChannels, defaultFindingsDir, runCampaign } from '../../bench/fuzz/campaign.ts';
import { formatReport } from '../../bench/fuzz/report.ts';

// The CI-sized fuzz campaign (bench/fuzz, `npm run fuzz` at any size): a real gateway in its own
// process on a fresh PostgreSQL database, 1,500 inputs per channel (X12, cXML, JSON, webhooks; about
// two minutes on the 2-core machine, cut at 150 s), four in flight. Any 5xx, any answer slower than
// 2 s (plus 10 s per MiB of its input), any request left unanswered or a gateway that dies fails it; the message lists each distinct
// failure by cause with its smallest input (saved under fuzz-findings/) and the command that replays it.
// A fixed seed (FUZZ_SEED to change it): the same inputs on every run.

const hangMs = 2_000;
const msPerMiB = 10_000;

it('thousands of hostile inputs per channel: never a 5xx, never a hang, the gateway alive', { timeout: 240_000 }, async () => {
  const result = await runCampaign({
    db: 'postgres',
    channels: allChannels.map((channel) => channel.name),
    count: 1_500,
    timeSeconds: 150,
    concurrency: 4,
    seed: process.env.FUZZ_SEED ?? 'ci',
    hangMs,
    msPerMiB,
    timeoutMs: 10_000,
    entry: 'source',
    bodyLimitBytes: 5 * 1024 * 1024,
    postgresAdminUrl: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    findingsDir: defaultFindingsDir,
    log: (line) => process.stderr.write(`[fuzz] ${line}\n`),
  });
  const report = formatReport(result, hangMs, msPerMiB);
  process.stderr.write(`${report}\n`);
  for (const stats of result.channels.values()) expect(stats.inputs).toBeGreaterThan(0);
  expect(result.gatewayExit, report).toBeUndefined();
  expect({ fiveXx: result.fiveXx, hangs: result.hangs, noAnswer: result.noAnswer, failures: result.findingLines }, report).toEqual({
    fiveXx: 0,
    hangs: 0,
    noAnswer: 0,
    failures: [],
  });
});
