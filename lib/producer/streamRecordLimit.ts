/**
 * The stream's own record limit, for `maxRecordBytes: 'stream'`: asked once per subscription with
 * `DescribeStreamSummary`, and 1 MiB (the limit of every stream not raised with
 * `UpdateMaxRecordSize`) when the answer does not say or the call fails.
 *
 * @module
 */
import { errorCodeOf, STREAM_NOT_FOUND_ERROR_CODE } from '../kinesis/errorCodes.js';
import { DEFAULT_MAX_RECORD_BYTES } from '../kinesis/limits.js';
import { messageOf } from '../shared/errors.js';
import { formatBytes } from '../shared/format.js';
import type { Logger } from '../shared/logger.js';
import { SharedCall } from '../shared/sharedCall.js';

/**
 * The record limit of one stream, asked once (callers at the same time share the call). Never
 * fails: without an answer (no `kinesis:DescribeStreamSummary` permission, a timeout, an emulator
 * that does not report `MaxRecordSizeInKiB`) it is 1 MiB, said once at `warn` (at `debug` for a
 * missing field).
 *
 * @example
 * ```ts
 * const limit = new StreamRecordLimit((signal) => describeMaxRecordBytes(client, { StreamName: 'documents' }, signal), logger, 'documents');
 * const bytes = await limit.get(signal); // 2_097_152 for a stream raised to 2 MiB
 * ```
 */
export class StreamRecordLimit {
  /** The call, shared by its callers. */
  private readonly asked = new SharedCall((signal) => this.ask(signal));

  /**
   * @param describe - Asks the service for the stream's record limit (`undefined`: not said).
   * @param logger - Where the one warning goes.
   * @param streamName - The stream, for the messages.
   */
  constructor(
    private readonly describe: (signal: AbortSignal) => Promise<number | undefined>,
    private readonly logger: Logger,
    private readonly streamName: string,
  ) {}

  /**
   * The stream's record limit, asked on first use.
   *
   * @param signal - Aborts the call (the next caller asks again).
   * @returns Bytes (data plus partition key).
   * @throws Only when `signal` is aborted.
   */
  get(signal: AbortSignal): Promise<number> {
    return this.asked.get(signal);
  }

  private async ask(signal: AbortSignal): Promise<number> {
    const fallback = `records over ${formatBytes(DEFAULT_MAX_RECORD_BYTES)} are refused (RecordTooLarge)`;
    try {
      const bytes = await this.describe(signal);
      if (bytes !== undefined) return bytes;
      this.logger.debug(`stream '${this.streamName}' does not report its MaxRecordSizeInKiB; ${fallback}`);
    } catch (error) {
      if (signal.aborted) throw error;
      // A missing stream: every record sent to it says so, no warning.
      if (errorCodeOf(error) !== STREAM_NOT_FOUND_ERROR_CODE) {
        this.logger.warn(`cannot read the record limit of stream '${this.streamName}' (${messageOf(error)}); ${fallback} (allow kinesis:DescribeStreamSummary)`);
      }
    }
    return DEFAULT_MAX_RECORD_BYTES;
  }
}
