import { escalateOverdueLevels, type ApprovalDeps } from '../../pipeline/approvals.ts';
import type { Job } from '../scheduler.ts';

/** Approval levels whose SLA ran out escalate to the level's escalatee, once each (pipeline/approvals.ts). */
export const approvalEscalationsJob = (deps: ApprovalDeps, everyMs = 30_000): Job => ({
  name: 'approval-escalations',
  everyMs,
  async run() {
    return (await escalateOverdueLevels(deps)).more;
  },
});
