/**
 * Retries and timeouts, as the command shows them: `--request-timeout` and `--max-attempts`, and
 * the counts of the summary (requests retried, records sent again, records that may be in the
 * stream twice, records that failed but may have been written), against the in-process kinesalite
 * behind the fault proxy.
 */
import { expect } from 'chai';
import { cli, cliInProcess, specFolder, stored, summary, until } from '../support/command.js';
import { startFaultProxy } from '../support/faultProxy.js';
import { localKinesis, uniqueStreamName } from '../support/hooks.js';

/** PutRecords answers come one byte a second: a request times out after kinesalite wrote its records. */
const TRICKLE = { slowBody: { byteEveryMs: 1_000, operations: ['PutRecords'] } } as const;

describe('retries and timeouts of the command', function () {
  this.timeout(60_000);
  specFolder('rxjs-kinesis-retries-');

  it('a request that timed out after its records were written, then retried: the stream holds them twice, and the summary says so', async () => {
    const stream = uniqueStreamName('cli-retried');
    await localKinesis().createStream(stream, 1);
    const proxy = await startFaultProxy(localKinesis().endpoint, TRICKLE);
    try {
      let ended = false;
      const running = cli(['--stream-name', stream, '--endpoint-url', proxy.endpoint, '--batch-duration', '100ms', '--request-timeout', '300ms'], { stdin: 'a\nb\nc\n' }).finally(() => (ended = true));
      // The first answer trickles (the request times out); the retry is answered at once.
      await until(() => proxy.stats.slowAnswers >= 1 || ended);
      proxy.setFaults({});
      const run = await running;
      expect(run.code, run.stderr).to.equal(0);
      expect((await stored(stream)).map((record) => record.data.toString())).to.deep.equal(['a', 'b', 'c', 'a', 'b', 'c']);
      expect(summary(run.stderr)).to.include({ delivered: 3, failed: 0 });
      expect(run.stderr).to.match(/delivered\/s\); retried: 1 request, 3 records sent again; 3 delivered records may be in the stream twice \(possiblyDuplicated\); at most/);
    } finally {
      await proxy.close();
    }
  });

  it('--max-attempts 1 and --request-timeout: one request, failed records that may have been written, counted as such', async () => {
    const stream = uniqueStreamName('cli-once');
    await localKinesis().createStream(stream, 1);
    const proxy = await startFaultProxy(localKinesis().endpoint, TRICKLE);
    try {
      const started = performance.now();
      const run = await cli(['--stream-name', stream, '--endpoint-url', proxy.endpoint, '--batch-duration', '100ms', '--request-timeout', '300ms', '--max-attempts', '1'], { stdin: 'a\nb\nc\n' });
      expect(run.code, run.stderr).to.equal(1);
      expect(performance.now() - started).to.be.below(10_000);
      expect(proxy.stats.putRecordsRequests).to.equal(1);
      expect(summary(run.stderr)).to.include({ delivered: 0, failed: 3 });
      expect(run.stderr).to.match(/0 delivered, 3 failed \(TimeoutError x3\), of 3 records .*; 3 failed records may have been written \(possiblyWritten\); at most/);
      expect(run.stderr).to.not.include('retried:');
    } finally {
      await proxy.close();
    }
  });

  it('--ordering key: lines of a key land in the order read through throttles and 500s, with --concurrency 4', async () => {
    const stream = uniqueStreamName('cli-ordered');
    await localKinesis().createStream(stream, 2);
    const proxy = await startFaultProxy(localKinesis().endpoint, { seed: 11, withhold: 0.2, http500: 0.03, latencyMs: [1, 5] });
    try {
      const lines = Array.from({ length: 260 }, (_, i) => JSON.stringify({ key: `k${i % 13}`, seq: Math.floor(i / 13) }));
      const run = await cli(
        ['--stream-name', stream, '--endpoint-url', proxy.endpoint, '--partition-key', 'key', '--ordering', 'key', '--concurrency', '4', '--batch-size', '50', '--batch-duration', '20ms', '--max-attempts', '50'],
        { stdin: `${lines.join('\n')}\n` },
      );
      expect(run.code, run.stderr).to.equal(0);
      expect(summary(run.stderr)).to.include({ delivered: 260, failed: 0 });
      expect(proxy.stats.recordsWithheld, 'records throttled and retried').to.be.above(0);
      const seen = new Map<string, number>();
      for (const record of await stored(stream)) {
        const { key, seq } = JSON.parse(record.data.toString()) as { key: string; seq: number };
        expect(seq, `${key}: ${seq} after ${seen.get(key)}`).to.equal((seen.get(key) ?? -1) + 1);
        seen.set(key, seq);
      }
    } finally {
      await proxy.close();
    }
  });

  it('refuses a bad --max-attempts or --request-timeout', async () => {
    const run = await cliInProcess(['--stream-name', 's', '--max-attempts', '0', '--request-timeout', 'soon']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include("--max-attempts: '0' is not a positive integer");
    expect(run.stderr).to.include("--request-timeout: 'soon' is not a duration (250ms, 5s, 1m, or milliseconds; 0 for none)");
  });
});
