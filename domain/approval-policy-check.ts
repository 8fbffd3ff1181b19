import type { ApprovalLevel, Assignee, SignatureProvider } from './approval.ts';
import {
  statedTotalFallback,
  type AmountsByCurrency,
  type ApprovalPolicy,
  type AutoApproveRule,
  type PartnerOverride,
  type PolicyConditions,
} from './approval-policy.ts';
import { currencyPattern, durationMinutes } from './catalog.ts';
import { amountLimit } from './order.ts';
import type { Problem } from './problem.ts';
import { err, ok, type Result } from './result.ts';

// Checks approval policy files (mappings/approvals/*.yaml) as parsed: every problem with its file
// and a JSON pointer into it, so that a bad policy stops the start with words that say where.

export type PolicyProblemCode =
  | 'not-yaml'
  | 'wrong-type'
  | 'missing-field'
  | 'unknown-field'
  | 'bad-name'
  | 'duplicate-policy-name'
  | 'reserved-name'
  | 'unknown-condition'
  | 'no-conditions'
  | 'bad-amount'
  | 'bad-currency'
  | 'bad-percent'
  | 'bad-count'
  | 'no-levels'
  | 'level-without-assignee'
  | 'bad-assignee'
  | 'bad-mode'
  | 'bad-method'
  | 'bad-duration'
  | 'signature-without-provider'
  | 'unknown-signature-provider'
  | 'provider-without-signature';

export interface PolicyProblem extends Problem {
  /** The file, as the loader names it. */
  file: string;
  /** JSON pointer into that file's document. */
  pointer: string;
  code: PolicyProblemCode;
}

type Raw = Record<string, unknown>;
type Add = (pointer: string, code: PolicyProblemCode, detail: string) => void;

const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);
const escape = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');
const namePattern = /^[a-z0-9][a-z0-9-]*$/;
const policyFields = ['name', 'description', 'when', 'levels', 'autoApprove', 'partners'];
const levelFields = ['name', 'assignees', 'mode', 'sla', 'calendar', 'escalateTo', 'method', 'signatureProvider'];
export const conditionNames = [
  'totalAtLeast',
  'priceDeviation',
  'statedTotalMismatch',
  'unresolvedItems',
  'restrictedSkus',
  'quantityAbove',
  'firstOrders',
  'overCreditLimit',
] as const;
const signatureProviders: readonly SignatureProvider[] = ['docusign', 'acrobat-sign'];

function unknownFields(raw: Raw, allowed: readonly string[], pointer: string, add: Add): void {
  for (const key of Object.keys(raw))
    if (!allowed.includes(key)) add(`${pointer}/${escape(key)}`, 'unknown-field', `unknown field "${key}"; allowed: ${allowed.join(', ')}`);
}

const isAmount = (value: unknown): value is number => typeof value === 'number' && value >= 0 && value <= amountLimit;

/** `{ USD: 10000, EUR: 9000, '*': 10000 }`: an amount per currency, `*` for every other one. */
function checkAmounts(raw: unknown, pointer: string, add: Add): AmountsByCurrency | undefined {
  if (!isRecord(raw) || Object.keys(raw).length === 0) {
    add(pointer, 'wrong-type', "expected a mapping of currency → amount, e.g. { USD: 10000 } or { '*': 10000 } for every currency");
    return undefined;
  }
  let clean = true;
  for (const [currency, amount] of Object.entries(raw)) {
    const at = `${pointer}/${escape(currency)}`;
    if (currency !== '*' && !currencyPattern.test(currency)) {
      add(at, 'bad-currency', `"${currency}" is not a currency code (three capital letters, ISO 4217: USD, EUR) or * for every currency`);
      clean = false;
    } else if (!isAmount(amount)) {
      add(at, 'bad-amount', `${JSON.stringify(amount)} is not an amount: a number from 0 to ${amountLimit}`);
      clean = false;
    }
  }
  return clean ? (raw as AmountsByCurrency) : undefined;
}

function checkCount(raw: unknown, pointer: string, add: Add, what: string): number | undefined {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1) {
    add(pointer, 'bad-count', `${what} must be a whole number of at least 1, got ${JSON.stringify(raw)}`);
    return undefined;
  }
  return raw;
}

function checkFlag(raw: unknown, pointer: string, add: Add): boolean | undefined {
  if (raw !== true && raw !== false) {
    add(pointer, 'wrong-type', `expected true or false, got ${JSON.stringify(raw)}`);
    return undefined;
  }
  return raw;
}

