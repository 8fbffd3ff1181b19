/** The provider refused for good (no such mailbox, a number it will not text): tried no more. */
export class PermanentSendError extends Error {
  override name = 'PermanentSendError';
}
