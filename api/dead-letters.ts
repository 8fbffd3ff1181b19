import type { FastifyRequest } from 'fastify';
import { getDeadLetter, listDeadLetters, markReplayed, type Database, type DeadLetter } from '../adapters/db/index.ts';
import { decodeCursor, encodeCursor, invalidCursor } from './cursor.ts';
import { ProblemError } from './problems.ts';

// Operations' view of messages that died in RabbitMQ, and the way to send one again.

/** Publishes a dead letter again where it was first published; undefined without a broker. */
export type Replayer = (letter: DeadLetter) => Promise<{ ok: true } | { ok: false; error: string }>;

export function deadLetterHandlers(db: Database, replay: Replayer | undefined) {
  return {
    async listDeadLetters(
      request: FastifyRequest<{ Querystring: { queue?: string; replayed?: boolean; limit?: number; cursor?: string } }>,
    ) {
      const { queue, replayed, limit, cursor } = request.query;
      const position = cursor === undefined ? undefined : decodeCursor(cursor);
      // Dead letters' ids are numbers: any other id was not issued here.
      if (position !== undefined && !/^[0-9]{1,18}$/.test(position.id)) throw invalidCursor();
      const page = await listDeadLetters(db, {
        ...(queue === undefined ? {} : { queue }),
        replayed: replayed ?? false,
        limit: limit ?? 50,
        ...(position === undefined ? {} : { before: { diedAt: position.at, id: position.id } }),
      });
      return {
        deadLetters: page.deadLetters,
        ...(page.next === undefined ? {} : { nextCursor: encodeCursor({ at: page.next.diedAt, id: page.next.id }) }),
      };
    },

    async replayDeadLetter(request: FastifyRequest<{ Params: { id: string } }>) {
      const letter = await getDeadLetter(db, request.params.id);
      if (letter === undefined) throw new ProblemError('not-found', `dead letter ${request.params.id} does not exist`);
      if (letter.replayedAt !== null)
        throw new ProblemError('invalid-state', `dead letter ${letter.id} was replayed at ${letter.replayedAt}`);
      if (replay === undefined)
        throw new ProblemError(
          'service-unavailable',
          'the gateway runs without RabbitMQ (AMQP_URL is not set), so nothing can be published',
        );
      const published = await replay(letter);
      if (!published.ok)
        throw new ProblemError('service-unavailable', `the broker did not confirm the replay: ${published.error}`, undefined, {
          'retry-after': '5',
        });
      const replayed = await markReplayed(db, letter.id);
      request.log.info({ deadLetterId: letter.id, queue: letter.queue, messageId: letter.messageId }, 'dead letter replayed');
      return replayed ?? letter;
    },
  };
}
