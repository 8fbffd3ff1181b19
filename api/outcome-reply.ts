import type { FastifyReply } from 'fastify';
import type { Problem } from '../domain/problem.ts';
import type { PipelineOutcome } from '../pipeline/runner.ts';
import { ProblemError } from './problems.ts';

// Every door that takes one order (JSON, cXML, webhook) answers the pipeline's outcome the same way:
// a new order and a repeat send the stored answer (a repeat marked as such); what differs per door
// is said here in one object: its content type, what a new order adds, and how a reused key and an
// invalid order are told in the door's own format.

export interface DoorReplies {
  /** Content type of the stored answers; fastify's JSON when absent. */
  type?: string;
  /** What a new order's answer adds (a Location, a log line). */
  created?(reply: FastifyReply, orderId: string): void;
  keyReused(): FastifyReply;
  invalid(problems: Problem[]): FastifyReply;
}

export function replyWithOutcome(reply: FastifyReply, outcome: PipelineOutcome, door: DoorReplies): FastifyReply {
  const typed = (answer: FastifyReply) => (door.type === undefined ? answer : answer.type(door.type));
  switch (outcome.kind) {
    case 'created':
      door.created?.(reply, outcome.orderId);
      return typed(reply.code(outcome.response.status)).send(outcome.response.body);
    case 'repeat':
      return typed(reply.code(outcome.response.status).header('idempotent-replayed', 'true')).send(outcome.response.body);
    case 'key-reused':
      return door.keyReused();
    case 'invalid':
      return door.invalid(outcome.problems);
  }
}

/** An order that breaks the domain's rules, as problem+json naming each field. */
export const invalidOrder = (problems: Problem[]): ProblemError =>
  new ProblemError(
    'invalid-order',
    problems.map((p) => `${p.pointer}: ${p.detail}`).join('; '),
    problems.map((p) => ({ in: 'body' as const, ...p })),
  );
