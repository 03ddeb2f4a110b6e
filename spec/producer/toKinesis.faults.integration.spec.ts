/**
 * toKinesis under injected faults: a fault proxy (spec/support/faultProxy.ts) between the operator
 * and kinesalite withholds records, answers 500s and throttles, and cuts connections before and
 * after forwarding. Each test reads the stream back from kinesalite to check what arrived.
 */
import { expect } from 'chai';
import { from, interval, map } from 'rxjs';
import { collect, outcomes, silentLogger } from '../support/collect.js';
import { startFaultProxy } from '../support/faultProxy.js';
import type { FaultOptions, FaultProxy, FaultStats } from '../support/faultProxy.js';
import { localKinesis, uniqueStreamName } from '../support/hooks.js';
import { toKinesis } from '../../lib/index.js';
import type { KinesisBatchResult, KinesisRecordResult, ToKinesisConfig } from '../../lib/index.js';

interface Event {
  readonly id: string;
  readonly key: string;
  readonly seq: number;
  readonly note: string;
}

/**
 * The faults of the big runs: 30% of records withheld, 5% HTTP 500s, 2% throttles, 3% + 3% cut
 * connections. Withheld records come back throttled whatever the rate, which the shard limiter
 * would take for a full shard: runs with them turn it off (`shardLimit: false`), as the retry
 * logic, not the limiter, is under test (`toKinesis.shards.integration.spec.ts` tests the limiter).
 */
const HEAVY_FAULTS: FaultOptions = { seed: 1, withhold: 0.3, http500: 0.05, throttle: 0.02, cutBeforeForward: 0.03, cutAfterForward: 0.03 };

/** Short backoff so retries cost milliseconds; many attempts so nothing runs out of them under heavy faults. */
const FAST_RETRY = { maxAttempts: 30, minDelay: '5ms', maxDelay: '50ms' } as const;

const N = 10_000;

async function newStream(shards: number): Promise<string> {
  const name = uniqueStreamName('faults');
  await localKinesis().createStream(name, shards);
  return name;
}

/** Config pointing at the proxy. */
function viaProxy<T>(proxy: FaultProxy, config: ToKinesisConfig<T>): ToKinesisConfig<T> {
  return { endpoint: proxy.endpoint, credentials: localKinesis().credentials, logger: silentLogger, ...config };
}

const events = (count: number, prefix: string): Event[] =>
  Array.from({ length: count }, (_, seq) => ({ id: `${prefix}-${seq}`, key: `k${seq % 53}`, seq, note: `event number ${seq}` }));

const idOf = (data: Uint8Array): string => (JSON.parse(Buffer.from(data).toString('utf8')) as Event).id;

/** What one run under faults produced. */
interface FaultRun {
  readonly items: Event[];
  readonly batches: KinesisBatchResult<Event>[];
  readonly results: KinesisRecordResult<Event>[];
  /** Copies of each id in the stream. */
  readonly copies: Map<string, number>;
  /** Stored record id by `shardId/sequenceNumber`. */
  readonly storedAt: Map<string, string>;
  readonly stats: FaultStats;
  readonly wallMs: number;
}

async function runUnderFaults(label: string, faults: FaultOptions, config: Partial<ToKinesisConfig<Event>>): Promise<FaultRun> {
  const stream = await newStream(4);
  const proxy = await startFaultProxy(localKinesis().endpoint, faults);
  try {
    const items = events(N, label);
    const started = performance.now();
    const batches = await collect(from(items).pipe(toKinesis(viaProxy<Event>(proxy, { streamName: stream, partitionKey: 'key', retry: FAST_RETRY, shardLimit: false, ...config }))));
    const wallMs = performance.now() - started;
    const stored = await localKinesis().readStream(stream);
    const copies = new Map<string, number>();
    const storedAt = new Map<string, string>();
    for (const record of stored) {
      const id = idOf(record.data);
      copies.set(id, (copies.get(id) ?? 0) + 1);
      storedAt.set(`${record.shardId}/${record.sequenceNumber}`, id);
    }
    return { items, batches, results: outcomes(batches), copies, storedAt, stats: { ...proxy.stats }, wallMs };
  } finally {
    await proxy.close();
  }
}

