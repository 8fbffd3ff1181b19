import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCalendars } from './index.ts';

describe('working calendars from mappings/calendars', () => {
  it('the shipped office calendar loads: weekdays 09:00 to 17:00 in New York', () => {
    const loaded = loadCalendars();
    const office = loaded.ok ? loaded.value.get('office') : undefined;
    expect(office).toMatchObject({ timeZone: 'America/New_York', days: [1, 2, 3, 4, 5], startMinute: 540, endMinute: 1020 });
    expect(office?.holidays.has('2026-12-25')).toBe(true);
  });

  it('names the file and the field of each problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'calendars-'));
    writeFileSync(join(dir, 'bad.yaml'), "timeZone: Europe/Berlin\ndays: [1]\nhours: { start: '9', end: '17:00' }\n");
    writeFileSync(join(dir, 'broken.yaml'), 'days: [1\n');
    const loaded = loadCalendars(dir);
    expect(loaded.ok ? [] : loaded.error.map((p) => `${p.file.replace(/^.*[/\\]/, '')}#${p.pointer}`)).toEqual([
      'bad.yaml#/hours/start',
      'broken.yaml#',
    ]);
  });
});
