import { randomBytes } from 'node:crypto';

const FILE_ID = /^file_[0-9a-f]{32}$/u;

/** Returns a new file id: `file_` and 32 lower-case hex digits (128 random bits). */
export function newFileId(): string {
  return `file_${randomBytes(16).toString('hex')}`;
}

export function isFileId(value: string): boolean {
  return FILE_ID.test(value);
}

/** Blob path of an uploaded file's metadata, beside the bytes at `uploadBlobPath(fileId)`. */
export function uploadInfoBlobPath(fileId: string): string {
  return `upload-info/${fileId}.json`;
}
