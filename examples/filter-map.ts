/**
 * Composition: `filter` and `map` before toKinesis; the records not written go to a dead-letter list.
 *
 * toKinesis is an ordinary RxJS operator: shape the items with `map`, drop what should not be
 * sent with `filter`, and treat what comes out (one result per batch, one outcome per item) as
 * data too: `mergeMap((batch) => batch.records)` gives the outcomes one by one, and a `filter`
 * on `status` picks the records that were not written, with the item itself, so nothing is lost
 * silently. Here: raw log lines, some malformed and some health checks, become events keyed by user.
 *
 * Run: npm run example -- filter-map
 * (embedded kinesalite; set KINESIS_ENDPOINT, KINESIS_STREAM, AWS_REGION to use another Kinesis)
 */
import { filter, from, lastValueFrom, map, mergeMap, tap, toArray } from 'rxjs';
import { toKinesis } from '../lib/index.js';
import type { KinesisRecordFailure } from '../lib/index.js';
import { exampleTarget } from './support/target.js';

/** What an application logs: one JSON object per line. */
const LOG_LINES = [
  '{"path":"/health","status":200}',
  '{"path":"/cart","status":200,"user":"alice","ms":31}',
  'not json at all',
  '{"path":"/checkout","status":500,"user":"bob","ms":880}',
  '{"path":"/health","status":200}',
  '{"path":"/cart","status":200,"user":"carol","ms":12}',
  '{"path":"/login","status":401,"ms":5}',
  '{"path":"/checkout","status":200,"user":"alice","ms":240}',
];

interface LogLine {
  readonly path: string;
  readonly status: number;
  readonly user?: string;
  readonly ms?: number;
}

/** What goes to the stream. */
interface PageEvent {
  readonly user: string | undefined;
  readonly page: string;
  readonly ok: boolean;
  readonly slow: boolean;
}

/** A line as an object, or `undefined` when it is not JSON. */
function parse(line: string): LogLine | undefined {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return undefined;
  }
}

const target = await exampleTarget('example-filter-map', 2);
try {
  const deadLetters: KinesisRecordFailure<PageEvent>[] = [];
  const outcomes$ = from(LOG_LINES).pipe(
    map(parse),
    filter((line): line is LogLine => line !== undefined), // malformed lines dropped
    filter((line) => line.path !== '/health'), // health checks dropped
    map((line): PageEvent => ({ user: line.user, page: line.path, ok: line.status < 400, slow: (line.ms ?? 0) > 500 })),
    toKinesis({ streamName: target.streamName, ...target.connection, partitionKey: 'user' }),
    mergeMap((batch) => batch.records), // one outcome per event
  );

  const written = await lastValueFrom(
    outcomes$.pipe(
      tap((outcome) => {
        if (outcome.status === 'failed') deadLetters.push(outcome);
      }),
      filter((outcome) => outcome.status === 'ok'),
      toArray(),
    ),
  );

  console.log(`${LOG_LINES.length} log lines -> ${written.length + deadLetters.length} events (malformed lines and health checks filtered out)`);
  for (const record of written) console.log(`  written  ${record.item.page.padEnd(10)} user ${record.partitionKey.padEnd(6)} -> ${record.shardId}`);
  // The login attempt has no user, so no partition key: it fails alone, on the client, and is kept here.
  for (const record of deadLetters) console.log(`  dead letter  ${JSON.stringify(record.item)}: ${record.errorCode} (${record.errorMessage})`);

  if (target.read) {
    const stored = await target.read();
    console.log(`read back ${stored.length} records: ${stored.map((record) => JSON.parse(Buffer.from(record.data).toString('utf8')).page).join(', ')}`);
    if (stored.length !== written.length) process.exitCode = 1;
  }
  if (written.length !== 4 || deadLetters.length !== 1) process.exitCode = 1;
} finally {
  await target.close();
}
