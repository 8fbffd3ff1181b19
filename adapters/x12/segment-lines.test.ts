import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { segmentLines } from './segment-lines.ts';

const bundle = readFileSync(new URL('fixtures/850-bundle.x12', import.meta.url), 'utf8');
const bytes = (text: string) => Buffer.from(text, 'utf8');
const unlimited = { maxSegments: 10_000, maxBytes: 10_000_000 };

describe('segmentLines', () => {
  it('gives each segment as sent, with the delimiters of its own ISA', () => {
    const { lines, cut, unreadable } = segmentLines(bytes(bundle), unlimited);
    expect(lines.map((l) => `${l.text}\n`).join('')).toBe(bundle);
    expect(lines[3]).toEqual({ tag: 'BEG', text: 'BEG*00*SA*PO-7001**20261127~' });
    expect(cut).toBe(false);
    expect(unreadable).toEqual([]);
  });

  it('reads other delimiters from the ISA: | between elements, ^ for components, a line break ending segments', () => {
    const other = bundle.replace(/\*/g, '|').replace('|>~', '|^\n').replace(/~\n/g, '\n');
    const { lines } = segmentLines(bytes(other), unlimited);
    expect(lines).toHaveLength(21);
    // A line break that ends segments is not shown as part of one.
    expect(lines[3]).toEqual({ tag: 'BEG', text: 'BEG|00|SA|PO-7001||20261127' });
  });

  it('redacts the ISA authorization and security information when they hold anything', () => {
    const withPassword = bundle.replace('ISA*00*          *00*          *', 'ISA*03*LETMEIN123*01*S3CR3TPW00*');
    const [isa] = segmentLines(bytes(withPassword), unlimited).lines;
    expect(isa?.text).toBe(bundle.split('\n')[0]?.replace('ISA*00*          *00*          *', 'ISA*03*[redacted]*01*[redacted]*'));
    expect(isa?.text).toHaveLength(106);
  });

  it('stops at the segment or byte limit and says so', () => {
    expect(segmentLines(bytes(bundle), { maxSegments: 5, maxBytes: 10_000 })).toMatchObject({ cut: true });
    expect(segmentLines(bytes(bundle), { maxSegments: 5, maxBytes: 10_000 }).lines.map((l) => l.tag)).toEqual([
      'ISA',
      'GS',
      'ST',
      'BEG',
      'CUR',
    ]);
    const byBytes = segmentLines(bytes(bundle), { maxSegments: 1_000, maxBytes: bundle.indexOf('BEG') + 10 });
    expect(byBytes.cut).toBe(true);
    // Only whole segments: the one the limit cuts through is left out.
    expect(byBytes.lines.map((l) => l.tag)).toEqual(['ISA', 'GS', 'ST']);
  });

  it('tells bytes that are no X12', () => {
    const { lines, unreadable } = segmentLines(bytes(`hello${bundle}`), unlimited);
    expect(lines).toHaveLength(21);
    expect(unreadable).toEqual([expect.stringContaining('at byte 0: expected an interchange to start with ISA')]);
  });
});