function checkConditions(raw: unknown, pointer: string, add: Add, required: boolean): PolicyConditions | undefined {
  if (raw === undefined && !required) return {};
  if (!isRecord(raw)) {
    add(
      pointer,
      raw === undefined ? 'missing-field' : 'wrong-type',
      `a policy needs conditions under when: one or more of ${conditionNames.join(', ')}`,
    );
    return undefined;
  }
  const conditions: Record<string, unknown> = {};
  let clean = true;
  const keep = (name: string, value: unknown): void => {
    if (value === undefined) clean = false;
    else conditions[name] = value;
  };
  for (const [name, value] of Object.entries(raw)) {
    const at = `${pointer}/${escape(name)}`;
    switch (name) {
      case 'totalAtLeast':
        keep(name, checkAmounts(value, at, add));
        break;
      case 'priceDeviation': {
        const percent = isRecord(value) ? value.percent : undefined;
        if (isRecord(value)) unknownFields(value, ['percent'], at, add);
        if (typeof percent !== 'number' || !(percent > 0) || percent > 1000) {
          add(
            isRecord(value) ? `${at}/percent` : at,
            'bad-percent',
            `priceDeviation needs { percent: <more than 0, at most 1000> }, got ${JSON.stringify(value)}`,
          );
          clean = false;
        } else keep(name, { percent });
        break;
      }
      case 'statedTotalMismatch':
      case 'unresolvedItems':
      case 'overCreditLimit':
        keep(name, checkFlag(value, at, add));
        break;
      case 'restrictedSkus':
        if (!Array.isArray(value) || value.length === 0 || !value.every((sku) => typeof sku === 'string' && sku !== '')) {
          add(at, 'wrong-type', 'restrictedSkus must be a list of one or more SKUs');
          clean = false;
        } else keep(name, [...(value as string[])]);
        break;
      case 'quantityAbove':
        if (!isAmount(value)) {
          add(at, 'bad-amount', `quantityAbove must be a number from 0 to ${amountLimit}, got ${JSON.stringify(value)}`);
          clean = false;
        } else keep(name, value);
        break;
      case 'firstOrders':
        keep(name, checkCount(value, at, add, 'firstOrders'));
        break;
      default:
        add(at, 'unknown-condition', `unknown condition "${name}"; known conditions: ${conditionNames.join(', ')}`);
        clean = false;
    }
  }
  if (required && Object.keys(raw).length === 0) {
    add(pointer, 'no-conditions', `a policy needs at least one condition: ${conditionNames.join(', ')}`);
    return undefined;
  }
  return clean ? (conditions as PolicyConditions) : undefined;
}

function checkAssignee(raw: unknown, pointer: string, add: Add): Assignee | undefined {
  if (isRecord(raw) && Object.keys(raw).length === 1) {
    if (typeof raw.role === 'string' && raw.role !== '') return { role: raw.role };
    if (typeof raw.person === 'string' && raw.person !== '') return { person: raw.person };
  }
  add(pointer, 'bad-assignee', `an assignee is { role: <role> } or { person: <person id> }, got ${JSON.stringify(raw)}`);
  return undefined;
}

