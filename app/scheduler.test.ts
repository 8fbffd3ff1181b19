import { describe, expect, it } from 'vitest';
import { startScheduler, type Job } from './scheduler.ts';

const quietLog = (errors: unknown[] = [], others: string[] = []) => ({
  error: (details: Record<string, unknown>) => errors.push(details),
  warn: (_details: Record<string, unknown>, message: string) => others.push(`warn ${message}`),
  info: (message: string) => others.push(`info ${message}`),
});
const until = async (check: () => boolean, ms = 2_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('scheduler', () => {
  it('runs each named job, never two runs of one job at once, and waits its interval between runs', async () => {
    let running = 0;
    let overlap = false;
    const starts: number[] = [];
    const job: Job = {
      name: 'slow',
      everyMs: 30,
      async run() {
        running += 1;
        if (running > 1) overlap = true;
        starts.push(Date.now());
        await new Promise((resolve) => setTimeout(resolve, 20));
        running -= 1;
      },
    };
    const scheduler = startScheduler([job], quietLog());
    await until(() => starts.length >= 3);
    await scheduler.stop();
    expect(overlap).toBe(false);
    for (let i = 1; i < starts.length; i++) expect((starts[i] as number) - (starts[i - 1] as number)).toBeGreaterThanOrEqual(45);
  });

  it('runs a job again at once while it says more work is waiting', async () => {
    let left = 5;
    const scheduler = startScheduler([{ name: 'drain', everyMs: 60_000, run: async () => --left > 0 }], quietLog());
    await until(() => left === 0, 500);
    await scheduler.stop();
    expect(left).toBe(0);
  });

  it('logs a failed run with the job name and tries again after afterFailureMs', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const scheduler = startScheduler(
      [
        {
          name: 'flaky',
          everyMs: 60_000,
          afterFailureMs: 10,
          async run() {
            runs += 1;
            if (runs < 3) throw new Error('not yet');
          },
        },
      ],
      quietLog(errors),
    );
    await until(() => runs >= 3);
    await scheduler.stop();
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ job: 'flaky' });
  });

  it('wake() runs a job now instead of at the end of its wait, once', async () => {
    let runs = 0;
    const scheduler = startScheduler([{ name: 'sleepy', everyMs: 60_000, run: async () => void runs++ }], quietLog());
    await until(() => runs === 1);
    scheduler.wake('sleepy');
    await until(() => runs === 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await scheduler.stop();
    expect(runs).toBe(2);
  });

  it('says an outage once, at warn, and its end once, at info, instead of an error per run', async () => {
    const errors: unknown[] = [];
    const others: string[] = [];
    let runs = 0;
    const outage = Object.assign(new Error('timeout expired'), { outage: true });
    const scheduler = startScheduler(
      [
        {
          name: 'pushes',
          everyMs: 5,
          async run() {
            runs += 1;
            if (runs <= 4) throw outage;
          },
        },
      ],
      quietLog(errors, others),
      { isOutage: (error) => (error as { outage?: boolean }).outage === true },
    );
    await until(() => runs >= 6);
    await scheduler.stop();
    expect(errors).toEqual([]);
    expect(others).toHaveLength(2);
    expect(others[0]).toBe('warn pushes waits for the database');
    expect(others[1]).toMatch(/^info pushes runs again after \d+ ms$/);
  });

  it('stop() cuts a long wait short and returns once the current run has ended', async () => {
    let finished = false;
    const scheduler = startScheduler(
      [
        {
          name: 'long',
          everyMs: 60_000,
          async run() {
            await new Promise((resolve) => setTimeout(resolve, 50));
            finished = true;
          },
        },
      ],
      quietLog(),
    );
    const started = Date.now();
    await scheduler.stop();
    expect(finished).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
