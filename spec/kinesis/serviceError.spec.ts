/**
 * Error answers as the SDK's exceptions, read without the SDK's parser.
 */
import { KinesisServiceException, ProvisionedThroughputExceededException, ResourceNotFoundException } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { serviceError } from '../../lib/kinesis/serviceError.js';

describe('serviceError', () => {
  it("is the client package's modeled exception for a modeled code, with the answer's message and metadata", () => {
    const error = serviceError({
      statusCode: 400,
      headers: { 'x-amzn-requestid': 'req-1' },
      body: JSON.stringify({ __type: 'ResourceNotFoundException', message: 'Stream s under account 111122223333 not found.' }),
    });
    expect(error).to.be.instanceOf(ResourceNotFoundException);
    expect(error).to.include({ name: 'ResourceNotFoundException', $fault: 'client', message: 'Stream s under account 111122223333 not found.' });
    expect(error.$metadata).to.include({ httpStatusCode: 400, requestId: 'req-1' });
    expect((error as { $response?: unknown }).$response).to.equal(undefined);
  });

  it('reads the code from the x-amzn-errortype header or the body, without a namespace or a suffix', () => {
    const namespaced = serviceError({ statusCode: 400, headers: {}, body: JSON.stringify({ __type: 'com.amazonaws.kinesis.v20131202#ProvisionedThroughputExceededException', message: 'Rate exceeded' }) });
    expect(namespaced).to.be.instanceOf(ProvisionedThroughputExceededException);
    const fromHeader = serviceError({ statusCode: 400, headers: { 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/coral/' }, body: '{"Message":"not authorized"}' });
    expect(fromHeader).to.include({ name: 'AccessDeniedException', message: 'not authorized' });
  });

  it('is a KinesisServiceException named by the code for a code the client package does not model; a server fault for 5xx', () => {
    const error = serviceError({ statusCode: 500, headers: {}, body: '{"__type":"InternalFailure"}' });
    expect(error).to.be.instanceOf(KinesisServiceException);
    expect(error).to.include({ name: 'InternalFailure', $fault: 'server', message: 'UnknownError' });
    expect(serviceError({ statusCode: 400, headers: {}, body: '{"__type":"ThrottlingException","message":"slow down"}' })).to.include({ name: 'ThrottlingException', $fault: 'client' });
  });

  it('says the size, not the content, of a body that is not JSON', () => {
    const error = serviceError({ statusCode: 502, headers: {}, body: '<html>Bad Gateway</html>' });
    expect(error).to.include({ name: 'UnknownError', $fault: 'server', message: 'HTTP 502 answer whose body is not JSON (24 bytes)' });
  });
});
