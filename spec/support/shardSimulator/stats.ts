/**
 * The simulator's counters, over a window: requests by operation, whole-request refusals, and per
 * shard the records accepted and throttled, the bytes accepted, and how busy the shard was (its
 * accepted records over what its rate allows in the time it was open within the window).
 *
 * @module
 */
import { SLOT_MS } from './shard.js';
import type { SimulatedShard } from './shard.js';
import type { SimulatedStream } from './stream.js';
import type { SimulatorState } from './state.js';

/** One shard's figures over the window. */
export interface ShardStats {
  readonly shardId: string;
  /** Whether it takes writes now (not split or merged away). */
  readonly open: boolean;
  readonly acceptedRecords: number;
  readonly throttledRecords: number;
  /** Data plus partition key bytes of the accepted records. */
  readonly acceptedBytes: number;
  /** Milliseconds it was open within the window. */
  readonly openMs: number;
  /** What its record rate allows in that time: records per second × open seconds. */
  readonly capacityRecords: number;
  /** `acceptedRecords / capacityRecords` (0 when it was not open): 1 is a shard written at its record rate; a burst can take it above 1 for a short window. */
  readonly busy: number;
  /** The same share for bytes: accepted bytes / (bytes per second × open seconds). */
  readonly busyBytes: number;
}

/** One stream's figures over the window: its shards, and their sums. */
export interface StreamStats {
  readonly shards: readonly ShardStats[];
  readonly acceptedRecords: number;
  readonly throttledRecords: number;
  readonly acceptedBytes: number;
  readonly capacityRecords: number;
  /** `acceptedRecords / capacityRecords` over every shard (goodput as a share of capacity). */
  readonly busy: number;
}

/** What the simulator counted. */
export interface SimulatorStats {
  /** The window's length: since the last reset, or the `windowMs` asked for if shorter. */
  readonly windowMs: number;
  /** Requests by operation since the last reset. */
  readonly requests: Readonly<Record<string, number>>;
  /** `PutRecords` requests refused whole with `ProvisionedThroughputExceededException`, since the last reset. */
  readonly wholeRequestThrottles: number;
  /** `PutRecords` requests refused whole with `KMSThrottlingException`, since the last reset. */
  readonly kmsThrottles: number;
  /** Requests refused for any other reason (validation, missing stream, ...), since the last reset. */
  readonly refusedRequests: number;
  /** Each stream's figures over the window, by name. */
  readonly streams: Readonly<Record<string, StreamStats>>;
  /** CPU time (user and system) of the simulator's process since the last reset: of everything in it when run in-process. */
  readonly cpuMs: number;
}

/** A window of the timelines: slots `[first, last]`, and its times on the monotonic clock. */
interface Window {
  readonly from: number;
  readonly to: number;
  readonly firstSlot: number;
  readonly lastSlot: number;
}

/** The sum of a timeline series over the window's slots. */
function sum(series: readonly number[], window: Window): number {
  let total = 0;
  for (let slot = window.firstSlot; slot <= window.lastSlot && slot < series.length; slot++) total += series[slot]!;
  return total;
}

/** A share, 0 when there is nothing to share. */
const share = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);

/** One shard's figures over the window. */
function shardStats(shard: SimulatedShard, window: Window): ShardStats {
  const { accepted, acceptedBytes, throttled } = shard.timeline;
  const openMs = Math.max(0, Math.min(window.to, shard.closedAt ?? window.to) - Math.max(window.from, shard.openedAt));
  const capacityRecords = (shard.capacity.recordsPerSecond * openMs) / 1000;
  const bytes = sum(acceptedBytes, window);
  const records = sum(accepted, window);
  return {
    shardId: shard.id,
    open: shard.open,
    acceptedRecords: records,
    throttledRecords: sum(throttled, window),
    acceptedBytes: bytes,
    openMs,
    capacityRecords,
    busy: share(records, capacityRecords),
    busyBytes: share(bytes, (shard.capacity.bytesPerSecond * openMs) / 1000),
  };
}

/** One stream's figures over the window. */
function streamStats(stream: SimulatedStream, window: Window): StreamStats {
  const shards = stream.shards.map((shard) => shardStats(shard, window));
  const total = (field: 'acceptedRecords' | 'throttledRecords' | 'acceptedBytes' | 'capacityRecords'): number =>
    shards.reduce((sofar, shard) => sofar + shard[field], 0);
  return {
    shards,
    acceptedRecords: total('acceptedRecords'),
    throttledRecords: total('throttledRecords'),
    acceptedBytes: total('acceptedBytes'),
    capacityRecords: total('capacityRecords'),
    busy: share(total('acceptedRecords'), total('capacityRecords')),
  };
}

/**
 * The simulator's figures over a window that ends now.
 *
 * @param state - The simulator.
 * @param now - The time, on the monotonic clock.
 * @param windowMs - The window's length (to the nearest {@link SLOT_MS} ms at its start); default and longest: since the last reset.
 * @returns The figures.
 */
export function simulatorStats(state: SimulatorState, now: number, windowMs?: number): SimulatorStats {
  const since = state.countersSince;
  const from = windowMs === undefined ? since : Math.max(since, now - windowMs);
  const window: Window = { from, to: now, firstSlot: Math.floor((from - since) / SLOT_MS), lastSlot: Math.floor((now - since) / SLOT_MS) };
  const cpu = process.cpuUsage(state.cpuSince);
  const { byOperation, wholeRequestThrottles, kmsThrottles, refused } = state.counters;
  return {
    windowMs: now - from,
    requests: { ...byOperation },
    wholeRequestThrottles,
    kmsThrottles,
    refusedRequests: refused,
    streams: Object.fromEntries([...state.streams].map(([name, stream]) => [name, streamStats(stream, window)])),
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}
