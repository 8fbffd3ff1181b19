import { describe, expect, it } from 'vitest';
import { grouped, groupedByKey } from './groups.ts';

// Calls gathered into groups: a full group goes at once, one group at a time, in the order the
// calls came, and each call gets its own result (or its group's failure).

function controlled() {
  const groups: { items: number[]; finish(results?: string[]): void; fail(error: Error): void }[] = [];
  const apply = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      groups.push({ items, finish: (results) => resolve(results ?? items.map((i) => `r${i}`)), fail: reject });
    });
  return { groups, apply };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('grouped calls', () => {
  it('sends a full group at once, keeps the next calls for the next group, one group at a time, in order', async () => {
    const { groups, apply } = controlled();
    // A window no test waits out: only a full group, or the end of the one before, sends calls on.
    const call = grouped(apply, { max: 3, windowMs: 600_000 });
    const first = [1, 2, 3].map(call);
    const second = [4, 5, 6, 7].map(call);
    await tick();
    expect(groups.map((g) => g.items)).toEqual([[1, 2, 3]]);
    groups[0]?.finish();
    expect(await Promise.all(first)).toEqual(['r1', 'r2', 'r3']);
    await tick();
    expect(groups.map((g) => g.items)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    groups[1]?.finish();
    await tick();
    // The call left over has waited a group's time: it goes as soon as the group before it ends.
    expect(groups.map((g) => g.items)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    groups[2]?.finish();
    expect(await Promise.all(second)).toEqual(['r4', 'r5', 'r6', 'r7']);
  });

  it('fails every call of a group that failed, and of a group that gave too few results only those left without one; the next group goes on', async () => {
    const { groups, apply } = controlled();
    const call = grouped(apply, { max: 2, windowMs: 600_000 });
    const failing = [1, 2].map((i) => call(i).catch((error: Error) => error.message));
    const short = [3, 4].map((i) => call(i).catch((error: Error) => error.message));
    await tick();
    groups[0]?.fail(new Error('the commit failed'));
    expect(await Promise.all(failing)).toEqual(['the commit failed', 'the commit failed']);
    await tick();
    groups[1]?.finish(['r3']);
    expect(await Promise.all(short)).toEqual(['r3', 'the group gave no result for this call']);
  });

  it('keeps one key in one lane, in order, while another lane goes on', async () => {
    const { groups, apply } = controlled();
    const call = groupedByKey(apply, { max: 1, windowMs: 600_000, lanes: 2 });
    // 'a' and 'b' hash to different lanes.
    const a1 = call('a', 1);
    const a2 = call('a', 2);
    const b3 = call('b', 3);
    await tick();
    expect(groups.map((g) => g.items)).toEqual([[1], [3]]);
    groups[1]?.finish();
    expect(await b3).toBe('r3');
    await tick();
    expect(groups.map((g) => g.items)).toEqual([[1], [3]]);
    groups[0]?.finish();
    expect(await a1).toBe('r1');
    await tick();
    expect(groups.map((g) => g.items)).toEqual([[1], [3], [2]]);
    groups[2]?.finish();
    expect(await a2).toBe('r2');
  });
});
