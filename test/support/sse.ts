/** One Server-Sent Event as the client parsed it off the wire. */
export interface SseEvent {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

import { request, type ClientRequest } from 'node:http';

/**
 * A bare SSE client over node:http on a socket of its own (fetch's pool keeps spare sockets the
 * server's close() then waits for), reading the text/event-stream framing itself (the format is
 * four lines of the HTML standard; a dependency would hide the very reconnect we test).
 */
export function openSse(url: string, headers: Record<string, string>) {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let status: number | undefined;
  let waiters: (() => void)[] = [];
  const wake = () => {
    const ready = waiters;
    waiters = [];
    for (const w of ready) w();
  };

  let client: ClientRequest | undefined;
  const done = new Promise<void>((resolve, reject) => {
    client = request(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false }, (response) => {
      status = response.statusCode;
      wake();
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = { id: undefined, event: undefined, data: '' };
          let isEvent = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else {
              const colon = line.indexOf(':');
              const field = line.slice(0, colon);
              const value = line.slice(colon + 1).replace(/^ /, '');
              isEvent = true;
              if (field === 'id') event.id = value;
              else if (field === 'event') event.event = value;
              else if (field === 'data') event.data += value;
            }
          }
          if (isEvent) events.push(event);
          wake();
        }
      });
      response.on('end', () => resolve());
      response.on('close', () => resolve());
    });
    client.on('error', (error) => (closed ? resolve() : reject(error)));
    client.end();
  });
  let closed = false;

  /** Resolves once `ready()` holds, checked after every frame. */
  const until = (ready: () => boolean, timeoutMs = 10_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`SSE: waited ${timeoutMs} ms; have ${events.length} events`)), timeoutMs);
      const check = () => {
        if (ready()) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });

  return {
    events,
    comments,
    status: () => status,
    until,
    /** Drops the connection, as a client that goes away mid-stream. */
    close: async () => {
      closed = true;
      client?.destroy();
      await done;
    },
    /** Resolves when the server ends the stream. */
    ended: done,
  };
}
