import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { TextItem } from 'pdfjs-dist/types/src/display/api.js';

// A PDF read as a viewer reads it: PDF.js (Mozilla's), not the library that wrote it.

// PDF.js reads the metrics of the standard fonts (Helvetica) from its own files.
const standardFontDataUrl = join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts') + '/';

async function textItems(pdf: Buffer): Promise<TextItem[]> {
  const document = await getDocument({ data: new Uint8Array(pdf), standardFontDataUrl, isEvalSupported: false }).promise;
  const items: TextItem[] = [];
  for (let n = 1; n <= document.numPages; n++) {
    const content = await (await document.getPage(n)).getTextContent();
    for (const item of content.items) if ('str' in item) items.push(item);
  }
  return items;
}

/** The text, line by line; PDF.js gives runs of spaces back as one. */
export async function pdfTextLines(pdf: Buffer): Promise<string[]> {
  const lines: string[] = [];
  let line = '';
  for (const item of await textItems(pdf)) {
    line += item.str;
    if (item.hasEOL) {
      lines.push(line);
      line = '';
    }
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => l.replace(/\s+/g, ' ').trim());
}

/** Where on its line the first text starting with `prefix` begins (shows indentation). */
export async function pdfTextX(pdf: Buffer, prefix: string): Promise<number> {
  const item = (await textItems(pdf)).find((i) => i.str.replace(/\s+/g, ' ').startsWith(prefix));
  if (item === undefined) throw new Error(`no text starting with ${prefix}`);
  return item.transform[4] as number;
}
