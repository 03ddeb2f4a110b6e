/**
 * Error classification: which whole-request failures are worth another attempt.
 */
import { expect } from 'chai';
import { serviceError } from '../support/stubs.js';
import { isOutcomeUnknown, isRetryableRequestError } from '../../lib/kinesis/errorCodes.js';

describe('isRetryableRequestError', () => {
  it('retries throttling, 5xx, timeouts and cut connections', () => {
    for (const error of [
      serviceError('ProvisionedThroughputExceededException', 'client', 400),
      serviceError('InternalFailure', 'server', 500),
      serviceError('SomethingNew', 'server', 503),
      serviceError('Throttled', 'client', 429),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      Object.assign(new Error('timed out'), { name: 'TimeoutError' }),
    ]) {
      expect(isRetryableRequestError(error), error.name).to.equal(true);
    }
  });
  it('retries KMSThrottlingException refusing a whole request (a 400 the SDK does not retry), which wrote nothing', () => {
    const error = serviceError('KMSThrottlingException', 'client', 400);
    expect(isRetryableRequestError(error)).to.equal(true);
    expect(isOutcomeUnknown(error)).to.equal(false);
  });
  it('does not retry a missing stream, access denied, validation or KMS errors', () => {
    for (const error of [
      serviceError('ResourceNotFoundException', 'client', 400),
      serviceError('AccessDeniedException', 'client', 400),
      serviceError('ValidationException', 'client', 400),
      serviceError('KMSAccessDeniedException', 'client', 400),
      new Error('Region is missing'),
      'a string',
    ]) {
      expect(isRetryableRequestError(error), String(error)).to.equal(false);
    }
  });
});
