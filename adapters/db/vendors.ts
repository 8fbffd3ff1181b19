import { randomUUID } from 'node:crypto';
import type { Database } from './connect.ts';
import { hashKey, newApiKey } from './partners.ts';

// Vendors as registered: how each is reached. The catalog says what each does.

export type VendorChannel = 'amqp' | 'http' | 'mailbox';

export interface Vendor {
  id: string;
  name: string;
  channel: VendorChannel;
  baseUrl?: string;
  createdAt: string;
}

interface VendorRow {
  id: string;
  name: string;
  channel: VendorChannel;
  base_url: string | null;
  created_at: Date | string;
}

const toVendor = (row: VendorRow): Vendor => ({
  id: row.id,
  name: row.name,
  channel: row.channel,
  ...(row.base_url === null ? {} : { baseUrl: row.base_url }),
  createdAt: new Date(row.created_at).toISOString(),
});

/** The vendor and its first API key, or 'exists' when the id is taken. */
export async function createVendor(
  db: Database,
  vendor: Omit<Vendor, 'createdAt'>,
): Promise<{ vendor: Vendor; apiKey: string } | 'exists'> {
  return db.transaction(async (trx) => {
    const [row] = await trx<VendorRow>('vendors')
      .insert({ id: vendor.id, name: vendor.name, channel: vendor.channel, base_url: vendor.baseUrl ?? null })
      .onConflict('id')
      .ignore()
      .returning('*');
    if (row === undefined) return 'exists';
    const { key } = await createVendorKey(trx, vendor.id);
    return { vendor: toVendor(row), apiKey: key };
  });
}

/** Another key for the vendor: returned once, only its hash stored. Its other keys stay valid. */
export async function createVendorKey(db: Database, vendorId: string): Promise<{ id: string; key: string }> {
  const key = newApiKey('ogv');
  const id = randomUUID();
  await db('api_keys').insert({ id, vendor_id: vendorId, role: 'vendor', key_hash: hashKey(key), key_prefix: key.slice(0, 8) });
  return { id, key };
}

export async function listVendors(db: Database): Promise<Vendor[]> {
  return (await db<VendorRow>('vendors').orderBy('id')).map(toVendor);
}

export async function getVendor(db: Database, id: string): Promise<Vendor | undefined> {
  const row = await db<VendorRow>('vendors').where({ id }).first();
  return row === undefined ? undefined : toVendor(row);
}
