/**
 * Reading an HTTP response body (a stream, or bytes already read) to the end, stoppable.
 *
 * @module
 */

/**
 * Reads a whole response body; stops (destroying the stream) when `signal` aborts.
 *
 * @example
 * ```ts
 * const text = (await readBody(response.body, signal)).toString('utf8');
 * ```
 * @param body - The body as the request handler gives it: a readable stream, or a `Uint8Array`.
 * @param signal - Stops the reading.
 * @returns The bytes.
 */
export async function readBody(body: unknown, signal: AbortSignal): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const stream = body as AsyncIterable<Buffer> & { destroy?: (error?: Error) => void };
  const stop = (): void => stream.destroy?.(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  signal.addEventListener('abort', stop, { once: true });
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    return Buffer.concat(chunks);
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