function checkLevel(raw: unknown, pointer: string, index: number, add: Add): ApprovalLevel | undefined {
  if (!isRecord(raw)) {
    add(pointer, 'wrong-type', 'a level must be a mapping with assignees (and name, mode, sla, escalateTo, method)');
    return undefined;
  }
  unknownFields(raw, levelFields, pointer, add);
  let clean = true;
  const { name = `level ${index + 1}`, assignees, mode = 'any', sla, calendar, escalateTo, method = 'click', signatureProvider } = raw;
  if (typeof name !== 'string' || name === '') {
    add(`${pointer}/name`, 'wrong-type', 'a level name must be text');
    clean = false;
  }
  const people: Assignee[] = [];
  if (assignees === undefined || (Array.isArray(assignees) && assignees.length === 0)) {
    add(
      `${pointer}/assignees`,
      'level-without-assignee',
      'a level needs at least one assignee: { role: <role> } or { person: <person id> }',
    );
    clean = false;
  } else if (!Array.isArray(assignees)) {
    add(`${pointer}/assignees`, 'wrong-type', 'assignees must be a list of { role } or { person }');
    clean = false;
  } else
    assignees.forEach((assignee: unknown, at) => {
      const checked = checkAssignee(assignee, `${pointer}/assignees/${at}`, add);
      if (checked === undefined) clean = false;
      else people.push(checked);
    });
  if (mode !== 'any' && mode !== 'all') {
    add(`${pointer}/mode`, 'bad-mode', `mode is any (one decides) or all (every assignee decides), got ${JSON.stringify(mode)}`);
    clean = false;
  }
  if (sla !== undefined && (typeof sla !== 'string' || durationMinutes(sla) === undefined)) {
    add(
      `${pointer}/sla`,
      'bad-duration',
      `sla ${JSON.stringify(sla)} is not a non-zero ISO 8601 duration in days, hours and minutes such as PT4H, P1D or P1DT12H`,
    );
    clean = false;
  }
  if (calendar !== undefined && (typeof calendar !== 'string' || sla === undefined)) {
    add(
      `${pointer}/calendar`,
      'wrong-type',
      "calendar names a working calendar (mappings/calendars) that the level's sla counts in; it needs an sla",
    );
    clean = false;
  }
  const escalation = escalateTo === undefined ? undefined : checkAssignee(escalateTo, `${pointer}/escalateTo`, add);
  if (escalateTo !== undefined && escalation === undefined) clean = false;
  if (method !== 'click' && method !== 'signature') {
    add(`${pointer}/method`, 'bad-method', `method is click or signature, got ${JSON.stringify(method)}`);
    clean = false;
  }
  if (method === 'signature' && signatureProvider === undefined) {
    add(
      `${pointer}/signatureProvider`,
      'signature-without-provider',
      `a signature level needs a signatureProvider: ${signatureProviders.join(' or ')}`,
    );
    clean = false;
  } else if (signatureProvider !== undefined && !(signatureProviders as readonly unknown[]).includes(signatureProvider)) {
    add(
      `${pointer}/signatureProvider`,
      'unknown-signature-provider',
      `signatureProvider ${JSON.stringify(signatureProvider)} is not one of ${signatureProviders.join(', ')}`,
    );
    clean = false;
  } else if (signatureProvider !== undefined && method !== 'signature') {
    add(`${pointer}/signatureProvider`, 'provider-without-signature', 'a signatureProvider needs method: signature');
    clean = false;
  }
  if (!clean) return undefined;
  return {
    level: index + 1,
    name: name as string,
    assignees: people,
    mode: mode as 'any' | 'all',
    method: method as 'click' | 'signature',
    ...(sla === undefined ? {} : { sla: sla as string }),
    ...(calendar === undefined ? {} : { calendar: calendar as string }),
    ...(escalation === undefined ? {} : { escalateTo: escalation }),
    ...(signatureProvider === undefined ? {} : { signatureProvider: signatureProvider as SignatureProvider }),
  };
}

function checkAutoApprove(raw: unknown, pointer: string, add: Add): AutoApproveRule[] | undefined {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    add(pointer, 'wrong-type', 'autoApprove must be a list of rules: { totalBelow: { <currency>: amount }, trusted: true }');
    return undefined;
  }
  let clean = true;
  const rules = raw.map((rule: unknown, index): AutoApproveRule => {
    const at = `${pointer}/${index}`;
    if (!isRecord(rule) || Object.keys(rule).length === 0) {
      add(at, 'wrong-type', 'a rule is a mapping with totalBelow and/or trusted');
      clean = false;
      return {};
    }
    unknownFields(rule, ['totalBelow', 'trusted'], at, add);
    const totalBelow = rule.totalBelow === undefined ? undefined : checkAmounts(rule.totalBelow, `${at}/totalBelow`, add);
    const trusted = rule.trusted === undefined ? undefined : checkFlag(rule.trusted, `${at}/trusted`, add);
    if ((rule.totalBelow !== undefined && totalBelow === undefined) || (rule.trusted !== undefined && trusted === undefined)) clean = false;
    return { ...(totalBelow === undefined ? {} : { totalBelow }), ...(trusted === undefined ? {} : { trusted }) };
  });
  return clean ? rules : undefined;
}

function checkPartners(raw: unknown, pointer: string, add: Add): Record<string, PartnerOverride> | undefined {
  if (raw === undefined) return {};
  if (!isRecord(raw)) {
    add(pointer, 'wrong-type', 'partners must be a mapping of partner id → { disabled, when, trusted }');
    return undefined;
  }
  let clean = true;
  const overrides: [string, PartnerOverride][] = [];
  for (const [id, override] of Object.entries(raw)) {
    const at = `${pointer}/${escape(id)}`;
    if (!isRecord(override)) {
      add(at, 'wrong-type', `the override for partner ${id} must be a mapping with disabled, when and/or trusted`);
      clean = false;
      continue;
    }
    unknownFields(override, ['disabled', 'when', 'trusted'], at, add);
    const disabled = override.disabled === undefined ? undefined : checkFlag(override.disabled, `${at}/disabled`, add);
    const trusted = override.trusted === undefined ? undefined : checkFlag(override.trusted, `${at}/trusted`, add);
    const conditions = checkConditions(override.when, `${at}/when`, add, false);
    if (
      conditions === undefined ||
      (override.disabled !== undefined && disabled === undefined) ||
      (override.trusted !== undefined && trusted === undefined)
    ) {
      clean = false;
      continue;
    }
    overrides.push([
      id,
      {
        ...(disabled === undefined ? {} : { disabled }),
        ...(override.when === undefined ? {} : { conditions }),
        ...(trusted === undefined ? {} : { trusted }),
      },
    ]);
  }
  return clean ? Object.fromEntries(overrides) : undefined;
}

