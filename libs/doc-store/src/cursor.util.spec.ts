import { decodeCursor, encodeCursor } from './cursor.util';
import { DocStoreError } from './doc-store.errors';

describe('cursor', () => {
  it('round trips its keys', () => {
    const cursor = encodeCursor('people\u0000age', [2, 41.5, 'ada']);

    expect(decodeCursor(cursor, 'people\u0000age', 3)).toEqual([2, 41.5, 'ada']);
  });

  it('rejects another scope', () => {
    const cursor = encodeCursor('people\u0000age', [2, 41, 'ada']);

    expect(() => decodeCursor(cursor, 'people\u0000name', 3)).toThrow(DocStoreError);
  });

  it('rejects a wrong key count', () => {
    const cursor = encodeCursor('people', ['ada']);

    expect(() => decodeCursor(cursor, 'people', 3)).toThrow(DocStoreError);
  });

  it.each([
    '',
    '!!!',
    Buffer.from('{"s":1}').toString('base64url'),
    Buffer.from('[]').toString('base64url'),
  ])('rejects damaged cursor %j', (cursor) => {
    expect(() => decodeCursor(cursor, 'people', 1)).toThrow(DocStoreError);
  });
});
