import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

// Secrets never reach the logs: API keys travel in Authorization, signatures in their own headers.
const redact = [
  'req.headers.authorization',
  'req.headers["x-shopify-hmac-sha256"]',
  'req.headers["webhook-signature"]',
  'res.headers["set-cookie"]',
];

/**
 * JSON lines for machines (a log collector, a file, a pipe); in a terminal, readable lines (pino-pretty,
 * written synchronously in this process so nothing is lost when it exits).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: redact, censor: '[redacted]' } };
  if (destination !== undefined) return pino(options, destination);
  if (process.stdout.isTTY)
    return pino(options, pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true }));
  return pino(options);
}
