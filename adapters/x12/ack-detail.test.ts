import { describe, expect, it } from 'vitest';
import { ackDetailView } from './ack-detail.ts';

describe('ackDetailView', () => {
  it('tells a 997 rejecting our set: group and set verdicts and each AK3/AK4 error, codes in words', () => {
    const view = ackDetailView({
      kind: '997',
      inboundDocumentId: 'doc-1',
      group: { functionalId: 'PR', gsControlNumber: '7', status: 'R', codes: ['5'], counts: { included: 1, received: 1, accepted: 0 } },
      set: {
        setId: '855',
        stControlNumber: '0001',
        status: 'R',
        codes: ['5'],
        errors: [{ segment: 'BAK', position: '3', code: '8', elements: [{ position: '2', reference: '587', code: '7', value: 'XX' }] }],
      },
    });
    expect(view).toEqual({
      kind: '997',
      receivedId: 'doc-1',
      facts: [
        { label: 'Group (AK1)', value: 'PR GS06 7' },
        { label: 'Group status (AK9)', value: 'R (rejected)' },
        { label: 'Group codes', value: expect.stringMatching(/^5 \(.+\)$/) },
        { label: 'Set (AK2)', value: '855 ST02 0001' },
        { label: 'Set status (AK5)', value: 'R (rejected)' },
        { label: 'Set codes', value: expect.stringMatching(/^5 \(.+\)$/) },
      ],
      errors: [
        {
          segment: 'BAK',
          position: '3',
          loop: '',
          code: '8 (segment has data element errors)',
          elements: [{ position: '2', reference: '587', code: expect.stringMatching(/^7 \(.+\)$/), value: 'XX' }],
        },
      ],
    });
  });

  it('tells a TA1 with its note, and leaves an unknown code as it came', () => {
    const view = ackDetailView({ kind: 'TA1', interchange: { isaControlNumber: '000000042', status: 'R', note: '999' } });
    expect(view?.facts).toEqual([
      { label: 'TA1 for our ISA13', value: '000000042' },
      { label: 'TA1 status', value: 'R (rejected)' },
      { label: 'TA1 note', value: '999' },
    ]);
    expect(ackDetailView(undefined)).toBeUndefined();
  });
});
