/** The command's progress line and summary, from a tally. */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { Progress, TTY_INTERVAL_MS } from '../../lib/cli/progress.js';
import { Tally } from '../../lib/cli/tally.js';
import type { KinesisBatchResult, KinesisRecordResult } from '../../lib/index.js';

/** A batch result of `records`, sent in `attempts` rounds. */
const batch = (records: KinesisRecordResult<string>[], attempts: number): KinesisBatchResult<string> => {
  const failed = records.filter((record) => record.status === 'failed').length;
  return { streamName: 's', records, recordCount: records.length, successfulRecordCount: records.length - failed, failedRecordCount: failed, attempts, throttledRecordAttempts: 0, bytes: 1, durationMs: 1 };
};
const ok = (attempts: number, possiblyDuplicated = false): KinesisRecordResult<string> => ({
  status: 'ok', item: 'x', partitionKey: 'k', shardId: 'shard-0', sequenceNumber: '1', attempts, ...(possiblyDuplicated ? { possiblyDuplicated: true as const } : {}),
});
const failed = (errorCode: string, attempts: number, possiblyWritten: boolean): KinesisRecordResult<string> => ({ status: 'failed', item: 'x', errorCode, errorMessage: 'm', attempts, possiblyWritten });

describe('Progress', () => {
  it('the progress line on a terminal: lines read, delivered, failed, delivered/s, waiting, requests retried, timed out', async () => {
    const written: string[] = [];
    const tally = new Tally();
    const progress = new Progress({ write: (text: string) => written.push(text), isTTY: true }, tally, { lines: 12, records: 10 }, 100, 1_000);
    progress.start();
    tally.batch(batch([ok(1), ok(3), failed('TimeoutError', 3, true)], 3));
    progress.waitingNow(4, 40);
    await sleep(TTY_INTERVAL_MS * 1.5);
    progress.stop();
    expect(written[0]).to.match(/^\r\x1b\[2Krxjs-kinesis: 12 lines read, 2 delivered, 1 failed, [\d,]+ delivered\/s, 4 waiting, 2 requests retried, 1 timed out$/);
    expect(written.at(-1)).to.equal('\r\x1b[2K');
  });

  it('the summary: every record counted once; retries, records delivered after a retry, failed records possibly written', () => {
    const tally = new Tally();
    tally.batch(batch([ok(1), ok(2), ok(4, true), failed('ProvisionedThroughputExceededException', 2, false), failed('ETIMEDOUT', 4, true)], 4));
    tally.failedAlone('InvalidPartitionKey');
    tally.unresolved('notSent', 2);
    tally.unresolved('noOutcome', 1);
    const summary = new Progress({ write: () => undefined }, tally, { lines: 11, records: 9 }, 100, 1_000).summary();
    expect(summary).to.match(
      /^rxjs-kinesis: 3 delivered, 3 failed \((ProvisionedThroughputExceededException x1, ETIMEDOUT x1, InvalidPartitionKey x1)\), 2 not sent, 1 with no outcome, of 9 records from 11 lines, in [\d.]+ s \([\d,]+ delivered\/s\); retried: 3 requests, 8 records sent again; 1 delivered record may be in the stream twice \(possiblyDuplicated\); 1 failed record may have been written \(possiblyWritten\); at most 0 records \(0 bytes\) waited, bound 100 records and 1,000 bytes$/,
    );
    expect(tally.timedOut).to.equal(1);
  });
});
