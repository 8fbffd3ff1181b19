// X12 acknowledgment codes, listed once. Names follow the X12 code lists.

/** TA105 interchange note codes. */
export const interchangeNotes = {
  noError: '000',
  controlNumberMismatch: '001',
  standardNotSupported: '002',
  versionNotSupported: '003',
  invalidSegmentTerminator: '004',
  invalidSenderQualifier: '005',
  invalidSenderId: '006',
  invalidReceiverQualifier: '007',
  invalidReceiverId: '008',
  unknownReceiverId: '009',
  invalidAuthorizationQualifier: '010',
  invalidAuthorizationValue: '011',
  invalidSecurityQualifier: '012',
  invalidSecurityValue: '013',
  invalidDate: '014',
  invalidTime: '015',
  invalidStandardsId: '016',
  invalidVersion: '017',
  invalidControlNumber: '018',
  invalidAckRequested: '019',
  invalidTestIndicator: '020',
  invalidGroupCount: '021',
  invalidControlStructure: '022',
  prematureEndOfFile: '023',
  invalidContent: '024',
  duplicateControlNumber: '025',
  invalidElementSeparator: '026',
  invalidComponentSeparator: '027',
} as const;

/** AK304 / IK304 segment syntax error codes. */
export const segmentErrors = {
  unrecognizedSegment: '1',
  unexpectedSegment: '2',
  mandatoryMissing: '3',
  loopOverMaximum: '4',
  segmentOverMaximum: '5',
  notInTransactionSet: '6',
  outOfSequence: '7',
  hasElementErrors: '8',
} as const;

/** AK403 / IK403 data element error codes. */
export const elementErrors = {
  mandatoryMissing: '1',
  conditionalMissing: '2',
  tooMany: '3',
  tooShort: '4',
  tooLong: '5',
  invalidCharacter: '6',
  invalidCode: '7',
  invalidDate: '8',
  invalidTime: '9',
  exclusionViolated: '10',
} as const;

/** AK502 / IK502 transaction set error codes. */
export const setErrors = {
  notSupported: '1',
  trailerMissing: '2',
  controlNumberMismatch: '3',
  segmentCountMismatch: '4',
  segmentsInError: '5',
  invalidSetId: '6',
  invalidControlNumber: '7',
  duplicateControlNumber: '23',
} as const;

/** AK905 functional group error codes. */
export const groupErrors = {
  notSupported: '1',
  versionNotSupported: '2',
  trailerMissing: '3',
  controlNumberMismatch: '4',
  setCountMismatch: '5',
  invalidControlNumber: '6',
  duplicateControlNumber: '19',
} as const;

export type AckStatus = 'A' | 'E' | 'P' | 'R';
