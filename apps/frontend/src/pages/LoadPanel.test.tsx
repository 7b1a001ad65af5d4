/** @jest-environment jsdom */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { LoadPanel } from './LoadPanel';

// Clicking through React Aria's checkboxes can take longer than Jest's
// default of 5 s on a busy two-core machine.
jest.setTimeout(60_000);

afterEach(cleanup);

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
});
