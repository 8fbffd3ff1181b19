import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { allChannels } from './campaign.ts';
import type { FuzzContext } from './channels/channel.ts';
import { Random } from './random.ts';

// The generators themselves: input N of a channel is the same bytes for the same seed (so a finding
// replays with --only N), and none throws, whatever mutations it draws.

const context: FuzzContext = {
  partnerKey: 'ogp_partner',
  otherKey: 'ogp_other',
  x12: { qualifier: 'ZZ', id: 'FUZZBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' },
  cxml: { domain: 'NetworkID', identity: 'AN01000000001', secret: 's3cret-for-tests' },
  shopify: { account: 'fuzz.myshopify.com', secret: 'shpss_fuzz-secret-0123456789' },
  standard: { path: '/v1/webhooks/source', secret: `whsec_${'A'.repeat(44)}` },
  maxBytes: 256 * 1024,
  runTag: 'test',
};

describe.each(allChannels)('fuzz inputs: $name', (channel) => {
  const build = (seed: string, index: number) => channel.build(new Random(seed, channel.name, index), index, context);

  it('builds input N the same way every time, and another seed builds others', () => {
    for (const index of [0, 7, 123]) {
      const [a, b] = [build('s', index), build('s', index)];
      expect(b.label).toBe(a.label);
      expect(b.body?.equals(a.body ?? Buffer.alloc(0)) ?? a.body === undefined).toBe(true);
    }
    const labels = (seed: string) => Array.from({ length: 20 }, (_, i) => build(seed, i).label).join('\n');
    expect(labels('s')).not.toBe(labels('t'));
  });

  it('builds every input the same the second time round (no state shared between inputs)', () => {
    const digest = (index: number) => {
      const input = build('shared', index);
      return `${input.label} ${createHash('sha256')
        .update(input.body ?? '')
        .digest('hex')}`;
    };
    const first = Array.from({ length: 1_500 }, (_, index) => digest(index));
    const second = Array.from({ length: 1_500 }, (_, index) => digest(index));
    expect(second.filter((d, index) => d !== first[index])).toEqual([]);
  });

  it('never throws, and keeps bodies near the limit it is given', () => {
    for (let index = 0; index < 300; index += 1) {
      const input = build('property', index);
      expect(input.path.startsWith('/v1/')).toBe(true);
      expect(input.body?.length ?? 0).toBeLessThanOrEqual(context.maxBytes + 64 * 1024);
    }
  });
});
