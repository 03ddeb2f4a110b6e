/**
 * Lines of a byte stream, as they are: each line's bytes (without its `\n`) and its 1-based line
 * number. No decoding, so every line is sent byte for byte.
 *
 * @module
 */
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';

/** One line of the input. */
export interface Line {
  /** 1-based line number in the input. */
  readonly number: number;
  /** The line's bytes, without the `\n` that ends it (only the first `maxLineBytes + 1` of a longer line). */
  readonly data: Buffer;
  /** The line's length in bytes, without its `\n`: more than `data` holds when the line was cut. */
  readonly size: number;
}

const NEWLINE = 0x0a;

/**
 * A Transform from bytes to {@link Line}s (object mode on its readable side). Empty lines are
 * skipped (their numbers still count). A line longer than `maxLineBytes` is kept only up to one
 * byte over that length, so that a file without newlines cannot fill the memory; its whole length
 * is counted (`size`), for the message that refuses it as too large.
 */
export class LineSplitter extends Transform {
  #number = 0;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** The current line's length so far, the bytes not kept included. */
  #size = 0;
  #stopped = false;

  /** @param maxLineBytes - The longest line kept whole (the largest record). */
  constructor(private readonly maxLineBytes: number) {
    super({ readableObjectMode: true });
  }

  /** Lines read so far (empty ones included). */
  get lines(): number {
    return this.#number;
  }

  /** Whether {@link LineSplitter.stop} ended the lines before the end of the bytes. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Ends the lines where they are, before the end of the bytes: the lines already split still
   * come out; the bytes after the last complete line, and any written later, are dropped (never
   * a line cut short). Nothing happens once the bytes have ended.
   */
  stop(): void {
    if (this.writableEnded) return;
    this.#stopped = true;
    this.end();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.#stopped) return done();
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE, start); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      this.#keep(chunk.subarray(start, end));
      this.#emit();
      start = end + 1;
    }
    if (start < chunk.length) this.#keep(chunk.subarray(start));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.#size > 0 && !this.#stopped) this.#emit();
    done();
  }

  /** Adds bytes to the current line, up to one byte over the limit. */
  #keep(bytes: Buffer): void {
    this.#size += bytes.length;
    const room = this.maxLineBytes + 1 - this.#pendingBytes;
    if (room <= 0 || bytes.length === 0) return;
    const kept = bytes.length > room ? bytes.subarray(0, room) : bytes;
    this.#pending.push(kept);
    this.#pendingBytes += kept.length;
  }

  /** Ends the current line. */
  #emit(): void {
    this.#number += 1;
    const data = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
    const size = this.#size;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#size = 0;
    if (size > 0) this.push({ number: this.#number, data, size } satisfies Line);
  }
}
