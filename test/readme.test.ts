import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { documentLimitNames, documentLimits, identifierLimits } from '../adapters/cxml/index.ts';
import { problemCodes } from '../api/problems.ts';
import { identifierLimits as orderIdentifierLimits } from '../domain/order.ts';
import { configVariables } from '../config.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** Rows of the first markdown table after a heading. */
function tableAfter(heading: string): string[][] {
  const section = readme.slice(readme.indexOf(heading));
  const rows = section.split('\n').filter((line) => line.startsWith('|'));
  const table: string[][] = [];
  for (const row of rows.slice(2)) {
    table.push(
      row
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/^`|`$/g, '')),
    );
  }
  const end = section.split('\n').findIndex((line, i) => i > 0 && line.startsWith('## '));
  const inSection = end === -1 ? section : section.split('\n').slice(0, end).join('\n');
  return table.filter((row) => inSection.includes(`| \`${row[0]}\``));
}

/** Rows of the table that follows `intro` (the first line starting with '|' after it, up to the first that does not). */
function tableFollowing(intro: string): string[][] {
  const lines = readme.slice(readme.indexOf(intro)).split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
  return lines.slice(start + 2, end).map((row) =>
    row
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim().replace(/^`|`$/g, '')),
  );
}

describe('README', () => {
  it('starts with the two set-up commands', () => {
    const firstBlock = readme.split('```')[1] ?? '';
    expect(firstBlock).toContain('npm install && npm start');
    expect(firstBlock).toContain('npm test');
  });

  it('lists every problem code with its status, and no others', () => {
    const rows = tableAfter('## Errors');
    expect(rows.map((r) => r[0])).toEqual(Object.keys(problemCodes));
    for (const [code, status, meaning] of rows) {
      const known = problemCodes[code as keyof typeof problemCodes];
      expect(status).toBe(String(known.status));
      expect(meaning).toBe(known.title);
    }
  });

  it('lists every configuration variable with its default, and no others', () => {
    const rows = tableAfter('## Configuration');
    expect(rows.map((r) => r[0])).toEqual(configVariables.map((v) => v.name));
    for (const [name, fallback, meaning] of rows) {
      const variable = configVariables.find((v) => v.name === name);
      expect(fallback).toBe(variable?.default);
      expect(meaning).toBe(variable?.description);
    }
  });

  it('lists every cXML limit with its value, as adapters/cxml/limits.ts sets them', () => {
    const documents = tableFollowing('What one cXML document may hold');
    expect(documents.map((r) => r[0])).toEqual(Object.values(documentLimitNames));
    for (const [name, value] of documents) {
      const key = Object.entries(documentLimitNames).find(([, n]) => n === name)?.[0] as keyof typeof documentLimits;
      expect(value, name).toBe(String(documentLimits[key]));
    }
    const identifiers = tableFollowing('Identifiers that are stored or indexed');
    expect(Object.fromEntries(identifiers.map((r) => [r[0], Number(r[2])]))).toEqual(identifierLimits);
  });

  it('lists every identifier limit of every channel with its value, as domain/order.ts sets them', () => {
    const rows = tableFollowing('### Identifiers, on every channel');
    expect(Object.fromEntries(rows.map((r) => [r[0], Number(r[1])]))).toEqual(orderIdentifierLimits);
  });
});
