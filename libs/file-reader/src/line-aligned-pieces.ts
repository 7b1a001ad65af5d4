const LF = 0x0a;

/**
 * Cuts the pieces of a UTF-8 or Windows-1252 file after their last line
 * feed byte, and keeps the bytes after it until the next piece. In these
 * encodings byte 0x0A is always the character LF, so a cut there never
 * splits a character. The CSV parser then starts each piece at a line
 * start, which is a record start unless a quoted field spans lines.
 * Otherwise it would join the record cut at the end of the last piece to
 * the new text, and reading the joined string (a V8 cons string) made it
 * about a fifth slower on the flights file. A piece without a line feed is
 * passed on whole, after the carried bytes, so the carried bytes never grow
 * beyond one piece.
 */
export class LineAlignedPieces {
  private carried: Uint8Array = new Uint8Array(0);
  private joined: Uint8Array = new Uint8Array(0);

  /**
   * Returns the carried bytes and `bytes` up to and including its last line
   * feed, and keeps the rest for the next call. The next call may overwrite
   * the array returned, so it must be decoded before then.
   */
  take(bytes: Uint8Array): Uint8Array {
    const lastLineFeed = bytes.lastIndexOf(LF);

    if (lastLineFeed < 0) {
      const whole = this.join(bytes, bytes.length);

      this.carried = new Uint8Array(0);

      return whole;
    }

    const piece = this.join(bytes, lastLineFeed + 1);

    // Copied, because the source may reuse the memory of `bytes` (Buffer's slice() would not copy).
    this.carried = new Uint8Array(bytes.subarray(lastLineFeed + 1));

    return piece;
  }

  /** The number of bytes carried to the next call. */
  get carriedBytes(): number {
    return this.carried.length;
  }

  /** Returns the bytes still carried, at the end of the file. */
  rest(): Uint8Array {
    const rest = this.carried;

    this.carried = new Uint8Array(0);

    return rest;
  }

  /** Returns the carried bytes followed by the first `length` bytes of `bytes`. */
  private join(bytes: Uint8Array, length: number): Uint8Array {
    if (this.carried.length === 0) {
      return bytes.subarray(0, length);
    }

    const total = this.carried.length + length;

    if (this.joined.length < total) {
      this.joined = new Uint8Array(Math.max(total, this.joined.length * 2));
    }

    this.joined.set(this.carried, 0);
    this.joined.set(bytes.subarray(0, length), this.carried.length);

    return this.joined.subarray(0, total);
  }
}
