/**
 * The memory bound (`backlog`) and backpressure, against kinesalite, reading the stream back.
 */
import diagnostics from 'node:diagnostics_channel';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { from, Observable, range, tap } from 'rxjs';
import { collect, outcomes, silentLogger } from '../support/collect.js';
import { localKinesis, uniqueStreamName } from '../support/hooks.js';
import { fromReadable, pauseWhenBusy, toKinesis } from '../../lib/index.js';
import type { DurationString, KinesisBatchResult, WaterMarks } from '../../lib/index.js';
import type { Backlog } from '../../lib/producer/backlog.js';
import { KinesisBacklogOverflowError } from '../../lib/producer/errors.js';

async function newStream(): Promise<string> {
  const name = uniqueStreamName('backlog');
  await localKinesis().createStream(name, 2);
  return name;
}

const connection = () => ({ endpoint: localKinesis().endpoint, credentials: localKinesis().credentials, logger: silentLogger });
const idsInStream = async (stream: string) => (await localKinesis().readStream(stream)).map((r) => Number(Buffer.from(r.data).toString()));

describe('backlog bound and backpressure', function () {
  this.timeout(60_000);

  it("reports items over backlog.maxRecords at once as BufferOverflow ('fail'), and sends the rest", async () => {
    const stream = await newStream();
    const batches = await collect(range(0, 3000).pipe(toKinesis({ streamName: stream, ...connection(), batch: { size: 100 }, backlog: { maxRecords: 600 } })));
    const results = outcomes(batches);
    expect(results).to.have.length(3000);
    expect(new Set(results.map((r) => r.item)).size).to.equal(3000);
    const overflowed = results.filter((r) => r.status === 'failed');
    expect(overflowed).to.have.length(2400);
    for (const r of overflowed) expect(r).to.include({ errorCode: 'BufferOverflow', errorMessage: 'backlog is full: 600 records waiting, the bound is 600', attempts: 0 });
    const sent = results.filter((r) => r.status === 'ok').map((r) => r.item).sort((a, b) => a - b);
    expect(sent).to.deep.equal(Array.from({ length: 600 }, (_, i) => i));
    expect((await idsInStream(stream)).sort((a, b) => a - b)).to.deep.equal(sent);
  });

  it('gathers the items refused in one tick into one result, never serializing an item refused by count', async () => {
    const stream = await newStream();
    const serialized: number[] = [];
    const serialize = (item: number): string => {
      serialized.push(item);
      return String(item);
    };
    // A synchronous source: all 1,000 items come in one tick, and 700 of them are over the bound.
    const batches = await collect(range(0, 1000).pipe(toKinesis({ streamName: stream, ...connection(), serialize, batch: { size: 100 }, backlog: { maxRecords: 300 } })));
    const refused = batches.filter((batch) => batch.attempts === 0);
    expect(refused.map((batch) => [batch.recordCount, batch.failedRecordCount])).to.deep.equal([[700, 700]]);
    expect(refused[0]!.records.map((r) => r.item)).to.deep.equal(Array.from({ length: 700 }, (_, i) => 300 + i));
    for (const r of refused[0]!.records) expect(r).to.deep.equal({ status: 'failed', item: r.item, errorCode: 'BufferOverflow', errorMessage: 'backlog is full: 300 records waiting, the bound is 300', attempts: 0, possiblyWritten: false });
    expect(serialized).to.deep.equal(Array.from({ length: 300 }, (_, i) => i));
    expect(await localKinesis().readStream(stream)).to.have.length(300);
  });

  it('bounds the bytes waiting with backlog.maxBytes', async () => {
    const stream = await newStream();
    const items = Array.from({ length: 50 }, (_, i) => `${i}`.padEnd(1000, ' '));
    const batches = await collect(from(items).pipe(toKinesis({ streamName: stream, ...connection(), partitionKey: () => 'k', backlog: { maxBytes: 10_000 } })));
    const ok = outcomes(batches).filter((r) => r.status === 'ok');
    expect(ok).to.have.length(9); // 9 x 1001 bytes fit in 10,000
    expect(await localKinesis().readStream(stream)).to.have.length(9);
  });

  it("with overflow: 'error', sends and reports what waits, then errors with the refused item", async () => {
    const stream = await newStream();
    const seen: KinesisBatchResult<number>[] = [];
    const error = await new Promise<unknown>((resolve) => {
      range(0, 1000)
        .pipe(toKinesis({ streamName: stream, ...connection(), batch: { size: 100 }, backlog: { maxRecords: 250, overflow: 'error' } }))
        .subscribe({ next: (r) => seen.push(r), error: resolve, complete: () => resolve('completed') });
    });
    expect(error).to.be.instanceOf(KinesisBacklogOverflowError);
    expect(error).to.include({ name: 'KinesisBacklogOverflowError', item: 250, records: 250 });
    expect(outcomes(seen).map((r) => r.item)).to.deep.equal(Array.from({ length: 250 }, (_, i) => i));
    expect(outcomes(seen).every((r) => r.status === 'ok')).to.equal(true);
    expect(await localKinesis().readStream(stream)).to.have.length(250);
  });

  it('prepares the tail of a synchronous burst on later turns, counted in the backlog at once, and sends every item once', async () => {
    const stream = await newStream();
    const total = 5_000;
    let serialized = 0;
    let atFirstRequest: number | undefined;
    const onRequest = (): void => void (atFirstRequest ??= serialized);
    diagnostics.subscribe('http.client.request.start', onRequest);
    try {
      let lastBacklog: Backlog | undefined;
      const batches: KinesisBatchResult<number>[] = [];
      const done = new Promise<void>((resolve, reject) => {
        range(0, total)
          .pipe(
            toKinesis({
              streamName: stream,
              ...connection(),
              serialize: (item: number) => (serialized++, String(item)),
              backlog: { onChange: (backlog) => (lastBacklog = backlog) },
            }),
          )
          .subscribe({ next: (batch) => batches.push(batch), error: reject, complete: resolve });
      });
      // The source has emitted everything: one batch's worth is prepared, every item is counted in.
      expect(serialized).to.equal(500);
      expect(lastBacklog).to.deep.equal({ records: total, bytes: 500 * 36 + [...Array(500).keys()].reduce((sum, item) => sum + String(item).length, 0), buffered: total - 500 });
      await done;
      expect(atFirstRequest, 'items prepared when the first request left').to.be.below(total);
      const results = outcomes(batches);
      expect(results.map((r) => r.item)).to.have.members([...Array(total).keys()]);
      expect(results.every((r) => r.status === 'ok')).to.equal(true);
      expect((await idsInStream(stream)).sort((a, b) => a - b)).to.deep.equal([...Array(total).keys()]);
      expect(lastBacklog).to.deep.equal({ records: 0, bytes: 0, buffered: 0 });
    } finally {
      diagnostics.unsubscribe('http.client.request.start', onRequest);
    }
  });

  it("with overflow: 'error' met while the tail of a burst waits, reports that tail as never admitted, then errors", async () => {
    const stream = await newStream();
    const seen: KinesisBatchResult<number>[] = [];
    const serialize = (item: number): string => String(item).padEnd(1000, ' ');
    const error = await new Promise<unknown>((resolve) => {
      range(0, 3000)
        .pipe(toKinesis({ streamName: stream, ...connection(), serialize, partitionKey: () => 'k', batch: { size: 100 }, backlog: { maxBytes: 600_000, overflow: 'error' } }))
        .subscribe({ next: (r) => seen.push(r), error: resolve, complete: () => resolve('completed') });
    });
    expect(error).to.be.instanceOf(KinesisBacklogOverflowError);
    const stoppedAt = (error as KinesisBacklogOverflowError<number>).item;
    expect(stoppedAt, 'the bound was met after the first 500 items, prepared at once').to.be.at.least(500);
    const results = outcomes(seen);
    expect(results.map((r) => r.item).sort((a, b) => a - b)).to.deep.equal([...Array(3000).keys()].filter((item) => item !== stoppedAt));
    for (const r of results) {
      if (r.item < stoppedAt) expect(r.status, `item ${r.item}`).to.equal('ok');
      else expect(r).to.deep.include({ status: 'failed', errorCode: 'BufferOverflow', attempts: 0, possiblyWritten: false });
    }
    expect(results.find((r) => r.item > stoppedAt)).to.have.property('errorMessage').that.match(/^not admitted: the input stopped at an earlier item \(backlog is full: /);
    expect((await idsInStream(stream)).sort((a, b) => a - b)).to.deep.equal([...Array(stoppedAt).keys()]);
  });

  it('with no byte bound, holds items back unprepared while enough prepared records wait, and sends every item once', async () => {
    const stream = await newStream();
    const total = 20_000;
    // 100 items per turn of the event loop: never a burst.
    const source = new Observable<number>((subscriber) => {
      let next = 0;
      const emit = (): void => {
        for (const end = Math.min(total, next + 100); next < end; next++) subscriber.next(next);
        if (next < total) immediate = setImmediate(emit);
        else subscriber.complete();
      };
      let immediate = setImmediate(emit);
      return () => clearImmediate(immediate);
    });
    let serialized = 0;
    let settled = 0;
    let mostPreparedUnsettled = 0;
    let mostWaiting = 0;
    const batches = await collect(
      source.pipe(
        toKinesis({
          streamName: stream,
          ...connection(),
          batch: { size: 100 },
          serialize: (item: number) => {
            serialized++;
            mostPreparedUnsettled = Math.max(mostPreparedUnsettled, serialized - settled);
            return String(item);
          },
          backlog: { onChange: ({ records }) => (mostWaiting = Math.max(mostWaiting, records)) },
        }),
        tap((batch) => (settled += batch.recordCount)),
      ),
    );
    // Concurrency 1: a batch in flight and the next ready (batches of at least 500 records' worth), plus the slice being prepared.
    expect(mostPreparedUnsettled).to.be.at.most(2 * 500 + 500);
    expect(mostWaiting, 'items waited unprepared').to.be.above(mostPreparedUnsettled);
    expect(serialized).to.equal(total);
    const results = outcomes(batches);
    expect(results.every((r) => r.status === 'ok')).to.equal(true);
    expect(results.map((r) => r.item)).to.deep.equal([...Array(total).keys()]);
    expect((await idsInStream(stream)).sort((a, b) => a - b)).to.deep.equal([...Array(total).keys()]);
  });

  it("with ordering: 'key', prepares every waiting item: records behind a hot key's turn are not held back behind it", async () => {
    const stream = await newStream();
    // A hot key's records go one per request (its turn); the other keys' items come after them.
    const items = [...Array.from({ length: 20_000 }, (_, i) => ({ key: 'hot', i })), ...Array.from({ length: 10 }, (_, i) => ({ key: `cold-${i}`, i: 20_000 + i }))];
    let serialized = 0;
    const subscription = from(items)
      .pipe(
        toKinesis({
          streamName: stream,
          ...connection(),
          ordering: 'key',
          partitionKey: 'key',
          batch: { size: 100 },
          serialize: (item: { i: number }) => (serialized++, String(item.i)),
        }),
      )
      .subscribe();
    try {
      const deadline = performance.now() + 2_000;
      while (serialized < items.length && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(serialized, 'items prepared while the hot key takes its turns').to.equal(items.length);
    } finally {
      subscription.unsubscribe();
    }
  });

  /** Sends `total` numbers from a Readable paused by `pauseWhenBusy(marks)`; the batches, the peak backlog, the pauses, what arrived. */
  async function sendPaused(total: number, marks: WaterMarks, batch: { size: number; duration: DurationString }, maxRecords: number) {
    const stream = await newStream();
    const readable = Readable.from((function* () {
      for (let i = 0; i < total; i++) yield i;
    })());
    const pause = pauseWhenBusy(readable, marks);
    let peak = 0;
    let pauses = 0;
    readable.on('pause', () => pauses++);
    const onChange = (backlog: Backlog): void => {
      peak = Math.max(peak, backlog.records);
      pause(backlog);
    };
    const batches = await collect(fromReadable<number>(readable).pipe(toKinesis({ streamName: stream, ...connection(), batch, backlog: { maxRecords, onChange } })));
    return { batches, peak, pauses, arrived: (await localKinesis().readStream(stream)).length };
  }

  it('lets a Readable apply backpressure through backlog.onChange (pauseWhenBusy), in bounded memory, losing nothing', async () => {
    const total = 20_000;
    const { batches, peak, pauses, arrived } = await sendPaused(total, { high: 1000, low: 250 }, { size: 250, duration: '10ms' }, 1000);
    const results = outcomes(batches);
    expect(results.filter((r) => r.status === 'failed')).to.deep.equal([]);
    expect(results).to.have.length(total);
    expect(peak).to.be.at.most(1000);
    expect(pauses).to.be.greaterThan(5);
    expect(arrived).to.equal(total);
  });

  it('never stalls when the high mark is below the batch size (batch.duration of 10 minutes)', async () => {
    const { batches, arrived } = await sendPaused(1_000, { high: 200, low: 50 }, { size: 500, duration: '10m' }, 1000);
    expect(batches.map((batch) => batch.recordCount)).to.deep.equal([500, 500]);
    expect(arrived).to.equal(1_000);
  });

  it('never stalls on a partial batch above the low mark while paused (batch.duration of 10 minutes)', async () => {
    // Batches of 300: at 1,000 waiting, 100 sit in the open batch, above the low mark of 50.
    const { batches, arrived } = await sendPaused(3_000, { high: 1000, low: 50 }, { size: 300, duration: '10m' }, 1000);
    expect(outcomes(batches).filter((r) => r.status === 'ok')).to.have.length(3_000);
    expect(arrived).to.equal(3_000);
  });
});