/** Every id in the stream at least once; exactly one outcome per id, all ok, each naming a stored copy of its own record. */
function expectEverythingArrivedOnce(run: FaultRun): void {
  const missing = run.items.filter((item) => (run.copies.get(item.id) ?? 0) === 0).map((item) => item.id);
  expect(missing, 'ids missing from the stream').to.deep.equal([]);

  const outcomesById = new Map<string, number>();
  for (const result of run.results) outcomesById.set(result.item.id, (outcomesById.get(result.item.id) ?? 0) + 1);
  expect(outcomesById.size).to.equal(N);
  expect([...outcomesById.values()].filter((count) => count !== 1), 'ids with other than one outcome').to.deep.equal([]);
  expect(run.results).to.have.length(N);

  const failed = run.results.filter((r) => r.status !== 'ok');
  expect(failed.slice(0, 3), `${failed.length} failed outcomes`).to.deep.equal([]);
  for (const result of run.results) {
    if (result.status !== 'ok') continue;
    expect(run.storedAt.get(`${result.shardId}/${result.sequenceNumber}`), `where ${result.item.id} landed`).to.equal(result.item.id);
  }
  for (const batch of run.batches) {
    expect(batch.successfulRecordCount + batch.failedRecordCount).to.equal(batch.recordCount);
    expect(batch.records).to.have.length(batch.recordCount);
  }
}

/** Only failed records were sent again: extra writes and duplicates come only from requests cut after they were written. */
function expectOnlyFailedRecordsResent(run: FaultRun): { duplicates: number } {
  const duplicates = [...run.copies.values()].filter((count) => count > 1).reduce((sum, count) => sum + count - 1, 0);
  expect(run.stats.recordsWritten, 'records written upstream').to.be.at.most(N + run.stats.cutAfterForwardRecords);
  expect(duplicates, 'duplicate copies in the stream').to.be.at.most(run.stats.cutAfterForwardRecords);
  // Every write is either the one the item's outcome names, or a copy from a request that was cut.
  expect(run.stats.recordsWritten).to.equal(N + duplicates);
  return { duplicates };
}

function report(label: string, run: FaultRun, duplicates: number): void {
  const s = run.stats;
  console.log(`[faults] ${label}: N=${N}, batches=${run.batches.length}, wall time ${Math.round(run.wallMs)} ms`);
  console.log(
    `[faults] ${label}: PutRecords requests=${s.putRecordsRequests}, records received=${s.recordsReceived}, forwarded=${s.recordsForwarded}, written upstream=${s.recordsWritten}, withheld=${s.recordsWithheld}`,
  );
  console.log(
    `[faults] ${label}: HTTP 500=${s.http500Requests}, throttled=${s.throttledRequests}, cut before forwarding=${s.cutBeforeForwardRequests}, cut after forwarding=${s.cutAfterForwardRequests} requests / ${s.cutAfterForwardRecords} records, duplicates in stream=${duplicates}`,
  );
  const maxAttempts = Math.max(...run.batches.map((b) => b.attempts));
  console.log(`[faults] ${label}: most attempts for one batch=${maxAttempts}`);
}

/** Every kind of fault fired at least once, so the run tested what it claims to. */
function expectFaultsFired(stats: FaultStats): void {
  expect(stats.recordsWithheld, 'records withheld').to.be.greaterThan(0);
  expect(stats.http500Requests, 'HTTP 500s').to.be.greaterThan(0);
  expect(stats.throttledRequests, 'request-level throttles').to.be.greaterThan(0);
  expect(stats.cutBeforeForwardRequests, 'cuts before forwarding').to.be.greaterThan(0);
  expect(stats.cutAfterForwardRequests, 'cuts after forwarding').to.be.greaterThan(0);
}

