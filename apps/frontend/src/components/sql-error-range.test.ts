import { describe, expect, it } from '@jest/globals';

import { lineAndColumn, sqlErrorRange } from './sql-error-range';

describe('sqlErrorRange', () => {
  it('covers the identifier at the position', () => {
    const sql = 'SELECT * FORM seattle_weather';

    // The gateway sends 10 for "FORM": 1-based, and the parser points at its first letter.
    expect(sqlErrorRange(sql, 10)).toEqual({ from: 9, to: 13 });
  });

  it('covers a quoted identifier', () => {
    const sql = 'SELECT "max temp" FROM t';

    expect(sqlErrorRange(sql, 8)).toEqual({ from: 7, to: 8 + 'max'.length });
  });

  it('marks one character for punctuation', () => {
    expect(sqlErrorRange('SELECT 1,, 2', 10)).toEqual({ from: 9, to: 10 });
  });

  it('marks the last character at the end of input', () => {
    const sql = 'SELECT * FROM';

    // "syntax error at end of input" comes with the position just past the end.
    expect(sqlErrorRange(sql, sql.length + 1)).toEqual({ from: sql.length - 1, to: sql.length });
  });

  it('clamps positions outside the statement', () => {
    expect(sqlErrorRange('SELECT', 0)).toEqual({ from: 0, to: 6 });
    expect(sqlErrorRange('SELECT', 99)).toEqual({ from: 5, to: 6 });
  });

  it('returns null for an empty statement', () => {
    expect(sqlErrorRange('', 1)).toBeNull();
  });
});

describe('lineAndColumn', () => {
  it('counts lines and columns from 1', () => {
    const sql = 'SELECT date,\n  temp_max\nFORM weather';

    expect(lineAndColumn(sql, 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn(sql, 29)).toEqual({ line: 3, column: 6 });
  });
});
