import { type FileHandle } from 'node:fs/promises';

/**
 * Gathers chunks into two alternating buffers and writes each full buffer
 * while the other one fills, so reading and hashing the source overlap with
 * the disk write. At most one write is in flight, so the bytes land in order.
 * `append` copies each chunk before it returns, so the caller may reuse it.
 */
export class BufferedFileWriter {
  private readonly buffers: [Buffer, Buffer];
  private current = 0;
  private buffered = 0;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly handle: FileHandle,
    private readonly bufferBytes: number,
  ) {
    this.buffers = [Buffer.allocUnsafe(bufferBytes), Buffer.allocUnsafe(bufferBytes)];
  }

  async append(chunk: Uint8Array): Promise<void> {
    let offset = 0;

    while (offset < chunk.byteLength) {
      const copied = Math.min(chunk.byteLength - offset, this.bufferBytes - this.buffered);

      this.buffers[this.current].set(chunk.subarray(offset, offset + copied), this.buffered);
      this.buffered += copied;
      offset += copied;

      if (this.buffered === this.bufferBytes) {
        await this.flush();
      }
    }
  }

  /** Writes what is left and waits for every write. */
  async finish(): Promise<void> {
    await this.flush();
    await this.inFlight;
    this.inFlight = null;
  }

  /** Waits for the write in flight, ignoring its failure, so the file can be closed and removed. */
  async abandon(): Promise<void> {
    await this.inFlight?.catch(() => undefined);
    this.inFlight = null;
  }

  /** Starts writing the current buffer, after the previous write (of the other buffer) has finished. */
  private async flush(): Promise<void> {
    await this.inFlight;

    const write = writeFully(this.handle, this.buffers[this.current], this.buffered);

    // A failure surfaces when the next flush or finish awaits the write; until then it is not unhandled.
    write.catch(() => undefined);
    this.inFlight = write;
    this.current = 1 - this.current;
    this.buffered = 0;
  }
}

async function writeFully(handle: FileHandle, buffer: Buffer, length: number): Promise<void> {
  let written = 0;

  while (written < length) {
    const result = await handle.write(buffer, written, length - written);

    written += result.bytesWritten;
  }
}