describe('toKinesis under injected faults (fault proxy in front of kinesalite)', function () {
  this.timeout(60_000);

  describe('10,000 records, concurrency 1', () => {
    let run: FaultRun;
    before(async function () {
      this.timeout(60_000);
      run = await runUnderFaults('c1', HEAVY_FAULTS, {});
    });

    it('delivers every record under withheld records, 500s, throttles and cut connections, with exactly one ok outcome per item', () => {
      expectFaultsFired(run.stats);
      expectEverythingArrivedOnce(run);
      expect(run.results.map((r) => r.item)).to.deep.equal(run.items);
    });

    it('resends only failed records: writes <= N + records cut after forwarding, duplicates <= records cut after forwarding', () => {
      const { duplicates } = expectOnlyFailedRecordsResent(run);
      report('concurrency 1', run, duplicates);
      expect(run.stats.putRecordsRequests).to.be.greaterThan(run.batches.length);
    });
  });

  it('keeps the same properties with concurrency 4', async () => {
    const run = await runUnderFaults('c4', { ...HEAVY_FAULTS, seed: 7 }, { concurrency: 4, batch: { size: 100 } });
    expectFaultsFired(run.stats);
    expectEverythingArrivedOnce(run);
    const { duplicates } = expectOnlyFailedRecordsResent(run);
    report('concurrency 4', run, duplicates);
  });

  it('bounds the requests by maxAttempts when every record fails, and reports the failures instead of throwing', async () => {
    const stream = await newStream(1);
    const proxy = await startFaultProxy(localKinesis().endpoint, { failAllRecords: true });
    try {
      const items = events(1200, 'all-fail');
      const batches = await collect(from(items).pipe(toKinesis(viaProxy<Event>(proxy, { streamName: stream, partitionKey: 'key', retry: { maxAttempts: 4, minDelay: '1ms', maxDelay: '5ms' }, shardLimit: false }))));
      expect(batches.map((b) => b.recordCount)).to.deep.equal([500, 500, 200]);
      expect(proxy.stats.putRecordsRequests).to.equal(4 * batches.length);
      expect(proxy.stats.recordsReceived).to.equal(4 * items.length);
      for (const batch of batches) expect(batch).to.include({ attempts: 4, successfulRecordCount: 0, failedRecordCount: batch.recordCount });
      const results = outcomes(batches);
      expect(results.map((r) => r.item)).to.deep.equal(items);
      for (const result of results) expect(result).to.include({ status: 'failed', errorCode: 'ProvisionedThroughputExceededException', attempts: 4 });
      expect(await localKinesis().readStream(stream)).to.deep.equal([]);
    } finally {
      await proxy.close();
    }
  });

  it('spends exactly one request per batch on ResourceNotFoundException (injected, and a real missing stream)', async () => {
    const stream = await newStream(1);
    const proxy = await startFaultProxy(localKinesis().endpoint, { resourceNotFound: true });
    try {
      const config = (streamName: string) => viaProxy<Event>(proxy, { streamName, partitionKey: 'key', retry: FAST_RETRY });
      const injected = await collect(from(events(1200, 'rnf')).pipe(toKinesis(config(stream))));
      expect(injected).to.have.length(3);
      expect(proxy.stats.putRecordsRequests).to.equal(3);
      for (const result of outcomes(injected)) expect(result).to.include({ status: 'failed', errorCode: 'ResourceNotFoundException', attempts: 1 });
      expect(await localKinesis().readStream(stream)).to.deep.equal([]);

      proxy.setFaults({});
      const real = await collect(from(events(700, 'missing')).pipe(toKinesis(config(uniqueStreamName('never-created')))));
      expect(real.map((b) => b.attempts)).to.deep.equal([1, 1]);
      expect(proxy.stats.putRecordsRequests).to.equal(3 + 2);
      for (const result of outcomes(real)) expect(result).to.include({ status: 'failed', errorCode: 'ResourceNotFoundException', attempts: 1 });
    } finally {
      await proxy.close();
    }
  });

  it('unsubscribed mid-flight under faults: no unhandled rejection, nothing emitted, no request sent afterwards', async () => {
    const stream = await newStream(2);
    const proxy = await startFaultProxy(localKinesis().endpoint, { ...HEAVY_FAULTS, seed: 99, latencyMs: [5, 40] });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const seen: KinesisBatchResult<Event>[] = [];
      let completed = false;
      let failed: unknown;
      const subscription = interval(1)
        .pipe(
          map((seq) => ({ id: `unsub-${seq}`, key: `k${seq % 7}`, seq, note: 'x' })),
          toKinesis(viaProxy<Event>(proxy, { streamName: stream, partitionKey: 'key', batch: { size: 20, duration: '10ms' }, concurrency: 4, retry: FAST_RETRY })),
        )
        .subscribe({ next: (r) => seen.push(r), error: (e: unknown) => (failed = e), complete: () => (completed = true) });
      const deadline = performance.now() + 5000;
      while (seen.length < 3 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(seen.length, 'results before unsubscribing').to.be.at.least(3);
      subscription.unsubscribe();
      const countAtUnsubscribe = seen.length;
      await new Promise((resolve) => setTimeout(resolve, 60));
      const requestsAfterSettling = proxy.stats.putRecordsRequests;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(seen.length, 'results after unsubscribing').to.equal(countAtUnsubscribe);
      expect(proxy.stats.putRecordsRequests, 'requests after unsubscribing').to.equal(requestsAfterSettling);
      expect(unhandled).to.deep.equal([]);
      expect(failed).to.equal(undefined);
      expect(completed).to.equal(false);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await proxy.close();
    }
  });

  it('reports durationMs from the batch close, including the time it waited behind other batches', async () => {
    const stream = await newStream(1);
    const proxy = await startFaultProxy(localKinesis().endpoint, { latencyMs: [60, 60] });
    try {
      const emitted: { result: KinesisBatchResult<string>; at: number }[] = [];
      // A synchronous source: all three batches are closed during subscribe().
      const closedBy = performance.now();
      await new Promise<void>((resolve, reject) => {
        from(Array.from({ length: 30 }, (_, i) => `d${i}`))
          .pipe(toKinesis(viaProxy<string>(proxy, { streamName: stream, batch: { size: 10 }, retry: FAST_RETRY })))
          .subscribe({ next: (result) => emitted.push({ result, at: performance.now() }), error: reject, complete: resolve });
      });
      expect(emitted).to.have.length(3);
      const sinceClose = emitted.map(({ at }) => Math.round(at - closedBy));
      const reported = emitted.map(({ result }) => Math.round(result.durationMs));
      for (const [i, elapsed] of sinceClose.entries()) expect(reported[i], `batch ${i}: reported ${reported.join(', ')} ms, ${sinceClose.join(', ')} ms since close`).to.be.at.least(elapsed - 20);
    } finally {
      await proxy.close();
    }
  });

  it('retries a PutRecords request that is never answered (request timeout) instead of stalling forever', async () => {
    const stream = await newStream(1);
    const proxy = await startFaultProxy(localKinesis().endpoint, { hang: 1 });
    try {
      const items = events(10, 'hang');
      let settled: KinesisBatchResult<Event>[] | undefined;
      const subscription = from(items)
        .pipe(toKinesis(viaProxy<Event>(proxy, { streamName: stream, partitionKey: 'key', retry: FAST_RETRY, requestTimeout: '300ms' })))
        .subscribe({ next: (r) => (settled ??= []).push(r) });
      // Only the first request hangs; any retry goes through.
      const deadline = performance.now() + 3000;
      while (proxy.stats.putRecordsRequests < 1 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      proxy.setFaults({});
      while (settled === undefined && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      subscription.unsubscribe();
      expect(proxy.stats.hungRequests).to.equal(1);
      expect(settled, 'a result within 3 s of the request that was never answered').to.not.equal(undefined);
      expect(outcomes(settled!).every((r) => r.status === 'ok')).to.equal(true);
    } finally {
      await proxy.close();
    }
  });

  it('goes on after 200 answers it cannot read: every item gets one outcome, failures marked possibly written, nothing lost (concurrency 2)', async () => {
    const stream = await newStream(2);
    const proxy = await startFaultProxy(localKinesis().endpoint, { seed: 3, malformedAnswer: 0.4 });
    try {
      const items = events(500, 'malformed');
      const batches = await collect(
        from(items).pipe(toKinesis(viaProxy<Event>(proxy, { streamName: stream, partitionKey: 'key', concurrency: 2, batch: { size: 50 }, retry: { ...FAST_RETRY, maxAttempts: 2 } }))),
      );
      const results = outcomes(batches);
      expect(proxy.stats.malformedAnswers, 'malformed answers sent').to.be.at.least(4);
      expect(results).to.have.length(items.length);
      expect(new Set(results.map((r) => r.item.id)).size).to.equal(items.length);
      const failed = results.filter((r) => r.status === 'failed');
      for (const result of failed) expect(result, result.item.id).to.include({ errorCode: 'InvalidResponse', possiblyWritten: true });
      const stored = new Set((await localKinesis().readStream(stream)).map((record) => idOf(record.data)));
      // The proxy forwards first: every record is in the stream, the failed ones too (they were written).
      expect(items.filter((item) => !stored.has(item.id)).map((item) => item.id)).to.deep.equal([]);
    } finally {
      await proxy.close();
    }
  });

  it('abandons an answer whose body trickles in once requestTimeout has passed (a retryable TimeoutError, possibly written)', async () => {
    const stream = await newStream(1);
    const proxy = await startFaultProxy(localKinesis().endpoint, { slowBody: { byteEveryMs: 200, operations: ['PutRecords'] } });
    try {
      const items = events(20, 'trickle');
      const started = performance.now();
      const batches = await collect(from(items).pipe(toKinesis(viaProxy<Event>(proxy, { streamName: stream, partitionKey: 'key', requestTimeout: '1s', retry: { maxAttempts: 2, minDelay: '10ms', maxDelay: '10ms' } }))));
      const elapsed = performance.now() - started;
      const results = outcomes(batches);
      expect(results).to.have.length(20);
      for (const result of results) expect(result).to.include({ status: 'failed', errorCode: 'TimeoutError', possiblyWritten: true, attempts: 2 });
      expect(elapsed, 'two attempts of about 1 s each').to.be.below(6_000);
      expect(proxy.stats.slowAnswers).to.equal(2);
    } finally {
      await proxy.close();
    }
  });

  it('shares one client, so one connection, between the subscriptions of one operator (a warm Lambda function, a server)', async () => {
    const stream = await newStream(1);
    const proxy = await startFaultProxy(localKinesis().endpoint, {});
    try {
      const operator = toKinesis(viaProxy<Event>(proxy, { streamName: stream, partitionKey: 'key' }));
      for (let invocation = 0; invocation < 5; invocation++) {
        const results = outcomes(await collect(from(events(10, `invocation-${invocation}`)).pipe(operator)));
        expect(results.every((result) => result.status === 'ok')).to.equal(true);
      }
      expect(proxy.stats.putRecordsRequests).to.equal(5);
      // Two: each subscription lists the shards (shardLimit) beside its first PutRecords, not before it; every later subscription reuses both.
      expect(proxy.stats.connections, 'TCP connections for 5 subscriptions, one after another').to.equal(2);
    } finally {
      await proxy.close();
    }
  });
});
