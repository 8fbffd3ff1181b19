import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBash, shellBlocks, startGatewayProcess, type GatewayProcess } from './support/readme-blocks.ts';

// Every ```sh block of README.md, run as written, in order, in one bash (variables carry over),
// against a gateway started here as the README's first command starts it (embedded PostgreSQL in a
// DATA_DIR of its own, the README's admin key). The blocks that start a process (the gateway, the
// vendor simulator) are this test's to start: the gateway before, the simulator in the place of its block.

const root = new URL('..', import.meta.url).pathname;
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = shellBlocks(readme);
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const startBlock = blocks.find((block) => /^ORDERGATE_ADMIN_KEY=\S+ npm start/m.test(block));
const adminKey = /ORDERGATE_ADMIN_KEY=(\S+) npm start/.exec(startBlock ?? '')?.[1] ?? '';

/** The script: the blocks after the set-up one, a marker before each, the simulator started in its block's place. */
function walkthrough(port: number, simPidFile: string, simLogFile: string): string {
  const parts = ['SIM=', `trap 'if [ -n "$SIM" ]; then kill "$SIM" 2>/dev/null || true; fi' EXIT`];
  blocks.forEach((block, i) => {
    if (i === 0 || /(^|\s)npm start\b/m.test(block)) return;
    parts.push(`printf '\\n@@block ${i}\\n'`);
    if (/\bnpm run vendor-sim\b/.test(block)) {
      parts.push(
        `ORDERGATE_URL=http://localhost:${port} ORDERGATE_ADMIN_KEY="$ADMIN" node --import tsx cli/vendor-sim/main.ts >'${simLogFile}' 2>&1 &`,
        `SIM=$!; echo "$SIM" >'${simPidFile}'`,
      );
      return;
    }
    parts.push(block.replaceAll('localhost:8080', `localhost:${port}`));
  });
  parts.push(
    `printf '\\n@@vars\\n'`,
    `printf 'ORDER=%s\\nX12ORDER=%s\\nTASK=%s\\nCXMLP=%s\\nDELIVERY=%s\\n' "$ORDER" "$X12ORDER" "$TASK" "$CXMLP" "$DELIVERY"`,
  );
  return parts.join('\n');
}

