import type { Broker } from '../../adapters/amqp/index.ts';
import type { Database } from '../../adapters/db/index.ts';
import { moveDeadLetters, type Consumers } from './dead-letters.ts';

// A vendor's queue and its dead-letter queue are declared once per process, the first time a
// request goes to it (or at start for the catalog's vendors), and its dead letters are moved into
// the database from then on.

export type VendorQueues = (vendorId: string) => Promise<void>;

export function vendorQueues(db: Database, broker: Broker, consumers: Consumers): VendorQueues {
  const declared = new Map<string, Promise<void>>();
  return (vendorId) => {
    let declaring = declared.get(vendorId);
    if (declaring === undefined) {
      declaring = broker.declareVendor(vendorId).then(() => {
        consumers.push(moveDeadLetters(db, broker, broker.names.dlq(broker.names.vendorQueue(vendorId))));
      });
      declaring.catch(() => declared.delete(vendorId));
      declared.set(vendorId, declaring);
    }
    return declaring;
  };
}
