/** Helpers shared by the specs. */
import { lastValueFrom, toArray } from 'rxjs';
import type { Observable } from 'rxjs';
import type { KinesisBatchResult, KinesisRecordResult } from '../../lib/index.js';
import type { Logger } from '../../lib/shared/logger.js';

/** Every batch result of a run, once the output completes. */
export function collect<T>(results$: Observable<KinesisBatchResult<T>>): Promise<KinesisBatchResult<T>[]> {
  return lastValueFrom(results$.pipe(toArray()));
}

/** Every record outcome of a run, batch after batch. */
export function outcomes<T>(batches: readonly KinesisBatchResult<T>[]): KinesisRecordResult<T>[] {
  return batches.flatMap((batch) => batch.records);
}

/** A logger that keeps what it is told, by level. */
export function recordingLogger(): Logger & { readonly lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => void lines.push({ level, message });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
