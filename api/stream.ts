import type { FastifyReply, FastifyRequest } from 'fastify';
import { eventPosition, type Database, type EventFeed, type StreamEvent, type StreamFilter } from '../adapters/db/index.ts';
import { principalOf } from './auth.ts';
import { ProblemError } from './problems.ts';

type StreamQuery = { orderId?: string; partnerId?: string; type?: string; named?: boolean };

const frame = (event: StreamEvent, named: boolean): string => {
  const { position, ...data } = event;
  return `id: ${position.id}\n${named ? `event: ${event.cause}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
};

/** GET /v1/stream, and the means to end every open stream when the server closes. */
export function streamHandlers(db: Database, feed: EventFeed) {
  const open = new Set<() => void>();
  return {
    handlers: {
      async streamEvents(request: FastifyRequest<{ Querystring: StreamQuery }>, reply: FastifyReply) {
        const principal = principalOf(request);
        const { orderId, partnerId, type, named = true } = request.query;
        if (principal.partnerId !== null && partnerId !== undefined && partnerId !== principal.partnerId)
          throw new ProblemError('forbidden', 'a partner key streams only its own orders; leave partnerId out');
        const lastEventId = request.headers['last-event-id'];
        const position = typeof lastEventId === 'string' ? await eventPosition(db, Number(lastEventId)) : undefined;
        if (typeof lastEventId === 'string' && position === undefined)
          throw new ProblemError('invalid-request', `Last-Event-ID ${lastEventId} names no event; reconnect without it`);
        const filter: StreamFilter = {
          ...(orderId === undefined ? {} : { orderId }),
          ...(type === undefined ? {} : { type }),
          ...(principal.partnerId !== null ? { partnerId: principal.partnerId } : partnerId === undefined ? {} : { partnerId }),
        };

        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          ...(reply.getHeaders() as Record<string, string>),
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          // Proxies such as nginx would otherwise hold the events back in their buffer.
          'x-accel-buffering': 'no',
        });
        // The headers go out now, not with the first event, which may be long in coming.
        raw.write(': stream open\n\n');
        const stop = feed.listen({
          filter,
          ...(position === undefined ? {} : { position }),
          send: (event) => raw.write(frame(event, named)),
          beat: () => raw.write(': heartbeat\n\n'),
        });
        const stopListening = () => {
          stop();
          open.delete(end);
        };
        const end = () => {
          stopListening();
          raw.end();
        };
        open.add(end);
        // The response's close, not the request's (that one fires as soon as the request is read).
        raw.on('close', stopListening);
      },
    },
    /** Ends every open stream: the server's close() waits for its connections. */
    closeAll(): void {
      for (const end of [...open]) end();
    },
  };
}
