import { runEscalations, type EscalationDeps } from '../../pipeline/escalations.ts';
import type { Job } from '../scheduler.ts';

/**
 * The one escalation job: task list items warn at their warning point and escalate at their due
 * time, each once, whichever instance gets there first (pipeline/escalations.ts). `clock` is the
 * time it goes by.
 */
export const escalationsJob = (deps: EscalationDeps, everyMs = 30_000, clock: () => Date = () => new Date()): Job => ({
  name: 'escalations',
  everyMs,
  async run() {
    return (await runEscalations(deps, clock())).more;
  },
});
