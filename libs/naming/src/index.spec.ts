import { placeholder } from '@rokks/naming';

describe('naming', () => {
  it('loads', () => {
    expect(placeholder).toBe(1);
  });
});
