export { defaultApprovalsDir, describePolicyProblems, loadApprovalPolicies } from './load.ts';
