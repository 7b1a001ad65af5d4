import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { EmbeddedDocStore } from './embedded-doc-store';

const GIB = 1024 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;
// A quarter of the blob: garbage collection lags on a loaded machine, but a
// store that held the blob in memory would grow by all of it.
const MAX_RSS_GROWTH_BYTES = 256 * 1024 * 1024;

/** Tracks the highest resident set size seen while a test streams. */
function sampleRss(): { peak(): number; stop(): void } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);

  return {
    peak: () => Math.max(peak, process.memoryUsage().rss),
    stop: () => clearInterval(timer),
  };
}

/**
 * Yields `total` bytes in 1 MiB chunks without holding them: one random
 * block, reused, with the chunk number written over its first bytes so no
 * two chunks are equal. `digest` returns the SHA-256 of everything yielded.
 */
function generatedBytes(total: number): { source: AsyncGenerator<Uint8Array>; digest(): string } {
  const hash = createHash('sha256');
  const block = randomBytes(CHUNK_BYTES);

  async function* generate(): AsyncGenerator<Uint8Array> {
    for (let offset = 0, chunk = 0; offset < total; offset += CHUNK_BYTES, chunk++) {
      const view = block.subarray(0, Math.min(CHUNK_BYTES, total - offset));

      block.writeUInt32BE(chunk, 0);
      hash.update(view);
      yield view;
    }
  }

  return { source: generate(), digest: () => hash.digest('hex') };
}

describe('EmbeddedDocStore big blob', () => {
  let directory: string;
  let store: EmbeddedDocStore;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'doc-store-big-'));
    store = await EmbeddedDocStore.open({ directory, maxBlobBytes: 2 * GIB });
  });

  afterAll(async () => {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('streams 1 GiB with flat memory', async () => {
    const generated = generatedBytes(GIB);
    const rssBefore = process.memoryUsage().rss;
    const sampler = sampleRss();

    try {
      const info = await store.putBlob('big/one-gib.bin', generated.source);
      const expectedSha256 = generated.digest();

      expect(info.size).toBe(GIB);
      expect(info.sha256).toBe(expectedSha256);

      const { stream } = await store.getBlob('big/one-gib.bin');
      const readHash = createHash('sha256');
      let readBytes = 0;

      for await (const chunk of stream) {
        readHash.update(chunk as Buffer);
        readBytes += (chunk as Buffer).byteLength;
      }

      expect(readBytes).toBe(GIB);
      expect(readHash.digest('hex')).toBe(expectedSha256);
    } finally {
      sampler.stop();
    }

    const rssAfter = process.memoryUsage().rss;

    expect(rssAfter - rssBefore).toBeLessThan(MAX_RSS_GROWTH_BYTES);
    expect(sampler.peak() - rssBefore).toBeLessThan(MAX_RSS_GROWTH_BYTES);
  }, 120_000);
});