describe('README walkthrough', () => {
  let gateway: GatewayProcess | undefined;
  let dataDir = '';
  let workDir = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ordergate-readme-data-'));
    workDir = mkdtempSync(join(tmpdir(), 'ordergate-readme-run-'));
    gateway = await startGatewayProcess(root, { DATA_DIR: dataDir, ORDERGATE_ADMIN_KEY: adminKey, LOG_LEVEL: 'warn' });
  }, 120_000);

  afterAll(async () => {
    // The simulator is stopped by the script's trap; should the script have been killed, by its pid here.
    const simPid = workDir === '' ? 0 : Number(readFileSync(join(workDir, 'vendor-sim.pid'), { encoding: 'utf8', flag: 'a+' }).trim());
    if (simPid > 0) {
      try {
        process.kill(simPid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await gateway?.stop();
    for (const dir of [dataDir, workDir]) if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('has the blocks this test knows how to run: set-up first, the gateway started with an admin key, the simulator', () => {
    expect(blocks[0]).toContain('npm install && npm start');
    expect(adminKey.length).toBeGreaterThanOrEqual(24);
    expect(blocks.some((block) => /\bnpm run vendor-sim\b/.test(block))).toBe(true);
    // Nothing but localhost, and names under .example (RFC 2606: they never resolve, so what the
    // gateway is told to send there fails offline as it would online): the walkthrough runs offline.
    for (const block of blocks) expect(block).not.toMatch(/https?:\/\/(?!localhost[:/]|[a-z0-9.-]+\.example[:/])/);
  });

  it('runs every block as written, and each answers what the README says', async () => {
    const port = (gateway as GatewayProcess).port;
    const script = walkthrough(port, join(workDir, 'vendor-sim.pid'), join(workDir, 'vendor-sim.log'));
    const run = await runBash(script, {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), LANG: 'C.UTF-8' },
      timeoutMs: 150_000,
    });
    const simLog = readFileSync(join(workDir, 'vendor-sim.log'), { encoding: 'utf8', flag: 'a+' });
    const context = `exit ${run.code}\n--- stderr\n${run.stderr}\n--- stdout\n${run.stdout}\n--- vendor-sim\n${simLog}\n--- gateway\n${gateway?.output()}`;
    expect(run.code, context).toBe(0);

    const outputs = new Map<number, string>();
    for (const [, index, text] of run.stdout.matchAll(/^@@block (\d+)\n([\s\S]*?)(?=^@@)/gm)) outputs.set(Number(index), text ?? '');
    /** What the block holding `command` printed. */
    const outputOf = (command: string): string => {
      const index = blocks.findIndex((block) => block.includes(command));
      expect(index, `a README block with ${command}`).toBeGreaterThan(0);
      return outputs.get(index) ?? '';
    };
    const vars = Object.fromEntries(
      (run.stdout.split('@@vars\n')[1] ?? '')
        .trim()
        .split('\n')
        .map((line) => line.split('=', 2) as [string, string]),
    );

    expect(vars.ORDER, context).toMatch(uuid);
    expect(vars.X12ORDER, context).toMatch(uuid);
    expect(vars.TASK, context).toMatch(uuid);
    expect(vars.CXMLP, context).toMatch(uuid);
    expect(vars.DELIVERY, context).toMatch(uuid);
    expect(run.stdout, context).not.toContain('undefined');
    expect(run.stdout, context).not.toContain('internal-error');

    // The order just posted, read back, and in the list by the status it really has.
    const read = outputOf('status=decomposed');
    expect(read).toContain(`{"id":"${vars.ORDER}"`);
    expect(read).toContain('"to":"decomposed"');
    expect(read).toContain(`{"orders":[{"id":"${vars.ORDER}"`);
    const cancel = outputOf('/cancel');
    expect(cancel).toContain('"status":"cancelled"');
    expect(cancel).toContain('"code":"invalid-request"');

    // The demo policy holds the big order for the sales manager, whose approval plans it.
    const approval = outputOf('/decision');
    expect(approval).toContain('the order is pending_approval');
    expect(approval).toContain('email to sam@example.com: Approval needed: order PO-BIG-1 from Big Buyer, USD 12,000.00');
    expect(approval).toContain('approval approved: computed total 12,000.00 USD is at or above 10,000.00 USD');
    expect(approval).toContain('the order is now decomposed');

    // The next big order is on the sales manager's list: claimed, then approved through it.
    const taskList = outputOf('/claim');
    expect(taskList).toContain('approval: Approve order PO-BIG-2 (sales manager, level 1 of 1), within PT4H');
    expect(taskList).toContain('claimed by sam: true');
    expect(taskList).toContain('done: approve (repeat order)');

    // The 850 is answered with an accepting 997.
    const x12 = outputOf('/v1/x12 ');
    expect(x12).toContain('ST*997*0001~');
    expect(x12).toContain('AK9*A*1*1*1~');
    // Offline, the same 850 translated; the sample's rejected set told in words, exit code 1, as the README shows it.
    const offline = outputOf('npx ordergate x12 translate');
    expect(offline).toContain('"externalRef":"PO-7001"');
    expect(offline).toContain('exit code 1');
    const shown = /^```text\n([\s\S]*?)^```$/m.exec(readme)?.[1] ?? '';
    expect(shown).toContain('set 00121001 rejected: N1 (segment 22) element N101: code 7 "invalid code value" — value "VN"');
    for (const line of shown.trim().split('\n')) expect(`${run.stderr}${offline}`, context).toContain(line);

    // The X12 partner's deadlines, the 856's on the shipped office calendar (loaded at start).
    expect(outputOf('"deadlines"').trim()).toBe('855 within PT24H\n856 within PT4H (office)\n997 within PT1H');

    // The vendors did their part, the customer's step by hand: 855, 856 and the 810 in the mailbox.
    const fulfillment = outputOf('/complete');
    expect(fulfillment).toContain(`"id":"${vars.TASK}"`);
    for (const type of ['855', '856', '810']) expect(fulfillment).toContain(`"type":"${type}"`);
    // Its timeline, a line each, from the 850 to the 810.
    expect(fulfillment).toMatch(/Z 850 received over x12\n[\s\S]*Z 810 sent over x12/);

    // cXML: stored (Response 200), then the order is there with channel cxml.
    expect(outputOf('/v1/cxml ')).toMatch(/<Response><Status code="200" text="OK">order PO-9001 accepted as /);
    expect(outputOf('externalRef=PO-9001')).toContain('"channel":"cxml"');

    // The Shopify fixture becomes an order; the subscription's first delivery is there to retry.
    expect(outputOf('/v1/webhooks/shopify ')).toContain('"externalRef":"#1042"');
    const deliveries = outputOf('/retry');
    expect(deliveries).toContain(`"id":"${vars.DELIVERY}"`);
    expect(deliveries).toContain('"eventType":"order.received.v1"');
    // The name does not resolve: that is all the partner is told.
    expect(deliveries).toContain('"lastError":"name not resolved"');

    // The reports: the X12 order went all the way (acknowledged, shipped, ready for billing), the big
    // one through approval level 1 (Sam's person key sees every partner's); the X12 partner's own throughput.
    const reports = outputOf('/v1/reports/sla');
    expect(reports).toContain('"percentile":"percentile_disc"');
    expect(reports).toMatch(/\{"group":"x12","stages":\{[^\]]*"total":\{"count":1,/);
    expect(reports).toMatch(/"groupBy":"level","period":"day","groups":\[\{"group":"1","total":[1-9]\d*,"approved":[1-9]/);
    expect(reports).toContain('"openWork":[{"kind":"order","age":"<1h",');
    const csv = outputOf("-H 'Accept: text/csv'");
    expect(csv).toMatch(/^group,approved_seconds_count,approved_seconds_p50,/m);
    expect(csv).toMatch(/^x12,/m);

    // Partners: found by name, renamed; the first key revoked, and refused on the very next request.
    const partners = outputOf('/v1/partners?q=acme');
    expect(partners).toContain('{"partners":[{"id":');
    expect(partners).toContain('"name":"Acme Corp"');
    expect(partners).toContain('revoke: 204');
    expect(partners).toContain('the revoked key: 401');
  }, 180_000);
});
