/** @jest-environment jsdom */
import { completionStatus, startCompletion } from '@codemirror/autocomplete';
import { EditorView } from '@codemirror/view';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/react';

import { SqlEditor } from './SqlEditor';

afterEach(cleanup);

function renderEditor(value: string, errorPosition: number | null) {
  const onChange = jest.fn<(value: string) => void>();
  const onRun = jest.fn<() => void>();
  const view = render(
    <>
      <span id="label">SQL statement</span>
      <SqlEditor
        value={value}
        onChange={onChange}
        onRun={onRun}
        labelledBy="label"
        errorPosition={errorPosition}
      />
    </>,
  );

  return { ...view, onChange, onRun };
}

describe('SqlEditor', () => {
  it('marks the token at the error position', () => {
    // PostgreSQL reads FORM as an alias of temp_max, so the error is at "weather", character 30.
    const { container } = renderEditor('SELECT date,\n  temp_max\nFORM weather', 30);

    const marks = [...container.querySelectorAll('.cm-sql-error')].map((mark) => mark.textContent);

    expect(marks).toEqual(['weather']);
  });

  it('labels the editable text', () => {
    const { getByRole } = renderEditor('SELECT 1', null);

    expect(getByRole('textbox', { name: 'SQL statement' }).textContent).toBe('SELECT 1');
  });

  it('runs on Ctrl+Enter', () => {
    const { getByRole, onRun } = renderEditor('SELECT 1', null);

    fireEvent.keyDown(getByRole('textbox', { name: 'SQL statement' }), {
      key: 'Enter',
      code: 'Enter',
      keyCode: 13,
      ctrlKey: true,
    });

    expect(onRun).toHaveBeenCalledTimes(1);
  });

  it('closes the completion list on Ctrl+Enter', async () => {
    const { container, getByRole, onRun } = renderEditor('SEL', null);
    const view = EditorView.findFromDOM(container.querySelector('.cm-editor') as HTMLElement);

    if (view === null) {
      throw new Error('The editor view is missing.');
    }

    view.dispatch({ selection: { anchor: 3 } });
    startCompletion(view);
    await waitFor(() => expect(completionStatus(view.state)).toBe('active'));

    fireEvent.keyDown(getByRole('textbox', { name: 'SQL statement' }), {
      key: 'Enter',
      code: 'Enter',
      keyCode: 13,
      ctrlKey: true,
    });

    expect(completionStatus(view.state)).toBeNull();
    expect(onRun).toHaveBeenCalledTimes(1);
  });

  it('drops the mark without an error', () => {
    const { container, rerender } = renderEditor('SELECT FROM', 8);

    expect(container.querySelectorAll('.cm-sql-error')).toHaveLength(1);

    rerender(
      <>
        <span id="label">SQL statement</span>
        <SqlEditor
          value="SELECT FROM"
          onChange={() => undefined}
          onRun={() => undefined}
          labelledBy="label"
          errorPosition={null}
        />
      </>,
    );

    expect(container.querySelectorAll('.cm-sql-error')).toHaveLength(0);
  });
});
