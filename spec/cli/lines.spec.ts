/** The command's line splitter: bytes into numbered lines, as they are. */
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { LineSplitter } from '../../lib/cli/lines.js';
import type { Line } from '../../lib/cli/lines.js';

describe('LineSplitter', () => {
  it('splits bytes into lines as they are, whatever the chunks: numbers kept, empty lines skipped, an over-long line cut one byte over the limit, its whole size counted', async () => {
    const text = Buffer.from('one\r\n\ncaf\u00e9\n0123456789abcdef\nlast');
    for (const chunkSize of [1, 3, text.length]) {
      const splitter = new LineSplitter(8);
      const chunks = Array.from({ length: Math.ceil(text.length / chunkSize) }, (_, i) => text.subarray(i * chunkSize, (i + 1) * chunkSize));
      const lines: Line[] = await Readable.from(chunks).pipe(splitter).toArray();
      expect(lines.map((line) => [line.number, line.data.toString(), line.size]), `chunks of ${chunkSize}`).to.deep.equal([
        [1, 'one\r', 4],
        [3, 'caf\u00e9', 5],
        [4, '012345678', 16],
        [5, 'last', 4],
      ]);
      expect(splitter.stopped).to.equal(false);
    }
  });

  it('stop(): the lines split still come out, the bytes after the last complete line never do (no line cut short)', async () => {
    const splitter = new LineSplitter(100);
    splitter.write(Buffer.from('one\ntwo\nthr'));
    splitter.stop();
    const lines: Line[] = await splitter.toArray();
    expect(lines.map((line) => line.data.toString())).to.deep.equal(['one', 'two']);
    expect([splitter.lines, splitter.stopped]).to.deep.equal([2, true]);
  });

  it('stop() once the bytes have ended changes nothing', async () => {
    const splitter = new LineSplitter(100);
    splitter.end(Buffer.from('one\nlast'));
    splitter.stop();
    expect((await splitter.toArray()).map((line: Line) => line.data.toString())).to.deep.equal(['one', 'last']);
    expect(splitter.stopped).to.equal(false);
  });
});
