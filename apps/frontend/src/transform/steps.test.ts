import { describe, expect, it } from '@jest/globals';

import { type Step, type TransformSpec } from '@rokks/transform';

import { type ProfileSchema } from '../api/types';
import {
  applyColumnSettings,
  columnsAfter,
  columnSettings,
  EMPTY_FIELDS,
  fieldsToStep,
  stepToFields,
} from './steps';

const schema: ProfileSchema = {
  format: 'csv',
  encoding: 'utf-8',
  delimiter: ',',
  header: true,
  columns: [
    { name: 'a', inferredType: 'integer', nullCount: 0, distinctEstimate: 1, sample: ['1'] },
    {
      name: 'b',
      inferredType: 'date',
      castOptions: { format: 'dd/MM/yyyy' },
      nullCount: 0,
      distinctEstimate: 1,
      sample: ['01/02/2024'],
    },
  ],
};

// One step of every kind, with its optional fields set where it has any.
const everyKind: Step[] = [
  {
    op: 'cast',
    column: 'a',
    type: 'numeric',
    format: 'x',
    timezone: 'UTC',
    decimalSeparator: ',',
    thousandsSeparator: '.',
    trueValues: ['ja'],
    falseValues: ['nein'],
  },
  { op: 'rename', from: 'a', to: 'c' },
  { op: 'select', columns: ['a', 'b'] },
  { op: 'drop', columns: ['b'] },
  { op: 'derive', column: 'd', type: 'float', expr: 'a * 2' },
  { op: 'derive', column: 'd', expr: 'a * 2' },
  { op: 'filter', expr: 'a > 1' },
  { op: 'fill', column: 'a', method: 'constant', value: '0' },
  { op: 'fill', column: 'a', method: 'previous' },
  { op: 'trim' },
  { op: 'trim', columns: ['b'] },
  { op: 'replace', column: 'b', find: '-', replace: '/', regex: true },
  { op: 'replace', column: 'b', find: '-', replace: '/' },
  { op: 'split', column: 'b', separator: '/', into: ['x', 'y'] },
  { op: 'dedupe', keys: ['a'], keep: 'last' },
  { op: 'nulls', values: ['NA', '-'], columns: ['a'] },
  { op: 'nulls', values: ['NA'] },
];

describe('step fields', () => {
  it.each(everyKind.map((step) => [step.op, step] as const))(
    'round-trips a %s step',
    (_op, step) => {
      expect(fieldsToStep(stepToFields(step))).toEqual({ step });
    },
  );

  it('names the missing field', () => {
    expect(fieldsToStep({ ...EMPTY_FIELDS, op: 'rename', column: 'a' })).toEqual({
      problem: 'Fill in the new name.',
    });
    expect(fieldsToStep({ ...EMPTY_FIELDS, op: 'select' })).toEqual({
      problem: 'Choose at least one column.',
    });
    expect(fieldsToStep({ ...EMPTY_FIELDS, op: 'split', column: 'b', into: ' , ' })).toEqual({
      problem: 'Name the new columns.',
    });
  });
});

describe('columnsAfter', () => {
  it('lists the columns the steps leave', () => {
    expect(columnsAfter(schema, [{ op: 'rename', from: 'a', to: 'c' }])).toEqual(['c', 'b']);
  });

  it('returns null for invalid steps', () => {
    expect(columnsAfter(schema, [{ op: 'drop', columns: ['missing'] }])).toBeNull();
  });
});

describe('column settings', () => {
  it('start from the profile', () => {
    expect(columnSettings({ steps: [] }, 'b', schema.columns[1], undefined)).toEqual({
      type: 'date',
      options: { format: 'dd/MM/yyyy' },
      nullValues: [],
    });
  });

  it('add a nulls step before a new cast', () => {
    const spec = applyColumnSettings({ steps: [{ op: 'trim' }] }, 'a', {
      type: 'float',
      options: {},
      nullValues: ['NA'],
    });

    expect(spec.steps).toEqual([
      { op: 'trim' },
      { op: 'nulls', values: ['NA'], columns: ['a'] },
      { op: 'cast', column: 'a', type: 'float' },
    ]);
  });

  it('replace the cast and nulls steps in place', () => {
    const before: TransformSpec = {
      steps: [
        { op: 'nulls', values: ['NA'], columns: ['a'] },
        { op: 'cast', column: 'a', type: 'float' },
        { op: 'filter', expr: 'a > 0' },
      ],
      onError: 'null',
    };
    const after = applyColumnSettings(before, 'a', {
      type: 'numeric',
      options: { decimalSeparator: ',' },
      nullValues: ['-'],
    });

    expect(after).toEqual({
      steps: [
        { op: 'nulls', values: ['-'], columns: ['a'] },
        { op: 'cast', column: 'a', type: 'numeric', decimalSeparator: ',' },
        { op: 'filter', expr: 'a > 0' },
      ],
      onError: 'null',
    });
    expect(columnSettings(after, 'a', schema.columns[0], 'numeric')).toEqual({
      type: 'numeric',
      options: { decimalSeparator: ',' },
      nullValues: ['-'],
    });
  });

  it('drop the nulls step when no markers are left', () => {
    const after = applyColumnSettings(
      {
        steps: [
          { op: 'nulls', values: ['NA'], columns: ['a'] },
          { op: 'cast', column: 'a', type: 'float' },
        ],
      },
      'a',
      { type: 'float', options: {}, nullValues: [] },
    );

    expect(after.steps).toEqual([{ op: 'cast', column: 'a', type: 'float' }]);
  });
});
