import { badCharacter } from '../domain/text.ts';
import { isRfc3339DateTime } from '../domain/timestamp.ts';
import { ProblemError } from './problems.ts';

// The paging cursor of every list: the last row's position (its timestamp to the microsecond, and
// its id), opaque to the client; anything we did not issue is 400 invalid-cursor.

export type Position = { at: string; id: string };

export const encodeCursor = (position: Position): string => Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url');

export function decodeCursor(text: string): Position {
  try {
    const [at, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    // Both go into a query: a date the database refuses would be a 500, not a wrong cursor.
    if (typeof at === 'string' && typeof id === 'string' && isRfc3339DateTime(at) && id.length <= 200 && badCharacter(id) === undefined)
      return { at, id };
  } catch {
    // falls through to the problem below
  }
  throw invalidCursor();
}

export const invalidCursor = (): ProblemError =>
  new ProblemError('invalid-cursor', 'pass the nextCursor of a previous page unchanged', [
    { in: 'query', pointer: 'cursor', detail: 'not a cursor this API issued' },
  ]);
