/** @jest-environment jsdom */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { cleanup, render, screen, within } from '@testing-library/react';

import { DataTable, formatCell } from './DataTable';

afterEach(cleanup);

// jsdom has no layout, so every element is 0 pixels high. The scroll area
// gets the height that `.table-scroll` has in the browser, so the table
// renders the window of rows that a browser would. jsdom defines
// `clientHeight` on Element, so the override on HTMLElement is removed after.

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('table-scroll') ? 420 : 0;
    },
  });
});

afterAll(() => {
  delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
});

const columns = [
  { name: 'id', type: 'integer' },
  { name: 'city', type: 'text' },
];

function bodyRows(testId: string): HTMLTableRowElement[] {
  return [...screen.getByTestId(testId).querySelectorAll<HTMLTableRowElement>('tbody tr')].filter(
    (row) => !row.classList.contains('spacer'),
  );
}

describe('DataTable', () => {
  it('renders every row of a small result', () => {
    render(
      <DataTable
        caption="Cities"
        columns={columns}
        rows={[
          [1, 'Oslo'],
          [2, null],
          [3, 'Lima'],
        ]}
        testId="cities"
      />,
    );

    const rows = bodyRows('cities');

    expect(rows.map((row) => row.textContent)).toEqual(['1Oslo', '2∅', '3Lima']);
    expect(within(rows[1]).getByText('∅').className).toBe('null');
    expect(screen.getByRole('columnheader', { name: 'city text' })).toBeTruthy();
  });

  it('numbers rows from the page offset', () => {
    render(
      <DataTable
        caption="Page 3"
        columns={columns}
        rows={[
          [201, 'Pune'],
          [202, 'Bergen'],
        ]}
        firstRowNumber={201}
        testId="page"
      />,
    );

    const headers = screen.getAllByRole('rowheader').map((cell) => cell.textContent);

    expect(headers).toEqual(['201', '202']);
    // The number is a row header, so the first data cell is still the first column.
    expect(bodyRows('page')[0].querySelector('td')?.textContent).toBe('201');
  });

  it('renders only a window of a large result', () => {
    const rows = Array.from({ length: 10_000 }, (_, index) => [index, `city ${index}`]);

    render(<DataTable caption="Many" columns={columns} rows={rows} testId="many" />);

    const rendered = bodyRows('many');
    const spacer = screen.getByTestId('many').querySelector<HTMLTableRowElement>('tbody tr.spacer');

    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered.length).toBeLessThan(100);
    expect(rendered[0].getAttribute('aria-rowindex')).toBe('2');
    expect(screen.getByTestId('many').getAttribute('aria-rowcount')).toBe('10001');
    // The spacer after the window takes the height of the rows not rendered.
    expect(spacer).not.toBeNull();
    expect(Number.parseFloat(spacer?.style.height ?? '0')).toBeGreaterThan(100_000);
  });

  it('shows the empty text without rows', () => {
    render(
      <DataTable caption="None" columns={columns} rows={[]} empty="No cities." testId="none" />,
    );

    expect(bodyRows('none').map((row) => row.textContent)).toEqual(['No cities.']);
  });
});

describe('formatCell', () => {
  it('formats each kind of value', () => {
    expect(formatCell(null)).toBe('∅');
    expect(formatCell(undefined)).toBe('∅');
    expect(formatCell({ a: 1 })).toBe('{"a":1}');
    expect(formatCell(12345678901234567890n)).toBe('12345678901234567890');
    expect(formatCell(false)).toBe('false');
  });
});
