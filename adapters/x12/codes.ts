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

type CodeOf<T> = T[keyof T] & string;

// What each code means, in words, for people (the CLI's reasons, logs); an acknowledgment carries
// only the code. Every code listed above has its words: a code added without them does not compile.

/** TA105, in words. */
export const interchangeNoteMeanings: Record<CodeOf<typeof interchangeNotes>, string> = {
  '000': 'no error',
  '001': 'the interchange control number in the header and trailer do not match',
  '002': 'this standard (ISA01..ISA16 layout) is not supported',
  '003': 'this version of the controls is not supported',
  '004': 'the segment terminator is invalid',
  '005': 'invalid interchange ID qualifier for the sender',
  '006': 'invalid interchange sender ID',
  '007': 'invalid interchange ID qualifier for the receiver',
  '008': 'invalid interchange receiver ID',
  '009': 'unknown interchange receiver ID',
  '010': 'invalid authorization information qualifier',
  '011': 'invalid authorization information',
  '012': 'invalid security information qualifier',
  '013': 'invalid security information',
  '014': 'invalid interchange date',
  '015': 'invalid interchange time',
  '016': 'invalid interchange standards identifier',
  '017': 'invalid interchange version ID',
  '018': 'invalid interchange control number',
  '019': 'invalid acknowledgment requested value',
  '020': 'invalid test indicator value',
  '021': 'invalid number of included groups',
  '022': 'invalid control structure',
  '023': 'improper (premature) end of file',
  '024': 'invalid interchange content (e.g. an invalid GS segment)',
  '025': 'duplicate interchange control number',
  '026': 'invalid data element separator',
  '027': 'invalid component element separator',
};

/** AK304 / IK304, in words. */
export const segmentErrorMeanings: Record<CodeOf<typeof segmentErrors>, string> = {
  '1': 'unrecognized segment ID',
  '2': 'unexpected segment',
  '3': 'mandatory segment missing',
  '4': 'loop occurs over maximum times',
  '5': 'segment exceeds maximum use',
  '6': 'segment not in defined transaction set',
  '7': 'segment not in proper sequence',
  '8': 'segment has data element errors',
};

/** AK403 / IK403, in words. */
export const elementErrorMeanings: Record<CodeOf<typeof elementErrors>, string> = {
  '1': 'mandatory data element missing',
  '2': 'conditional required data element missing',
  '3': 'too many data elements',
  '4': 'data element too short',
  '5': 'data element too long',
  '6': 'invalid character in data element',
  '7': 'invalid code value',
  '8': 'invalid date',
  '9': 'invalid time',
  '10': 'exclusion condition violated',
};

/** AK502 / IK502, in words. */
export const setErrorMeanings: Record<CodeOf<typeof setErrors>, string> = {
  '1': 'transaction set not supported',
  '2': 'transaction set trailer missing',
  '3': 'transaction set control number in header and trailer do not match',
  '4': 'number of included segments does not match actual count',
  '5': 'one or more segments in error',
  '6': 'missing or invalid transaction set identifier',
  '7': 'missing or invalid transaction set control number',
  '23': 'transaction set control number not unique within the functional group',
};

/** AK905, in words. */
export const groupErrorMeanings: Record<CodeOf<typeof groupErrors>, string> = {
  '1': 'functional group not supported',
  '2': 'functional group version not supported',
  '3': 'functional group trailer missing',
  '4': 'group control number in the functional group header and trailer do not agree',
  '5': 'number of included transaction sets does not match actual count',
  '6': 'group control number violates syntax',
  '19': 'functional group control number not unique within interchange',
};
