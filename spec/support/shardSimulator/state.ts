/**
 * What the simulator holds between requests: its streams, its settings, its counters; and how a
 * request names a stream (by name, by ARN, or both).
 *
 * @module
 */
import { serializationError, streamNotFound } from './errors.js';
import type { SimulatedStream, StreamSettings } from './stream.js';

/** The faults and latency the simulator adds; changeable while it runs. */
export interface SimulatorFaults {
  /**
   * Added to every answer: a fixed number of milliseconds, or a uniform draw in `[min, max]`. The
   * request takes effect when it arrives; only the answer waits. Default 0.
   */
  readonly latencyMs?: number | readonly [min: number, max: number];
  /** Chance, per `PutRecords` request, of an HTTP 400 `ProvisionedThroughputExceededException` for the whole request (nothing written). Default 0. */
  readonly requestThrottleChance?: number;
  /** Chance, per `PutRecords` request, of an HTTP 400 `KMSThrottlingException` (nothing written). Default 0. */
  readonly kmsThrottleChance?: number;
  /** Seed of the PRNG that draws the chances and the latency (reseeded when given). Default 1. */
  readonly seed?: number;
}

/** Counts of the requests that were not answered one outcome per record. */
export interface RequestCounters {
  /** Requests by operation (`PutRecords`, `ListShards`, ...). */
  readonly byOperation: Record<string, number>;
  /** `PutRecords` requests refused with HTTP 400 `ProvisionedThroughputExceededException`. */
  wholeRequestThrottles: number;
  /** `PutRecords` requests refused with HTTP 400 `KMSThrottlingException`. */
  kmsThrottles: number;
  /** Requests refused for any other reason (validation, missing stream, ...). */
  refused: number;
}

/** The simulator's state. */
export interface SimulatorState {
  readonly account: string;
  readonly region: string;
  /** By name. */
  readonly streams: Map<string, SimulatedStream>;
  /** The write limits and maximum record size of a stream created without its own. */
  readonly defaults: StreamSettings;
  /** The most shards per `ListShards` page, whatever `MaxResults` asks for. */
  readonly listShardsPageSize: number;
  /** The faults in force. */
  faults: Required<Omit<SimulatorFaults, 'seed'>>;
  /** Draws numbers in [0, 1) for the faults. */
  random: () => number;
  /** Since the last reset. */
  counters: RequestCounters;
  /** When the counters were last reset, on the monotonic clock (slot 0 of every timeline). */
  countersSince: number;
  /** Process CPU time at the last reset. */
  cpuSince: NodeJS.CpuUsage;
}

/** Counters at zero. */
export function zeroCounters(): RequestCounters {
  return { byOperation: {}, wholeRequestThrottles: 0, kmsThrottles: 0, refused: 0 };
}

/** A request body, parsed: the fields an operation reads. */
export type RequestBody = Readonly<Record<string, unknown>>;

/**
 * Parses a request body.
 *
 * @param body - The HTTP body.
 * @returns Its JSON object (`{}` for an empty body).
 * @throws `SerializationException` when it is not a JSON object.
 */
export function parseBody(body: Buffer): RequestBody {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw serializationError();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw serializationError();
  return parsed as RequestBody;
}

/**
 * The ARN of a stream of this simulator.
 *
 * @param state - The simulator.
 * @param name - The stream's name.
 * @returns `arn:aws:kinesis:<region>:<account>:stream/<name>`.
 */
export function streamArn(state: SimulatorState, name: string): string {
  return `arn:aws:kinesis:${state.region}:${state.account}:stream/${name}`;
}

/**
 * The name a request gives its stream: `StreamName`, or the name in `StreamARN`.
 *
 * @param body - The request.
 * @returns The name, or `undefined` when the request names none.
 */
export function streamNameOf(body: RequestBody): string | undefined {
  const { StreamName: name, StreamARN: arn } = body;
  if (typeof name === 'string') return name;
  if (typeof arn === 'string') return arn.slice(arn.indexOf(':stream/') + ':stream/'.length);
  return undefined;
}

/**
 * The stream a request names.
 *
 * @param state - The simulator.
 * @param body - The request.
 * @returns The stream.
 * @throws `ResourceNotFoundException` when there is no such stream.
 */
export function streamOf(state: SimulatorState, body: RequestBody): SimulatedStream {
  return namedStream(state, streamNameOf(body) ?? '');
}

/**
 * The stream of that name.
 *
 * @param state - The simulator.
 * @param name - Its name.
 * @returns The stream.
 * @throws `ResourceNotFoundException` when there is no such stream.
 */
export function namedStream(state: SimulatorState, name: string): SimulatedStream {
  const stream = state.streams.get(name);
  if (stream === undefined) throw streamNotFound(name, state.account);
  return stream;
}
