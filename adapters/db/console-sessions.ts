import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from './connect.ts';
import { hashKey, type Principal } from './partners.ts';

// The console's sessions and its e-mailed sign-in links. A session lives while the key it was
// opened with does: every request reads it through the key's row, so a revoked key (or a removed
// person) signs the console out at once, on every instance, as it does the API.

/** How long a session lasts from its sign-in: a working day. */
export const sessionHours = 12;
/** How long an e-mailed sign-in link works: long enough to switch to the mail, short enough to be worth little. */
export const signInLinkMinutes = 15;
/** Links a person may have waiting at once: anyone can ask for one, and must not fill the person's mailbox. */
export const signInLinksAtOnce = 3;

export interface ConsoleSession {
  principal: Principal;
  /** Who is signed in, as the console names them. */
  name: string;
  /** The token every form and every changing API call of the session carries. */
  csrf: string;
  expiresAt: Date;
}

export type SignInHolder = { keyId: string } | { personId: string };

const token = (): string => randomBytes(32).toString('base64url');

/** The key behind a sent key, if it works and may open the console (vendor keys serve the vendor API only). */
export async function consoleKeyOf(db: Database, key: string): Promise<{ keyId: string } | { refused: 'unknown' | 'vendor' }> {
  const row = await db('api_keys')
    .where({ key_hash: hashKey(key) })
    .whereNull('revoked_at')
    .first('id', 'role');
  if (row === undefined) return { refused: 'unknown' };
  if (row.role === 'vendor') return { refused: 'vendor' };
  return { keyId: row.id };
}

/** A new session; the returned token goes into the cookie and is stored only as its hash. */
export async function openSession(db: Database, holder: SignInHolder, now: Date): Promise<{ token: string; expiresAt: Date }> {
  const session = token();
  const expiresAt = new Date(now.getTime() + sessionHours * 3_600_000);
  // Ended sessions and spent or expired links are of no use to anyone: each sign-in clears them.
  await db('console_sessions').where('expires_at', '<', now).delete();
  await db('console_sign_in_links').where('expires_at', '<', now).delete();
  await db('console_sessions').insert({
    token_hash: hashKey(session),
    ...('keyId' in holder ? { key_id: holder.keyId } : { person_id: holder.personId }),
    csrf: token(),
    created_at: now,
    expires_at: expiresAt,
  });
  return { token: session, expiresAt };
}

interface SessionRow {
  csrf: string;
  expires_at: Date;
  role: Principal['role'] | null;
  key_person: string | null;
  partner_id: string | null;
  vendor_id: string | null;
  link_person: string | null;
  person_name: string | null;
  partner_name: string | null;
}

/** The session of a cookie's token, while it and what holds it last; one indexed read. */
export async function findSession(db: Database, session: string, now: Date): Promise<ConsoleSession | undefined> {
  const row = (await db('console_sessions as s')
    .leftJoin('api_keys as k', function joinKey() {
      this.on('k.id', 's.key_id').andOnNull('k.revoked_at');
    })
    .leftJoin('people as p', 'p.id', db.raw('coalesce(s.person_id, k.person_id)'))
    .leftJoin('partners as pa', 'pa.id', 'k.partner_id')
    .where('s.token_hash', hashKey(session))
    .where('s.expires_at', '>', now)
    .first(
      's.csrf',
      's.expires_at',
      'k.role',
      'k.person_id as key_person',
      'k.partner_id',
      'k.vendor_id',
      's.person_id as link_person',
      'p.name as person_name',
      'pa.name as partner_name',
    )) as SessionRow | undefined;
  if (row === undefined) return undefined;
  const base = { csrf: row.csrf, expiresAt: new Date(row.expires_at) };
  if (row.link_person !== null)
    return row.person_name === null
      ? undefined
      : { ...base, principal: { role: 'person', partnerId: null, personId: row.link_person }, name: row.person_name };
  switch (row.role) {
    case 'admin':
      return { ...base, principal: { role: 'admin', partnerId: null }, name: 'Administrator' };
    case 'partner':
      return row.partner_id === null
        ? undefined
        : { ...base, principal: { role: 'partner', partnerId: row.partner_id }, name: row.partner_name ?? row.partner_id };
    case 'person':
      return row.key_person === null || row.person_name === null
        ? undefined
        : { ...base, principal: { role: 'person', partnerId: null, personId: row.key_person }, name: row.person_name };
    default:
      // Revoked (the join found no key), or a vendor's key.
      return undefined;
  }
}

export async function endSession(db: Database, session: string): Promise<void> {
  await db('console_sessions')
    .where({ token_hash: hashKey(session) })
    .delete();
}

/**
 * A sign-in link for the person with this e-mail address, queued as an e-mail in the notifications
 * the sender works through; nothing when no person has the address, or when the person has
 * signInLinksAtOnce links waiting already (the page says the same in every case).
 */
export async function sendSignInLink(
  db: Database,
  email: string,
  now: Date,
  message: (link: { token: string; name: string; expiresAt: Date }) => { subject: string; text: string },
): Promise<void> {
  const person = await db('people').whereRaw('lower(email) = lower(?)', [email]).orderBy('id').first('id', 'name', 'email');
  if (person === undefined) return;
  const waiting = await db('console_sign_in_links')
    .where({ person_id: person.id })
    .whereNull('used_at')
    .where('expires_at', '>', now)
    .count({ n: '*' });
  if (Number(waiting[0]?.n ?? 0) >= signInLinksAtOnce) return;
  const link = token();
  const expiresAt = new Date(now.getTime() + signInLinkMinutes * 60_000);
  const { subject, text } = message({ token: link, name: person.name, expiresAt });
  await db.transaction(async (trx) => {
    await trx('console_sign_in_links').insert({ token_hash: hashKey(link), person_id: person.id, expires_at: expiresAt, created_at: now });
    await trx('notifications').insert({
      id: randomUUID(),
      person_id: person.id,
      channel: 'email',
      to: person.email,
      subject,
      text,
      html: null,
      links: JSON.stringify([]),
    });
  });
}

/** Spends a sign-in link once, while it is valid: its person, or undefined. */
export async function spendSignInLink(db: Database, link: string, now: Date): Promise<string | undefined> {
  const [row] = await db('console_sign_in_links')
    .where({ token_hash: hashKey(link) })
    .whereNull('used_at')
    .where('expires_at', '>', now)
    .update({ used_at: now })
    .returning('person_id');
  return row?.person_id;
}
