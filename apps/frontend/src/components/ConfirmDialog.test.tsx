/** @jest-environment jsdom */
import { afterEach, describe, expect, it } from '@jest/globals';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';

import { ApiError } from '../api/api-error';
import { ConfirmDialog } from './ConfirmDialog';

afterEach(cleanup);

// jsdom 26 has no CSS namespace, and React Aria escapes meta tag names with
// CSS.escape. Its keys are plain words, so escaping quotes and backslashes suffices.
if (typeof globalThis.CSS === 'undefined') {
  Object.defineProperty(globalThis, 'CSS', {
    value: { escape: (value: string) => value.replace(/["\\]/g, '\\$&') },
  });
}

/** Renders the dialog open, with an action that fails `failures` times before it succeeds. */
function DropDialog({ failures, onDone }: { failures: number; onDone: () => void }) {
  const [open, setOpen] = useState(true);
  const [attempts, setAttempts] = useState(0);

  return (
    <>
      <p data-testid="state">{open ? 'open' : 'closed'}</p>
      <ConfirmDialog
        isOpen={open}
        onOpenChange={setOpen}
        title="Drop cities?"
        confirmLabel="Drop cities"
        failureContext="Dropping the table failed"
        onConfirm={async () => {
          setAttempts(attempts + 1);

          if (attempts < failures) {
            throw new ApiError(503, 'The SQL gateway is down.');
          }

          onDone();
        }}
      >
        <p>This deletes cities and its 2 rows.</p>
      </ConfirmDialog>
    </>
  );
}

describe('ConfirmDialog', () => {
  it('starts on Cancel, which closes it', async () => {
    const user = userEvent.setup();
    let done = false;

    render(<DropDialog failures={0} onDone={() => (done = true)} />);

    const dialog = screen.getByRole('alertdialog', { name: 'Drop cities?' });

    expect(document.activeElement?.textContent).toBe('Cancel');
    expect(dialog.textContent).toContain('This deletes cities and its 2 rows.');

    await user.keyboard('{Enter}');

    expect(screen.getByTestId('state').textContent).toBe('closed');
    expect(done).toBe(false);
  });

  it('keeps itself open with the error when the action fails', async () => {
    const user = userEvent.setup();
    let done = false;

    render(<DropDialog failures={1} onDone={() => (done = true)} />);
    await user.click(screen.getByRole('button', { name: 'Drop cities' }));

    const alert = await screen.findByRole('alert');

    expect(alert.textContent).toContain('Dropping the table failed: The SQL gateway is down.');
    expect(screen.getByTestId('state').textContent).toBe('open');

    await user.click(screen.getByRole('button', { name: 'Drop cities' }));

    expect(done).toBe(true);
    expect(screen.getByTestId('state').textContent).toBe('closed');
  });

  it('closes on Escape', async () => {
    const user = userEvent.setup();

    render(<DropDialog failures={0} onDone={() => undefined} />);
    await user.keyboard('{Escape}');

    expect(screen.getByTestId('state').textContent).toBe('closed');
  });
});
