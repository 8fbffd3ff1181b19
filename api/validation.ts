import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { isRfc3339DateTime } from '../domain/timestamp.ts';
import type { FieldError } from './problems.ts';

// Bodies are validated strictly as sent: "2" is not a quantity. Query strings, paths and headers
// arrive as text, so there numbers and booleans are coerced.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
// `date-time` is RFC 3339 as the database takes it (years 0001-9999): ajv-formats' lets year 0000 through.
const withFormats = (ajv: Ajv): Ajv => addFormats(ajv).addFormat('date-time', isRfc3339DateTime);
const strict = withFormats(new Ajv({ allErrors: true, coerceTypes: false, useDefaults: true, removeAdditional: false, strict: false }));
const coercing = withFormats(new Ajv({ allErrors: true, coerceTypes: 'array', useDefaults: true, removeAdditional: false, strict: false }));

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  // The OpenAPI glue gives every recursive schema the same $id; its refs are local, so the id is not needed.
  const { $id: _id, ...local } = schema as Record<string, unknown>;
  // Binary bodies (X12) are checked by their channel, which answers in the channel's own terms.
  if (local.format === 'binary') return () => true;
  return (httpPart === 'body' ? strict : coercing).compile(
    httpPart === 'headers' ? lowerCaseHeaderNames(local) : local,
  ) as ValidateFunction;
};

/** HTTP header names are case-insensitive and Node hands them over in lower case. */
function lowerCaseHeaderNames(schema: Record<string, unknown>): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  const required = (schema.required ?? []) as string[];
  return {
    ...schema,
    properties: Object.fromEntries(Object.entries(properties).map(([name, value]) => [name.toLowerCase(), value])),
    required: required.map((name) => name.toLowerCase()),
  };
}

type Part = FieldError['in'];
const parts: Record<string, Part> = { body: 'body', headers: 'header', querystring: 'query', params: 'path' };

const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** One field error per ajv error, pointing at the field (for a missing or extra property, the property itself). */
export function toFieldErrors(errors: ErrorObject[], context: string): FieldError[] {
  const part = parts[context] ?? 'body';
  return errors.map((error) => {
    const params = error.params as { missingProperty?: string; additionalProperty?: string };
    const child = params.missingProperty ?? params.additionalProperty;
    const pointer = child === undefined ? error.instancePath : `${error.instancePath}/${escapePointer(child)}`;
    const detail =
      params.additionalProperty !== undefined
        ? `unknown property "${params.additionalProperty}"`
        : params.missingProperty !== undefined
          ? 'is required'
          : (error.message ?? 'is invalid');
    // Parameters are named, not pointed into.
    return { in: part, pointer: part === 'body' ? pointer : pointer.replace(/^\//, ''), code: error.keyword, detail };
  });
}
