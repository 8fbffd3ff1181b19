import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main, type Options } from './main.ts';

const root = new URL('..', import.meta.url).pathname;
const sample = (name: string) => new URL(`../adapters/x12/fixtures/samples/${name}`, import.meta.url).pathname;
/** The 850 maps there are, as the CLI lists them. */
const maps = readdirSync(new URL('../mappings/x12/850/', import.meta.url))
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.replace(/\.json$/, ''))
  .sort()
  .join(', ');
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

async function run(args: string[], stdin = '', terminal: { isTTY?: true; options?: Options } = {}) {
  const stdout = new PassThrough();
  // A terminal, as far as the CLI can tell: process.stderr has isTTY true there.
  const stderr = Object.assign(new PassThrough(), terminal.isTTY === undefined ? {} : { isTTY: true });
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  const code = await main(args, { stdout, stderr, stdin: Readable.from([Buffer.from(stdin)]) }, terminal.options);
  return { code, out, err };
}

/** bin/ordergate.js in its own process, as a user runs it: standard error is a pipe here, not a terminal. */
async function runBin(args: string[], stdin = '') {
  const child = spawn(process.execPath, ['bin/ordergate.js', ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  child.stdin.end(stdin);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, out, err };
}

/** The stedi sample with one change made to its text. */
function stediWith(from: RegExp, to: string): string {
  const text = readFileSync(sample('stedi-5010-850-input.edi'), 'utf8');
  if (!from.test(text)) throw new Error(`the stedi sample has no ${from}`);
  return text.replace(from, to);
}

describe('ordergate x12', () => {
  it('translate prints one canonical order per 850', async () => {
    const { code, out, err } = await run(['x12', 'translate', sample('bots-850-004010.15.x12')]);
    const orders = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    // Set 0004's PO1 of quantity 0 is a value the standard allows: its order is printed too (the gateway holds it for a person).
    expect(orders.map((o) => o.externalRef)).toEqual(['P1234567', expect.any(String), expect.any(String), expect.any(String)]);
    expect(orders[0]).toMatchObject({ channel: 'x12', orderType: 'new', totals: { lineCount: 5 } });
    expect([code, err]).toEqual([0, '']);
  });

  it('ack prints the acknowledgment the gateway would answer, offline', async () => {
    const { code, out } = await run(['x12', 'ack', sample('stedi-5010-850-input.edi')]);
    expect(code).toBe(0);
    expect(out).toMatch(/^ISA\*/);
    expect(out).toContain('ST*999*0001*005010X231A1~');
    expect(out).toContain('IK5*A~');
  });

  it("checks with the guide the partner's map names (--map)", async () => {
    // nodex12-850 names only its ship-to party: known-parties' guide allows BY, ST, BT.
    expect((await run(['x12', 'ack', sample('nodex12-850.edi'), '--map', 'known-parties'])).code).toBe(0);
    // bots-850-004030-03 names its vendor too (N1*VN): the narrowed list refuses it with AK4 7.
    const { code, out } = await run(['x12', 'ack', sample('bots-850-004030-03.x12'), '--map', 'known-parties']);
    expect(code).toBe(1);
    expect(out).toMatch(/AK3\*N1\*\d+\*\*8~\s*AK4\*1\*\*7\*VN~/);
    // The default map's guide takes the same file.
    expect((await run(['x12', 'ack', sample('bots-850-004030-03.x12')])).code).toBe(0);
  });

  it('reads standard input, and names unreadable input', async () => {
    const { code, err } = await run(['x12', 'ack', '-'], 'this is not X12');
    expect(code).toBe(1);
    expect(err).toContain('unreadable at byte 0');
  });

  it('answers a wrong call with what is wrong, its usage and exit code 2', async () => {
    const wrong = await run(['x12']);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/^ordergate: x12 translate or x12 ack\?\nusage:/);
    expect((await run(['x12', 'ack', '/nonexistent/file.x12'])).code).toBe(2);
    expect((await run(['x12', 'ack', sample('nodex12-850.edi'), '--bogus'])).err).toContain('unknown option --bogus');
  });

  it('--help and --version print to standard output and exit 0, for the command and each subcommand', async () => {
    for (const args of [['--help'], ['-h'], ['x12', '--help'], ['help-me', '--help']]) {
      const { code, out, err } = await run(args);
      expect([code, err], args.join(' ')).toEqual([0, '']);
      expect(out).toContain('ordergate x12 translate FILE [--map NAME]');
      expect(out).toContain('ordergate x12 ack FILE [--map NAME]');
      expect(out).toContain(`mappings/x12/850/: ${maps}`);
      expect(maps).toMatch(/^default, known-parties, /);
    }
    for (const command of ['translate', 'ack']) {
      const { code, out, err } = await run(['x12', command, '--help']);
      expect([code, err]).toEqual([0, '']);
      expect(out).toMatch(new RegExp(`^usage: ordergate x12 ${command} FILE \\[--map NAME\\]`));
      expect(out).toContain('Exit code: 0 all accepted; 1 anything rejected or unreadable; 2 ');
    }
    for (const args of [['--version'], ['-V'], ['x12', 'ack', '--version']])
      expect(await run(args)).toEqual({ code: 0, out: `ordergate ${version}\n`, err: '' });

    // The real command, in its own process: the version is package.json's.
    expect(await runBin(['--version'])).toEqual({ code: 0, out: `ordergate ${version}\n`, err: '' });
    const help = await runBin(['x12', 'translate', '--help']);
    expect([help.code, help.err]).toEqual([0, '']);
    expect(help.out).toContain('usage: ordergate x12 translate FILE');
  }, 60_000);

  it('tells each rejected set with its reasons in words: segment, element, the code and its meaning', async () => {
    // A quantity that is no number, and a date that is no date.
    const po1 = await run(['x12', 'translate', '-'], stediWith(/PO1\*item-2\*0004\*/, 'PO1*item-2*4X*'));
    expect(po1.err).toBe(
      'set 000000057 rejected: PO1 (segment 12) element PO102: code 6 "invalid character in data element" — value "4X" (interchange 000000057, group 000000057)\n' +
        'ordergate: 1 of 1 sets rejected\n',
    );
    expect(po1.out).toBe('');
    const beg = await run(['x12', 'ack', '-'], stediWith(/\*\*20220830~/, '**20221345~'));
    expect(beg.err).toContain('set 000000057 rejected: BEG (segment 2) element BEG05: code 8 "invalid date" — value "20221345"');
    // A code outside the partner's narrowed list (--map known-parties allows N101 BY, ST, BT).
    const n1 = await run(['x12', 'ack', sample('bots-850-004030-03.x12'), '--map', 'known-parties']);
    expect(n1.err).toContain('set 00121001 rejected: N1 (segment 22) element N101: code 7 "invalid code value" — value "VN"');
    // A set that is not an 850.
    expect((await run(['x12', 'ack', sample('nodex12-855.edi')])).err).toContain(
      'set 0005 rejected: code 1 "transaction set not supported" — ST01 is 855 (interchange 000000005, group 5)',
    );
    // The set's trailer, the group's and the interchange's: the set is rejected with them, and says why.
    const se = await run(['x12', 'ack', '-'], stediWith(/SE\*16\*/, 'SE*15*'));
    expect(se.err).toContain('set 000000057 rejected: code 4 "number of included segments does not match actual count"');
    const ge = await run(['x12', 'ack', '-'], stediWith(/GE\*1\*/, 'GE*3*'));
    expect(ge.err).toContain(
      'group 000000057 rejected: code 5 "number of included transaction sets does not match actual count"; its set 000000057 is rejected with it',
    );
    const iea = await run(['x12', 'ack', '-'], stediWith(/IEA\*1\*000000057/, 'IEA*1*000000058'));
    expect(iea.err).toContain(
      'interchange 000000057 rejected: TA1 note 001 "the interchange control number in the header and trailer do not match"; its set 000000057 is rejected with it (at byte 0)',
    );
    for (const { code, err } of [po1, beg, n1, se, ge, iea]) {
      expect(code).toBe(1);
      expect(err).toMatch(/\nordergate: 1 of \d sets rejected(, 1 interchange\(s\) rejected)?\n$/);
    }
  });

  /* eslint-disable no-control-regex -- a terminal's escape sequences (\x1b[K: clear to the end of the line) are what is tested */
  it('shows its progress on standard error in a terminal, and nothing extra when standard error is not one', async () => {
    const file = sample('bots-850-004010.15.x12');
    const size = readFileSync(file).length;
    const quiet = await run(['x12', 'ack', file]);
    const terminal = await run(['x12', 'ack', file], '', { isTTY: true, options: { progressAfterMs: 0 } });
    // The same answer; on the terminal, a progress line drawn in place and cleared before anything else is said.
    const undated = (ack: string) => ack.replace(/\*\d{6,8}\*\d{4}\*/g, '*date*time*');
    expect(undated(terminal.out)).toBe(undated(quiet.out));
    expect(terminal.err).toContain(`\rreading ${file}: 100% (${(size / 1e6).toFixed(1)} of ${(size / 1e6).toFixed(1)} MB)\x1b[K\r\x1b[K`);
    expect(terminal.err.replace(/\r[^\r\n]*\x1b\[K/g, '')).toBe(quiet.err);
    expect(quiet.err).not.toMatch(/\r|\x1b|reading/);
    // Standard input has no size: megabytes only.
    const piped = await run(['x12', 'ack', '-'], readFileSync(file, 'utf8'), { isTTY: true, options: { progressAfterMs: 0 } });
    expect(piped.err).toMatch(/\rreading standard input: \d+\.\d MB\x1b\[K/);
    // The real command with its standard error a pipe: nothing but what the CLI says without a terminal.
    const bin = await runBin(['x12', 'ack', file]);
    expect(bin.err).toBe(quiet.err);
  }, 60_000);

  /* eslint-enable no-control-regex */

  it('refuses an unknown --map in one line naming the maps there are, exit code 2, no stack trace', async () => {
    const expected = `ordergate: there is no 850 map "nope"; the maps are ${maps} (mappings/x12/850/)\n`;
    expect(await run(['x12', 'translate', sample('nodex12-850.edi'), '--map', 'nope'])).toEqual({ code: 2, out: '', err: expected });
    expect((await run(['x12', 'ack', '-', '--map=../../package'])).err).toContain('there is no 850 map "../../package"');
    expect(await runBin(['x12', 'ack', sample('nodex12-850.edi'), '--map', 'nope'])).toEqual({ code: 2, out: '', err: expected });
  }, 60_000);
});
