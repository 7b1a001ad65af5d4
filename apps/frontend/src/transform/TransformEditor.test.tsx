/** @jest-environment jsdom */
import { afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { type ProfileSchema } from '../api/types';
import { readSpecDraft, useSpecDraft } from './spec-draft';
import { TransformEditor } from './TransformEditor';

// A profiled CSV file. Profiling read `temp` as text because one value is
// not a number, and `when` fits both day-first and month-first dates.
const schema: ProfileSchema = {
  format: 'csv',
  encoding: 'utf-8',
  delimiter: ',',
  header: true,
  columns: [
    {
      name: 'city',
      inferredType: 'text',
      nullCount: 0,
      distinctEstimate: 3,
      sample: ['Oslo', 'Lima', 'Pune'],
    },
    {
      name: 'temp',
      inferredType: 'text',
      nullCount: 0,
      distinctEstimate: 3,
      sample: ['12', 'n/a', '15'],
    },
    {
      name: 'when',
      inferredType: 'date',
      castOptions: { format: 'dd/MM/yyyy' },
      nullCount: 0,
      distinctEstimate: 3,
      sample: ['03/04/2024', '05/06/2024', '07/08/2024'],
      ambiguous: true,
      alternatives: [{ type: 'date', castOptions: { format: 'MM/dd/yyyy' } }],
    },
  ],
};

const rows = [
  { city: 'Oslo', temp: '12', when: '03/04/2024' },
  { city: 'Lima', temp: 'n/a', when: '05/06/2024' },
  { city: 'Pune', temp: '15', when: '07/08/2024' },
];

const FILE_ID = 'file_0123456789abcdef0123456789abcdef';

/** Renders the editor as the Data page does, with the spec in the file's draft. */
function Editor({ fileId = FILE_ID }: { fileId?: string }) {
  const [spec, setSpec] = useSpecDraft(fileId);

  return <TransformEditor schema={schema} rows={rows} spec={spec} onChange={setSpec} />;
}

function stats(): string {
  return screen.getByTestId('preview-stats').textContent ?? '';
}

function stepTexts(): string[] {
  const list = screen.queryByRole('list', { name: 'Steps' });

  return list === null
    ? []
    : within(list)
        .getAllByRole('listitem')
        .map((item) => item.querySelector('span')?.textContent ?? '');
}

/** Returns the text of each body row of a preview table, with cells joined by " | ". */
function tableRows(testId: string): string[] {
  return [...screen.getByTestId(testId).querySelectorAll('tbody tr')].map((row) =>
    [...row.querySelectorAll('td')].map((cell) => cell.textContent).join(' | '),
  );
}

async function addCast(
  user: ReturnType<typeof userEvent.setup>,
  column: string,
  type: string,
  format = '',
): Promise<void> {
  await user.selectOptions(screen.getByLabelText('Step'), 'cast');
  await user.selectOptions(screen.getByLabelText('Column'), column);
  await user.selectOptions(screen.getByLabelText('Type'), type);

  if (format !== '') {
    await user.type(screen.getByLabelText('Format (optional)'), format);
  }

  await user.click(screen.getByRole('button', { name: 'Add cast step' }));
}

// Each test clicks through the editor many times, which can take longer
// than Jest's default of 5 s on a busy two-core machine.
jest.setTimeout(60_000);

beforeAll(() => {
  // jsdom has no CSS object, but React Aria's focus scope calls CSS.escape.
  if (!('CSS' in window)) {
    Object.defineProperty(window, 'CSS', {
      value: { escape: (text: string) => text.replace(/[^\w-]/gu, (char) => `\\${char}`) },
    });
  }
});

beforeEach(() => window.localStorage.clear());
afterEach(cleanup);

describe('TransformEditor', () => {
  it('previews a new cast step with its rejects', async () => {
    const user = userEvent.setup();

    render(<Editor />);
    expect(stats()).toBe('3 of 3 sample rows pass, 0 rejected.');
    expect(tableRows('preview-rejects')).toEqual(['No rejected rows.']);

    await addCast(user, 'temp', 'integer');

    expect(stepTexts()).toEqual(['Cast temp to integer']);
    expect(stats()).toBe('2 of 3 sample rows pass, 1 rejected.');
    expect(tableRows('preview-rows').map((row) => row.split(' | ').slice(0, 2))).toEqual([
      ['Oslo', '12'],
      ['Pune', '15'],
    ]);

    // Row 3 of the file: the header is row 1.
    const [reject] = tableRows('preview-rejects');
    const [row, column, value, reason] = reject.split(' | ');

    expect([row, column, value]).toEqual(['3', 'temp', 'n/a']);
    expect(reason).toMatch(/integer/i);
  });

  it('stores null under the null policy', async () => {
    const user = userEvent.setup();

    render(<Editor />);
    await addCast(user, 'temp', 'integer');
    await user.selectOptions(screen.getByLabelText('On a bad value'), 'null');

    expect(stats()).toBe('3 of 3 sample rows pass, 0 rejected. 1 bad values stored as null.');
    expect(readSpecDraft(FILE_ID)?.onError).toBe('null');
  });

  it('sets column settings from the header', async () => {
    const user = userEvent.setup();

    render(<Editor />);
    await user.click(screen.getByRole('button', { name: 'temp (text): column settings' }));

    const dialog = await screen.findByRole('dialog', { name: 'Settings of column temp' });

    await user.selectOptions(within(dialog).getByLabelText('Column type'), 'integer');
    await user.type(within(dialog).getByLabelText('Null markers (comma-separated)'), 'n/a');
    await user.click(within(dialog).getByRole('button', { name: 'Apply to temp' }));

    expect(screen.queryByRole('dialog')).toBeNull();
    expect(stepTexts()).toEqual(['Read "n/a" as empty in temp', 'Cast temp to integer']);
    expect(stats()).toBe('3 of 3 sample rows pass, 0 rejected.');
    expect(tableRows('preview-rows')[1]).toBe('Lima | ∅ | 2024-06-05');
    expect(screen.getByRole('button', { name: 'temp (integer): column settings' })).not.toBeNull();
  });

  it('applies an ambiguous column alternative', async () => {
    const user = userEvent.setup();

    render(<Editor />);
    const flagged = screen.getByTestId('ambiguous-columns');

    expect(flagged.textContent).toContain('when: read as date (format dd/MM/yyyy)');
    expect(tableRows('preview-rows')[0]).toBe('Oslo | 12 | 2024-04-03');

    await user.click(
      within(flagged).getByRole('button', { name: 'Read when as date (format MM/dd/yyyy)' }),
    );

    expect(stepTexts()).toEqual(['Cast when to date (format MM/dd/yyyy)']);
    expect(tableRows('preview-rows')[0]).toBe('Oslo | 12 | 2024-03-04');
    expect(flagged.textContent).toContain('Chosen: Cast when to date (format MM/dd/yyyy).');
  });

  it('reorders steps from the keyboard', async () => {
    const user = userEvent.setup();

    render(<Editor />);
    await addCast(user, 'temp', 'integer');
    await user.selectOptions(screen.getByLabelText('Step'), 'rename');
    await user.selectOptions(screen.getByLabelText('Column'), 'city');
    await user.type(screen.getByLabelText('New name'), 'town');
    await user.click(screen.getByRole('button', { name: 'Add rename step' }));

    expect(stepTexts()).toEqual(['Cast temp to integer', 'Rename city to town']);

    screen.getByRole('button', { name: 'Move step 2 up' }).focus();
    await user.keyboard('{Enter}');

    expect(stepTexts()).toEqual(['Rename city to town', 'Cast temp to integer']);
    expect(readSpecDraft(FILE_ID)?.steps.map((step) => step.op)).toEqual(['rename', 'cast']);
    // The moved step is first, where it cannot go up: focus stays on the step.
    expect(document.activeElement?.getAttribute('aria-label')).toBe(
      'Edit step 1: Rename city to town',
    );

    await user.click(screen.getByRole('button', { name: 'Move step 1 down' }));

    expect(readSpecDraft(FILE_ID)?.steps.map((step) => step.op)).toEqual(['cast', 'rename']);
    expect(document.activeElement?.getAttribute('aria-label')).toBe(
      'Edit step 2: Rename city to town',
    );
  });

  it('edits and removes a step', async () => {
    const user = userEvent.setup();

    render(<Editor />);
    await addCast(user, 'when', 'date', 'MM/dd/yyyy');
    expect(tableRows('preview-rows')[0]).toBe('Oslo | 12 | 2024-03-04');

    await user.click(screen.getByRole('button', { name: /^Edit step 1/ }));

    const format = screen.getAllByLabelText('Format (optional)')[0];

    expect((format as HTMLInputElement).value).toBe('MM/dd/yyyy');
    await user.clear(format);
    await user.type(format, 'dd/MM/yyyy');
    await user.click(screen.getByRole('button', { name: 'Save step' }));

    expect(stepTexts()).toEqual(['Cast when to date (format dd/MM/yyyy)']);
    expect(tableRows('preview-rows')[0]).toBe('Oslo | 12 | 2024-04-03');

    await user.click(screen.getByRole('button', { name: /^Remove step 1/ }));

    expect(stepTexts()).toEqual([]);
    expect(readSpecDraft(FILE_ID)?.steps).toEqual([]);
  });

  it('derives a column from an expression', async () => {
    const user = userEvent.setup();

    render(<Editor />);
    await user.selectOptions(screen.getByLabelText('Step'), 'derive');
    await user.type(screen.getByLabelText('New column'), 'loud');
    await user.type(screen.getByLabelText('Expression'), 'upper(city)');
    await user.click(screen.getByRole('button', { name: 'Add derive step' }));

    expect(stepTexts()).toEqual(['Derive loud = upper(city)']);
    expect(stats()).toBe('3 of 3 sample rows pass, 0 rejected.');
    expect(screen.getByRole('button', { name: 'loud (text): column settings' })).not.toBeNull();
    expect(tableRows('preview-rows')[0]).toBe('Oslo | 12 | 2024-04-03 | OSLO');
  });

  it('shows why a spec is invalid', async () => {
    const user = userEvent.setup();

    render(<Editor />);
    await user.selectOptions(screen.getByLabelText('Step'), 'filter');
    await user.type(screen.getByLabelText('Keep rows where'), 'no_such_column > 1');
    await user.click(screen.getByRole('button', { name: 'Add filter step' }));

    expect(screen.getByRole('alert').textContent).toMatch(/no_such_column/);
    expect(screen.queryByTestId('preview-stats')).toBeNull();
  });

  it('keeps each file draft across remounts', async () => {
    const user = userEvent.setup();
    const first = render(<Editor />);

    await addCast(user, 'temp', 'integer');
    first.unmount();

    render(<Editor />);
    expect(stepTexts()).toEqual(['Cast temp to integer']);
    expect(stats()).toBe('2 of 3 sample rows pass, 1 rejected.');
    cleanup();

    // Another file has a draft of its own.
    render(<Editor fileId="file_ffffffffffffffffffffffffffffffff" />);
    expect(stepTexts()).toEqual([]);
  });
});
