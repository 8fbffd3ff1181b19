import { pino, type DestinationStream, type Logger } from 'pino';

// Secrets never reach the logs: API keys travel in Authorization, signatures in their own headers.
const redact = [
  'req.headers.authorization',
  'req.headers["x-shopify-hmac-sha256"]',
  'req.headers["webhook-signature"]',
  'res.headers["set-cookie"]',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: redact, censor: '[redacted]' } }, destination);
}
