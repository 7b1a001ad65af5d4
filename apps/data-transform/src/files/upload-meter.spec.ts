import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { TransformHttpError } from '../http/transform-http.error';
import { FORWARD_CHUNK_BYTES, UploadMeter } from './upload-meter';

/** Splits `bytes` into TLS-record-sized pieces, as a request body arrives. */
function recordSizedPieces(bytes: Buffer, pieceBytes = 16 * 1024): Buffer[] {
  const pieces: Buffer[] = [];

  for (let offset = 0; offset < bytes.length; offset += pieceBytes) {
    pieces.push(bytes.subarray(offset, offset + pieceBytes));
  }

  return pieces;
}

async function meterAll(meter: UploadMeter, pieces: Buffer[]): Promise<Buffer[]> {
  const output: Buffer[] = [];

  // A Writable receives each pushed chunk on its own, where an async iterator would join the buffered ones.
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      output.push(chunk);
      callback();
    },
  });

  await pipeline(Readable.from(pieces), meter, sink);

  return output;
}

describe('UploadMeter', () => {
  it('passes every byte on in forward-sized chunks', async () => {
    const bytes = randomBytes(3 * FORWARD_CHUNK_BYTES + 12_345);
    const meter = new UploadMeter(bytes.length);
    const output = await meterAll(meter, recordSizedPieces(bytes));

    expect(Buffer.concat(output).equals(bytes)).toBe(true);
    expect(output.map((chunk) => chunk.length)).toEqual([
      FORWARD_CHUNK_BYTES,
      FORWARD_CHUNK_BYTES,
      FORWARD_CHUNK_BYTES,
      12_345,
    ]);
  });

  it('counts the bytes', async () => {
    const bytes = randomBytes(FORWARD_CHUNK_BYTES + 999);
    const meter = new UploadMeter(bytes.length);

    await meterAll(meter, recordSizedPieces(bytes, 1000));

    expect(meter.bytes).toBe(bytes.length);
  });

  it('keeps bytes of a reused source buffer', async () => {
    const meter = new UploadMeter(10 * 1024);
    const reused = Buffer.alloc(1024);
    const output: Buffer[] = [];
    const collected = new Promise<void>((resolve, reject) => {
      meter.on('data', (chunk: Buffer) => output.push(chunk));
      meter.once('end', resolve);
      meter.once('error', reject);
    });

    for (let piece = 0; piece < 10; piece += 1) {
      reused.fill(piece);
      meter.write(reused);
    }

    meter.end();
    await collected;

    const expected = Buffer.concat(Array.from({ length: 10 }, (_, piece) => Buffer.alloc(1024, piece)));

    expect(Buffer.concat(output).equals(expected)).toBe(true);
  });

  it('passes an empty body on as nothing', async () => {
    const meter = new UploadMeter(100);
    const output = await meterAll(meter, []);

    expect(output).toEqual([]);
    expect(meter.bytes).toBe(0);
  });

  it('fails with 413 past the limit', async () => {
    const meter = new UploadMeter(FORWARD_CHUNK_BYTES);
    const pieces = recordSizedPieces(Buffer.alloc(FORWARD_CHUNK_BYTES + 1));
    const failure = meterAll(meter, pieces);

    await expect(failure).rejects.toBeInstanceOf(TransformHttpError);
    await expect(failure).rejects.toThrow(`the limit of ${FORWARD_CHUNK_BYTES} bytes`);
  });
});
