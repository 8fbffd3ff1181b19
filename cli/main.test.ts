import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from './main.ts';

const sample = (name: string) => new URL(`../adapters/x12/fixtures/samples/${name}`, import.meta.url).pathname;

async function run(args: string[], stdin = '') {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  const code = await main(args, { stdout, stderr, stdin: Readable.from([Buffer.from(stdin)]) });
  return { code, out, err };
}

describe('ordergate x12', () => {
  it('translate prints one canonical order per 850, and says when a set was rejected', async () => {
    const { code, out, err } = await run(['x12', 'translate', sample('bots-850-004010.15.x12')]);
    const orders = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(orders.map((o) => o.externalRef)).toEqual(['P1234567', expect.any(String), expect.any(String)]);
    expect(orders[0]).toMatchObject({ channel: 'x12', orderType: 'new', totals: { lineCount: 5 } });
    expect(code).toBe(1);
    expect(err).toContain('rejected');
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

  it('answers a wrong call with its usage and exit code 2', async () => {
    expect((await run(['x12'])).code).toBe(2);
    expect((await run(['x12', 'ack', '/nonexistent/file.x12'])).code).toBe(2);
  });
});
