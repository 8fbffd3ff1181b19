import { createHash } from 'node:crypto';

/** Hex SHA-256 of bytes or text: a document's content hash, a fingerprint. A computation, not a port. */
export const sha256Hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');
