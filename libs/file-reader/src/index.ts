export { ByteInput, type ByteSource } from './byte-input';
export { type BlockStart, CsvBlockReader, type CsvDialect, lineCutDialect, type LineCutEncoding } from './csv/csv-block-reader';
export { DELIMITER_CANDIDATES } from './csv/sniff-delimiter.util';
export { type FileReader, openFileReader } from './file-reader';
export { FileReaderError, type FileReaderErrorCode } from './file-reader.error';
export {
  type DetectedFormat,
  type FileChunk,
  type FileFormat,
  type FileReaderOptions,
  type LineEnding,
  type ReadProgress,
  type RowError,
  type TextEncodingName,
} from './file-reader.types';
export { DEFAULT_CHUNK_ROWS, DEFAULT_MAX_RECORD_LENGTH, DEFAULT_SAMPLE_BYTES } from './resolve-options';
