import { describe, expect, it } from '@jest/globals';

import { formatDetails } from './AuditPage';

describe('formatDetails', () => {
  it('writes one line per key', () => {
    expect(formatDetails({ method: 'local', rowsLoaded: 1461, error: null })).toBe(
      'method: local\nrowsLoaded: 1461',
    );
  });

  it('writes nested values as JSON', () => {
    expect(formatDetails({ columns: [{ name: 'date' }] })).toBe('columns: [{"name":"date"}]');
  });

  it('marks missing details', () => {
    expect([formatDetails(null), formatDetails(undefined), formatDetails({ error: null })]).toEqual(
      ['–', '–', '–'],
    );
  });
});
