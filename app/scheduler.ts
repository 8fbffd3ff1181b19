// The process's periodic work under one roof: each job has a name, runs alone (a run still going
// when the next is due is not doubled), and is stopped before the pool it uses closes. A job that
// found more work to do is run again at once instead of waiting out its interval.

export interface Job {
  name: string;
  /** Wait between runs when the last one found nothing more to do. */
  everyMs: number;
  /** Wait after a run that threw (everyMs when absent). */
  afterFailureMs?: number;
  /** true: more work is waiting, run again at once. */
  run(): Promise<boolean | void>;
}

export interface SchedulerLog {
  error(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  info(message: string): void;
}

export interface SchedulerOptions {
  /** Failures that are an outage, not a defect (the database away): said once per outage, at warn. */
  isOutage?: (error: unknown) => boolean;
}

export interface Scheduler {
  /** Runs the named job now instead of at the end of its wait (a run under way finishes first). */
  wake(name: string): void;
  /** Ends every job after its current run. */
  stop(): Promise<void>;
}

export function startScheduler(jobs: readonly Job[], log: SchedulerLog, options: SchedulerOptions = {}): Scheduler {
  let stopped = false;
  const waits = new Map<string, { timer: NodeJS.Timeout; resolve: () => void }>();
  /** Woken while running: its next wait is skipped. */
  const woken = new Set<string>();
  const sleep = (name: string, ms: number) =>
    new Promise<void>((resolve) => {
      if (woken.delete(name)) return resolve();
      const wait = { timer: setTimeout(() => done(), ms), resolve: () => done() };
      const done = () => {
        clearTimeout(wait.timer);
        waits.delete(name);
        resolve();
      };
      waits.set(name, wait);
    });

  const loop = async (job: Job): Promise<void> => {
    let outageSince: number | undefined;
    while (!stopped) {
      let wait = job.everyMs;
      try {
        if ((await job.run()) === true) wait = 0;
        if (outageSince !== undefined) log.info(`${job.name} runs again after ${Date.now() - outageSince} ms`);
        outageSince = undefined;
      } catch (error) {
        if (options.isOutage?.(error) === true) {
          if (outageSince === undefined)
            log.warn(
              { cause: error instanceof Error ? error.message : String(error), job: job.name },
              `${job.name} waits for the database`,
            );
          outageSince ??= Date.now();
        } else {
          log.error({ err: error, job: job.name }, `${job.name} run failed; trying again shortly`);
        }
        wait = job.afterFailureMs ?? job.everyMs;
      }
      if (!stopped && wait > 0) await sleep(job.name, wait);
    }
  };
  const running = jobs.map(loop);

  return {
    wake(name) {
      const wait = waits.get(name);
      if (wait === undefined) woken.add(name);
      else wait.resolve();
    },
    async stop() {
      stopped = true;
      for (const wait of [...waits.values()]) wait.resolve();
      await Promise.all(running);
    },
  };
}
