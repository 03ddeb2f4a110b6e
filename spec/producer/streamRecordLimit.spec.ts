/**
 * Unit tests of the stream's record limit (`maxRecordBytes: 'stream'`): asked once, shared by
 * callers; 1 MiB without an answer, said once (not for a missing stream); asked again after an
 * abort.
 */
import { expect } from 'chai';
import { StreamRecordLimit } from '../../lib/producer/streamRecordLimit.js';
import { recordingLogger } from '../support/collect.js';
import { serviceError } from '../support/stubs.js';

const MiB = 1024 * 1024;

/** A limit whose `describe` answers with `answer()`, counting the calls. */
function limitWith(answer: (signal: AbortSignal) => Promise<number | undefined>) {
  const logger = recordingLogger();
  let calls = 0;
  const limit = new StreamRecordLimit(
    (signal) => {
      calls++;
      return answer(signal);
    },
    logger,
    'documents',
  );
  return { limit, logger, calls: () => calls };
}

const signal = new AbortController().signal;

describe('StreamRecordLimit', () => {
  it("asks once, callers at the same time share the call, and answers the stream's limit", async () => {
    const { limit, calls, logger } = limitWith(async () => 2 * MiB);
    expect(await Promise.all([limit.get(signal), limit.get(signal)])).to.deep.equal([2 * MiB, 2 * MiB]);
    expect(await limit.get(signal)).to.equal(2 * MiB);
    expect(calls()).to.equal(1);
    expect(logger.lines).to.deep.equal([]);
  });

  it('is 1 MiB without permission, and says so once, naming the permission', async () => {
    const { limit, calls, logger } = limitWith(async () => {
      throw serviceError('AccessDeniedException');
    });
    expect(await limit.get(signal)).to.equal(MiB);
    expect(await limit.get(signal)).to.equal(MiB);
    expect(calls()).to.equal(1);
    expect(logger.lines.map((line) => line.level)).to.deep.equal(['warn']);
    expect(logger.lines[0]!.message).to.include("cannot read the record limit of stream 'documents'").and.include('allow kinesis:DescribeStreamSummary');
  });

  it('is 1 MiB when the answer does not say (kinesalite), at debug; and for a missing stream, quietly (its records say so)', async () => {
    const absent = limitWith(async () => undefined);
    expect(await absent.limit.get(signal)).to.equal(MiB);
    expect(absent.logger.lines.map((line) => line.level)).to.deep.equal(['debug']);
    const missing = limitWith(async () => {
      throw serviceError('ResourceNotFoundException');
    });
    expect(await missing.limit.get(signal)).to.equal(MiB);
    expect(missing.logger.lines).to.deep.equal([]);
  });

  it('asks again after an aborted call', async () => {
    const aborting = new AbortController();
    let hang = true;
    const { limit, calls } = limitWith((callSignal) =>
      hang ? new Promise((_, reject) => callSignal.addEventListener('abort', () => reject(callSignal.reason), { once: true })) : Promise.resolve(3 * MiB),
    );
    const first = limit.get(aborting.signal);
    aborting.abort(new Error('unsubscribed'));
    let rejected: unknown;
    await first.catch((error: unknown) => (rejected = error));
    expect(rejected).to.be.an('error');
    hang = false;
    expect(await limit.get(signal)).to.equal(3 * MiB);
    expect(calls()).to.equal(2);
  });
});
