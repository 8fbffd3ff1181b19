import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { problem, type ProblemBody } from './problems.ts';

// What Node's HTTP server refuses before fastify has a request to answer: a client too slow with
// its headers or its body (408), headers past Node's 16 KiB (431), bytes that are not HTTP (400).
// Written straight to the socket, as problem+json like every other answer, then the connection
// is closed.

type ConnectionError = Error & { code?: string };

/** Node's own cap on the request headers (node:http maxHeaderSize). */
const headerLimit = '16 KiB';

function answerFor(error: ConnectionError): ProblemBody {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return problem('request-timeout', 'the request was not received in time; the connection is closed');
    case 'HPE_HEADER_OVERFLOW':
      return problem('headers-too-large', `the request headers are larger than ${headerLimit}`);
    default:
      return problem('invalid-request', 'the request is not well-formed HTTP/1.1');
  }
}

export const clientErrorHandler = (log: () => FastifyBaseLogger) =>
  function handleClientError(error: ConnectionError, socket: Socket): void {
    // A reset or closed connection has no one left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const body = answerFor(error);
    log().info({ code: body.code, status: body.status }, 'connection refused');
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const json = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${body.status} ${STATUS_CODES[body.status]}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  };
