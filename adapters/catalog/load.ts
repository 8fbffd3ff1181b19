import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { checkCatalog, type Catalog, type CatalogProblem } from '../../domain/catalog.ts';
import { err, type Result } from '../../domain/result.ts';
import type { WorkingCalendar } from '../../domain/working-calendar.ts';
import { packageFile } from '../../package-files.ts';

export const demoCatalogPath = packageFile('mappings/catalog/demo.yaml');

/**
 * Reads a catalog file and checks it. A file that is not YAML is a `not-yaml` problem; a file
 * that cannot be read at all is thrown (a failure, not an outcome).
 */
export function loadCatalog(
  path: URL | string = demoCatalogPath,
  calendars: ReadonlyMap<string, WorkingCalendar> = new Map(),
): Result<Catalog, CatalogProblem[]> {
  const text = readFileSync(path, 'utf8');
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    return err([{ pointer: '', code: 'not-yaml', detail: `${String(path)} is not YAML: ${(error as Error).message}` }]);
  }
  return checkCatalog(data, calendars);
}
