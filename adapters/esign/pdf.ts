import PDFDocument from 'pdfkit';
import type { ApprovalSummary } from '../../domain/approval.ts';

// The order as the signer sees it: what they approve by signing. pdfkit (actively maintained,
// streams, standard fonts built in) rather than pdf-lib (no release since 2021): rendering is all
// we need, and pdf-lib is kept only as a test dependency to load the result back.

export interface PdfOptions {
  /**
   * Text the provider finds to place its signature field (DocuSign anchor string, Acrobat Sign
   * text tag). Written in white: the provider sees it, the signer sees the field.
   */
  anchor: string;
  /** When the document was made, shown on it; now when absent (tests fix it). */
  createdAt?: Date;
}

const money = (amount: number, currency: string): string =>
  `${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 })} ${currency}`;

/** Lines by number, each bundle's components right under it, indented, whatever order they were listed in. */
function linesInOrder(lines: ApprovalSummary['lines']): { line: ApprovalSummary['lines'][number]; depth: number }[] {
  const byParent = new Map<string | undefined, ApprovalSummary['lines']>();
  const numbers = new Set(lines.map((line) => line.lineNumber));
  for (const line of lines) {
    // A component whose parent is not in the summary is still shown, at the top.
    const parent = line.parentLineNumber !== undefined && numbers.has(line.parentLineNumber) ? line.parentLineNumber : undefined;
    byParent.set(parent, [...(byParent.get(parent) ?? []), line]);
  }
  const out: { line: ApprovalSummary['lines'][number]; depth: number }[] = [];
  const visit = (parent: string | undefined, depth: number): void => {
    const siblings = [...(byParent.get(parent) ?? [])].sort((a, b) => a.lineNumber.localeCompare(b.lineNumber, 'en', { numeric: true }));
    for (const line of siblings) {
      out.push({ line, depth });
      visit(line.lineNumber, depth + 1);
    }
  };
  visit(undefined, 0);
  return out;
}

export function renderOrderPdf(summary: ApprovalSummary, options: PdfOptions): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: {
      Title: `Order ${summary.externalRef} for approval`,
      Subject: `${summary.partner.name}: ${summary.externalRef}, level ${summary.level.level} of ${summary.level.of}`,
      Creator: 'ordergate',
      CreationDate: options.createdAt ?? new Date(),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const { currency } = summary;
  doc.font('Helvetica-Bold').fontSize(16).text(`Order ${summary.externalRef}: approval requested`);
  doc.moveDown(0.5).font('Helvetica').fontSize(10);
  doc.text(`Partner: ${summary.partner.name} (${summary.partner.id})`);
  doc.text(`Order: ${summary.orderId}`);
  doc.text(`Level ${summary.level.level} of ${summary.level.of}: ${summary.level.name}`);
  doc.text(`Computed total: ${money(summary.computedTotal, currency)}`);
  if (summary.statedTotal !== undefined) doc.text(`Stated total: ${money(summary.statedTotal, currency)}`);

  doc.moveDown().font('Helvetica-Bold').fontSize(12).text('Lines');
  doc.font('Helvetica').fontSize(10);
  for (const { line, depth } of linesInOrder(summary.lines)) {
    const price = line.unitPrice === undefined ? '' : ` at ${money(line.unitPrice, currency)}`;
    const what = [line.sku, line.description].filter((part) => part !== undefined && part !== '').join(' ') || '(no item)';
    doc.text(`${line.lineNumber}  ${what}  ${line.quantity} ${line.uom}${price}`, { indent: 18 * depth });
  }

  doc.moveDown().font('Helvetica-Bold').fontSize(12).text('Why it needs approval');
  doc.font('Helvetica').fontSize(10);
  for (const reason of summary.reasons) {
    const line = reason.lineNumber === undefined ? '' : ` (line ${reason.lineNumber})`;
    doc.text(`- ${reason.detail}${line} [${reason.policy}: ${reason.code}]`);
  }

  doc.moveDown().font('Helvetica-Bold').fontSize(12).text('Approval history');
  doc.font('Helvetica').fontSize(10);
  if (summary.history.length === 0) doc.text('No decision yet.');
  for (const entry of summary.history) {
    const comment = entry.comment === undefined ? '' : `: ${entry.comment}`;
    doc.text(`${entry.at}  level ${entry.level}  ${entry.decision} by ${entry.by} (${entry.via})${comment}`);
  }

  doc.moveDown(2).font('Helvetica-Bold').fontSize(12).text('Signature');
  doc.font('Helvetica').fontSize(10).text(`By signing, I approve order ${summary.externalRef} at level ${summary.level.level}.`);
  doc.moveDown(2);
  const y = doc.y;
  doc.fillColor('white').text(options.anchor, 50, y);
  doc.fillColor('black');
  doc
    .moveTo(50, y + 28)
    .lineTo(300, y + 28)
    .stroke();
  doc.text('Signature', 50, y + 32);
  doc.end();
  return done;
}
