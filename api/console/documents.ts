import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ackDetailView } from '../../adapters/x12/index.ts';
import { apiFor, problemText } from './api-call.ts';
import {
  acknowledgmentOf,
  bodyView,
  controlNumbers,
  ordersOf,
  otherControl,
  shownLimits,
  typeLabel,
  type DocumentJson,
} from './document-view.ts';
import { partnerName, partnerNames } from './partner-names.ts';
import { refusalOf, refusedPage, render } from './render.ts';
import { timeText } from './words.ts';

// Documents in and out (/console/documents) and one document with its body made readable
// (/console/documents/:id), both read through GET /v1/documents: a partner sees its own, the admin
// every partner's.

const pageSize = 50;
const filterNames = ['direction', 'type', 'partnerId', 'orderId'] as const;
type Filters = Partial<Record<(typeof filterNames)[number] | 'before', string>>;

/** The types the filter offers; any other (a webhook's topic) can be typed in. */
const knownTypes = [
  '850',
  '855',
  '856',
  '810',
  '997',
  '999',
  'TA1',
  'OrderRequest',
  'ConfirmationRequest',
  'ShipNoticeRequest',
  'order.json',
];

const query = (filters: Filters): string => {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value !== undefined && value.trim() !== '') params.set(name, value.trim());
  return params.toString();
};

export function documentPages() {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/console/documents', async (request: FastifyRequest<{ Querystring: Filters }>, reply) => {
      const api = apiFor(request);
      const admin = request.consoleSession?.principal.role === 'admin';
      const filters: Filters = Object.fromEntries(
        filterNames.flatMap((name) => (typeof request.query[name] === 'string' ? [[name, request.query[name]]] : [])),
      );
      if (!admin) delete filters.partnerId;
      const before = typeof request.query.before === 'string' ? request.query.before : undefined;
      const [answer, names] = await Promise.all([
        api<{ documents: DocumentJson[] }>('GET', `/v1/documents?${query({ ...filters, before })}&sort=newest&limit=${pageSize + 1}`),
        partnerNames(api, admin),
      ]);
      const documents = answer.ok ? answer.body.documents : [];
      const shown = documents.slice(0, pageSize);
      const last = shown[shown.length - 1];
      return render(
        request,
        reply,
        'documents',
        {
          title: 'Documents',
          section: '/console/documents',
          admin,
          filters,
          knownTypes,
          partners: [...names].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name)),
          rows: shown.map((document) => ({
            id: document.id,
            stored: timeText(document.createdAt),
            partner: names.get(document.partnerId) ?? document.partnerId,
            direction: document.direction === 'inbound' ? 'in' : 'out',
            type: typeLabel(document),
            control: controlNumbers(document.control ?? {}),
            ack: acknowledgmentOf(document),
            orders: ordersOf(document),
            moreOrders: document.moreOrders === true,
          })),
          next:
            documents.length > pageSize && last !== undefined ? `/console/documents?${query({ ...filters, before: last.id })}` : undefined,
          first: before === undefined ? undefined : `/console/documents?${query(filters)}`,
          ...(answer.ok ? {} : { notice: { kind: 'problem' as const, text: problemText(answer) } }),
        },
        answer.ok ? 200 : answer.status,
      );
    });

    app.get('/console/documents/:id', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const api = apiFor(request);
      const id = encodeURIComponent(request.params.id);
      const [summary, body] = await Promise.all([
        api<DocumentJson>('GET', `/v1/documents/${id}?view=summary`),
        api('GET', `/v1/documents/${id}`),
      ]);
      if (!summary.ok || !body.ok) {
        const failed = summary.ok ? body : summary;
        return refusedPage(request, reply, refusalOf(failed), {
          section: '/console/documents',
          title: failed.status === 404 ? 'No such document' : 'The document could not be shown',
          back: { href: '/console/documents', label: 'Back to the documents' },
        });
      }
      const document = summary.body;
      const partner = await partnerName(api, request, document.partnerId);
      return render(request, reply, 'document', {
        title: `${typeLabel(document)} ${document.direction === 'inbound' ? 'from' : 'to'} ${partner}`,
        section: '/console/documents',
        document,
        stored: timeText(document.createdAt),
        partner,
        control: controlNumbers(document.control ?? {}),
        otherControl: otherControl(document.control ?? {}),
        ack: acknowledgmentOf(document),
        orders: ordersOf(document),
        findings: document.findings === undefined ? undefined : JSON.stringify(document.findings, null, 2),
        ackDetail: ackDetailView(document.acknowledgment?.detail),
        view: bodyView(body.contentType, body.text),
        limits: shownLimits,
        rawHref: `/v1/documents/${id}`,
      });
    });
  };
}
