import nock from 'nock';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** Inside this describe, no HTTP leaves the process: only what a test mocks with nock answers. */
export function withoutNetwork(): void {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());
}
