import { describe, expect, it } from 'vitest';
import { readAcknowledgmentInterchange } from './acknowledgment-in.ts';

const isa = 'ISA*00*          *00*          *ZZ*ACMEBUYER      *ZZ*ORDERGATE      *261206*0900*U*00401*000000701*0*P*>~';

describe('reading a partner acknowledgment', () => {
  it('reads a 997 with AK2..AK5 and AK9, including an unlisted accepted set', () => {
    const text =
      isa +
      'GS*FA*ACMEBUYER*ORDERGATE*20261206*0900*701*X*004010~ST*997*0001~AK1*SH*42~AK2*856*0001~AK3*HL*4*HL*8~AK4*1*628*1~AK4*2:1**7*X~AK5*R*5~AK9*P*2*2*1~SE*8*0001~GE*1*701~IEA*1*000000701~';
    expect(readAcknowledgmentInterchange(new TextEncoder().encode(text))).toEqual({
      acks: [
        {
          kind: '997',
          functionalId: 'SH',
          gsControlNumber: '42',
          status: 'P',
          codes: [],
          counts: { included: 2, received: 2, accepted: 1 },
          sets: [
            {
              setId: '856',
              stControlNumber: '0001',
              status: 'R',
              codes: ['5'],
              errors: [
                {
                  segment: 'HL',
                  position: '4',
                  loop: 'HL',
                  code: '8',
                  elements: [
                    { position: '1', reference: '628', code: '1' },
                    { position: '2:1', code: '7', value: 'X' },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it('reads a TA1, and leaves an interchange with an order in it to the order path', () => {
    const ta1 = `${isa}TA1*000000123*261206*0900*E*022~IEA*0*000000701~`;
    expect(readAcknowledgmentInterchange(new TextEncoder().encode(ta1))).toEqual({
      acks: [{ kind: 'TA1', isaControlNumber: '000000123', date: '261206', time: '0900', status: 'E', note: '022' }],
    });
    const order = `${isa}TA1*000000123*261206*0900*A*000~GS*PO*A*B*20261206*0900*1*X*004010~ST*850*0001~BEG*00*SA*PO~SE*3*0001~GE*1*1~IEA*1*000000701~`;
    expect(readAcknowledgmentInterchange(new TextEncoder().encode(order))).toBeUndefined();
  });
});
