import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, log, repoRoot, table } from './support.ts';

// npm run bench:approvals — bench:api and bench:e2e, each without approval policies and then with the
// demo policy of the default start (orders under its 10,000 threshold, as the benches send), in the
// same run: what the policies cost an order they let through. Target: no more than 5 % slower.
// Options are those of the two benches (BENCH_SECONDS, e2e's --orders via BENCH_E2E_ORDERS).

type Figures = Record<string, number>;

function run(script: string, approvals: 'none' | 'demo', args: string[]): Figures {
  const file = join(mkdtempSync(join(tmpdir(), 'ordergate-bench-result-')), 'result.json');
  log(`${script} with approval policies: ${approvals}`);
  const child = spawnSync(process.execPath, ['--import', 'tsx', `bench/${script}.ts`, ...args], {
    cwd: repoRoot,
    env: { ...process.env, BENCH_APPROVALS: approvals, BENCH_RESULT_FILE: file },
    stdio: 'inherit',
  });
  if (child.status !== 0) throw new Error(`bench/${script}.ts ended with ${child.status ?? child.signal}`);
  return JSON.parse(readFileSync(file, 'utf8')) as Figures;
}

const e2eArgs = ['--orders', process.env.BENCH_E2E_ORDERS ?? '1000'];
const rows: string[][] = [['bench', 'figure', 'no policies', 'demo policy', 'change']];
for (const [script, args, throughput] of [
  ['api', [], 'aOrdersPerSecond'],
  ['e2e', e2eArgs, 'ordersPerSecond'],
] as const) {
  const none = run(script, 'none', [...args]);
  const demo = run(script, 'demo', [...args]);
  for (const key of Object.keys(none)) {
    const [before, after] = [none[key] ?? 0, demo[key] ?? 0];
    rows.push([script, key, fmt(before), fmt(after), `${after >= before ? '+' : ''}${fmt(((after - before) / before) * 100)} %`]);
  }
  const slower = 1 - (demo[throughput] ?? 0) / (none[throughput] ?? 1);
  rows.push([script, 'verdict', '', '', slower <= 0.05 ? 'within 5 %' : `MISSED: ${fmt(slower * 100)} % slower`]);
}
process.stdout.write(`\nordergate bench:approvals — the demo approval policy against none, orders under its threshold\n${table(rows)}\n`);