function checkPolicy(raw: unknown, pointer: string, add: Add): ApprovalPolicy | undefined {
  if (!isRecord(raw)) {
    add(pointer, 'wrong-type', 'a policy must be a mapping with name, when and levels');
    return undefined;
  }
  unknownFields(raw, policyFields, pointer, add);
  let clean = true;
  const { name, description } = raw;
  if (name === undefined) {
    add(`${pointer}/name`, 'missing-field', 'a policy needs a name');
    clean = false;
  } else if (typeof name !== 'string' || !namePattern.test(name)) {
    add(
      `${pointer}/name`,
      'bad-name',
      `policy name ${JSON.stringify(name)} must be lower-case letters, digits and "-" (it names the policy in every reason)`,
    );
    clean = false;
  } else if (name === statedTotalFallback.name) {
    add(
      `${pointer}/name`,
      'reserved-name',
      `"${name}" names the gateway's own hold of a stated total the partner's setting holds; choose another name`,
    );
    clean = false;
  }
  if (description !== undefined && typeof description !== 'string') {
    add(`${pointer}/description`, 'wrong-type', 'description must be text');
    clean = false;
  }
  const conditions = checkConditions(raw.when, `${pointer}/when`, add, true);
  const levels: ApprovalLevel[] = [];
  if (raw.levels === undefined || (Array.isArray(raw.levels) && raw.levels.length === 0)) {
    add(`${pointer}/levels`, 'no-levels', 'a policy needs at least one level: who decides');
    clean = false;
  } else if (!Array.isArray(raw.levels)) {
    add(`${pointer}/levels`, 'wrong-type', 'levels must be a list');
    clean = false;
  } else
    raw.levels.forEach((level: unknown, index) => {
      const checked = checkLevel(level, `${pointer}/levels/${index}`, index, add);
      if (checked === undefined) clean = false;
      else levels.push(checked);
    });
  const autoApprove = checkAutoApprove(raw.autoApprove, `${pointer}/autoApprove`, add);
  const partners = checkPartners(raw.partners, `${pointer}/partners`, add);
  if (!clean || conditions === undefined || autoApprove === undefined || partners === undefined) return undefined;
  return {
    name: name as string,
    ...(typeof description === 'string' ? { description } : {}),
    conditions,
    levels,
    autoApprove,
    partners,
  };
}

/**
 * Checks every policy file (each `{ policies: [...] }`), in the order given; the policies come out
 * in that order (the loader sorts files by name), which is the order their levels combine in.
 */
export function checkApprovalPolicies(files: readonly { file: string; data: unknown }[]): Result<ApprovalPolicy[], PolicyProblem[]> {
  const problems: PolicyProblem[] = [];
  const policies: ApprovalPolicy[] = [];
  const names = new Map<string, string>();
  for (const { file, data } of files) {
    const add: Add = (pointer, code, detail) => {
      problems.push({ file, pointer, code, detail });
    };
    if (!isRecord(data)) {
      add('', 'wrong-type', 'a policy file must be a mapping with a policies list');
      continue;
    }
    unknownFields(data, ['policies'], '', add);
    if (!Array.isArray(data.policies)) {
      add('/policies', data.policies === undefined ? 'missing-field' : 'wrong-type', 'a policy file needs a policies list');
      continue;
    }
    data.policies.forEach((raw: unknown, index) => {
      const pointer = `/policies/${index}`;
      const name = isRecord(raw) && typeof raw.name === 'string' ? raw.name : undefined;
      const where = `${file}#${pointer}`;
      if (name !== undefined) {
        const first = names.get(name);
        if (first !== undefined) add(`${pointer}/name`, 'duplicate-policy-name', `policy "${name}" is already defined at ${first}`);
        else names.set(name, where);
      }
      const policy = checkPolicy(raw, pointer, add);
      if (policy !== undefined) policies.push(policy);
    });
  }
  return problems.length > 0 ? err(problems) : ok(policies);
}
