/** @jest-environment jsdom */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { session } from '../api/session';
import { LoadPanel } from './LoadPanel';

// Clicking through React Aria's checkboxes can take longer than Jest's
// default of 5 s on a busy two-core machine.
jest.setTimeout(60_000);

const realFetch = globalThis.fetch;

afterEach(() => {
  cleanup();
  jest.restoreAllMocks();
  globalThis.fetch = realFetch;
});

describe('LoadPanel', () => {
  it('needs a key column to upsert', async () => {
    const user = userEvent.setup();

    render(
      <LoadPanel
        fileId="file_0123456789abcdef0123456789abcdef"
        spec={{ steps: [] }}
        defaultTable="weather"
        columns={['station', 'day', 'temp']}
      />,
    );

    const load = screen.getByRole('button', { name: 'Load into table' }) as HTMLButtonElement;

    expect((screen.getByLabelText('Table name') as HTMLInputElement).value).toBe('weather');
    expect(load.disabled).toBe(false);
    expect(screen.queryByRole('group', { name: 'Key columns' })).toBeNull();

    await user.selectOptions(screen.getByLabelText('Mode'), 'upsert');

    const keys = screen.getByRole('group', { name: 'Key columns' });

    expect(
      [...keys.querySelectorAll('input[type="checkbox"]')].map(
        (box) => (box as HTMLInputElement).value,
      ),
    ).toEqual(['station', 'day', 'temp']);
    expect(load.disabled).toBe(true);

    await user.click(screen.getByRole('checkbox', { name: 'day' }));

    expect(load.disabled).toBe(false);
  });

  it('shows a table clash once', async () => {
    const user = userEvent.setup();
    const message =
      'Table "weather" exists; choose another name, or use mode "replace", "append" or "upsert".';

    jest.spyOn(session, 'token').mockResolvedValue('token');
    globalThis.fetch = jest.fn(async () => {
      const body = { statusCode: 409, error: 'Conflict', message };

      // jsdom has no Response, so this object has only the fields that the client reads.
      return { ok: false, status: 409, statusText: 'Conflict', json: async () => body };
    }) as unknown as typeof fetch;

    render(
      <LoadPanel
        fileId="file_0123456789abcdef0123456789abcdef"
        spec={{ steps: [] }}
        defaultTable="weather"
        columns={['station', 'day', 'temp']}
      />,
    );

    await user.click(screen.getByRole('button', { name: 'Load into table' }));

    const alert = await screen.findByRole('alert');

    expect(alert.textContent).toContain(message);
    expect(alert.querySelector('.hint')).toBeNull();
    expect(alert.textContent).not.toContain('Choose another name');
  });
});
