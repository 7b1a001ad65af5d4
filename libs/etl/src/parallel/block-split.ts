const LF = 0x0a;

/**
 * Returns where to cut `bytes` into a block: after the last line feed that
 * an even number of quote bytes precedes, or -1 when there is none. The
 * bytes must start at a record start. In the RFC 4180 dialect a quote
 * inside a quoted field is doubled, so such a line feed is outside any
 * quoted field. A quote inside an unquoted field breaks that rule, and the
 * reader of the block then finds that the block ends inside a record.
 */
export function findBlockCut(block: Uint8Array, quote: number): number {
  // Buffer's searches run about twenty times faster than Uint8Array's.
  const bytes = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  let lineFeed = bytes.lastIndexOf(LF);

  if (lineFeed < 0) {
    return -1;
  }

  if (bytes.indexOf(quote) < 0) {
    return lineFeed + 1;
  }

  const quotes: number[] = [];

  for (let at = bytes.indexOf(quote); at >= 0; at = bytes.indexOf(quote, at + 1)) {
    quotes.push(at);
  }

  // Walks back from the last line feed. One with an odd number of quotes
  // before it is inside a quoted field. So is every line feed after the last
  // of those quotes, so the search goes on before that quote.
  let before = quotes.length;

  while (lineFeed >= 0) {
    while (before > 0 && quotes[before - 1] > lineFeed) {
      before -= 1;
    }

    if (before % 2 === 0) {
      return lineFeed + 1;
    }

    const from = quotes[before - 1] - 1;

    // A negative start would count from the end.
    lineFeed = from < 0 ? -1 : bytes.lastIndexOf(LF, from);
  }

  return -1;
}
