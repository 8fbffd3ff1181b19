import type { FastifyRequest } from 'fastify';
import { listNotifications, type Database } from '../adapters/db/index.ts';

// Every approval message of an order, sent or not: without SMTP_URL (or Twilio) they are kept
// here, marked not-sent, so that the links can be followed from this list.
export function notificationHandlers(db: Database) {
  return {
    async listNotifications(request: FastifyRequest<{ Querystring: { orderId: string } }>) {
      return { notifications: await listNotifications(db, request.query.orderId) };
    },
  };
}
