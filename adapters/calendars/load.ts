import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { err, ok, type Result } from '../../domain/result.ts';
import { parseCalendar, type WorkingCalendar } from '../../domain/working-calendar.ts';
import { packageFile } from '../../package-files.ts';

export const defaultCalendarsDir = fileURLToPath(packageFile('mappings/calendars'));

/** A calendar file's problem: the file, the field, what is wrong. */
export interface CalendarFileProblem {
  file: string;
  pointer: string;
  detail: string;
}

/** Every `*.yaml` in `dir`, each a calendar named by its file (office.yaml: "office"). A directory that cannot be read is thrown. */
export function loadCalendars(dir: string = defaultCalendarsDir): Result<ReadonlyMap<string, WorkingCalendar>, CalendarFileProblem[]> {
  const calendars = new Map<string, WorkingCalendar>();
  const problems: CalendarFileProblem[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.yaml'))
    .sort()) {
    const file = join(dir, name);
    let data: unknown;
    try {
      data = parse(readFileSync(file, 'utf8'));
    } catch (error) {
      problems.push({ file, pointer: '', detail: `not YAML: ${(error as Error).message}` });
      continue;
    }
    const parsed = parseCalendar(basename(name, '.yaml'), data);
    if (parsed.ok) calendars.set(parsed.value.id, parsed.value);
    else problems.push(...parsed.error.map((problem) => ({ file, ...problem })));
  }
  return problems.length > 0 ? err(problems) : ok(calendars);
}
