import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Validates XML against one of the cXML DTDs with libxml2's xmllint, offline (--nonet): the
// DOCTYPE's own URL is never fetched, the DTD comes from adapters/cxml/fixtures/dtd.

const dtds = new URL('../../adapters/cxml/fixtures/dtd/', import.meta.url);

export function validateAgainstDtd(xml: string, dtd: 'cXML.dtd' | 'Fulfill.dtd'): { valid: boolean; errors: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'ordergate-dtd-'));
  try {
    const file = join(dir, 'document.xml');
    writeFileSync(file, xml);
    const result = spawnSync('xmllint', ['--noout', '--nonet', '--nowarning', '--dtdvalid', new URL(dtd, dtds).pathname, file], {
      encoding: 'utf8',
    });
    if (result.error !== undefined)
      throw new Error(`xmllint is needed to validate against the DTD (apt-get install libxml2-utils): ${result.error.message}`);
    // --nonet refuses the DOCTYPE's URL, which is the point; that refusal is no finding.
    const errors = result.stderr.split('\n').filter((line) => line.includes('error') && !line.includes('network entity'));
    return { valid: result.status === 0 && errors.length === 0, errors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
