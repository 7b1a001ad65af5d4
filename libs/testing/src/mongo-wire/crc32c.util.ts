// CRC-32C (Castagnoli), the checksum of OP_MSG messages. Node 20 has no
// built-in CRC-32C (zlib.crc32 of Node 22 is the other polynomial), so the
// table is computed here: reflected polynomial 0x82F63B78.
const TABLE = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);

  for (let byte = 0; byte < 256; byte++) {
    let value = byte;

    for (let bit = 0; bit < 8; bit++) {
      value = value & 1 ? (value >>> 1) ^ 0x82f63b78 : value >>> 1;
    }

    table[byte] = value >>> 0;
  }

  return table;
}

/** Computes the CRC-32C of `bytes` as an unsigned 32-bit integer. */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;

  for (const byte of bytes) {
    crc = TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  }

  return (crc ^ 0xffffffff) >>> 0;
}
