import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { isRfc3339DateTime } from '../../domain/timestamp.ts';
import { parse } from 'yaml';
import { isReplyType, replyTypes, type VendorReply } from '../../domain/vendor-reply.ts';
import { packageFile } from '../../package-files.ts';

// Queue messages checked against asyncapi.yaml itself, so the contract vendors read is the one the
// gateway holds replies (and its own requests, in tests) to. Compiled once, on first use.

const schemaNames: Readonly<Record<string, string>> = {
  'fulfillment.request.v1': 'FulfillmentRequest',
  'fulfillment.cancel.v1': 'FulfillmentCancel',
  'fulfillment.ack.v1': 'FulfillmentAck',
  'fulfillment.ship.v1': 'FulfillmentShip',
  'fulfillment.progress.v1': 'FulfillmentProgress',
  'fulfillment.complete.v1': 'FulfillmentComplete',
  'fulfillment.fail.v1': 'FulfillmentFail',
};

export interface MessageProblem {
  /** JSON pointer into the message body. */
  pointer: string;
  detail: string;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const validators = new Map<string, ValidateFunction>();
let ajv: Ajv2020 | undefined;

function compiler(): Ajv2020 {
  if (ajv !== undefined) return ajv;
  const document = parse(readFileSync(packageFile('asyncapi.yaml'), 'utf8')) as Record<string, unknown>;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // RFC 3339 as the database takes it, as for the API's requests (ajv-formats lets year 0000 through).
  ajv.addFormat('date-time', isRfc3339DateTime);
  // Only the schemas: the rest of the document is not JSON Schema.
  ajv.addSchema({ $id: 'asyncapi', components: document.components }, 'asyncapi');
  return ajv;
}

function validatorFor(type: string): ValidateFunction | undefined {
  const name = schemaNames[type];
  if (name === undefined) return undefined;
  let validate = validators.get(type);
  if (validate === undefined) {
    validate = compiler().compile({ $ref: `asyncapi#/components/schemas/${name}` });
    validators.set(type, validate);
  }
  return validate;
}

const describe = (error: ErrorObject): MessageProblem => {
  const extra =
    error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})` : '';
  return { pointer: error.instancePath === '' ? '/' : error.instancePath, detail: `${error.message ?? error.keyword}${extra}` };
};

export const isKnownMessageType = (type: string): boolean => schemaNames[type] !== undefined;

/** Every problem with the body, or none; an unknown type is one problem at the root. */
export function checkMessage(type: string, body: unknown): MessageProblem[] {
  const validate = validatorFor(type);
  if (validate === undefined)
    return [{ pointer: '/', detail: `unknown message type "${type}"; known: ${Object.keys(schemaNames).join(', ')}` }];
  return validate(body) ? [] : (validate.errors ?? []).map(describe);
}

/** A reply whose body keeps the contract, typed; or what is wrong with it. */
export function readReply(type: string, body: unknown): { ok: true; reply: VendorReply } | { ok: false; problems: MessageProblem[] } {
  if (!isReplyType(type))
    return { ok: false, problems: [{ pointer: '/', detail: `"${type}" is not a reply type; replies are ${replyTypes.join(', ')}` }] };
  const problems = checkMessage(type, body);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, reply: { type, body } as VendorReply };
}
