import { readEnvironment } from './read-environment';

describe('readEnvironment', () => {
  it('returns a frozen copy of the environment', () => {
    const environment = readEnvironment();

    expect(Object.isFrozen(environment)).toBe(true);
    expect(environment['PATH']).toBe(process.env['PATH']);
    expect(environment).not.toBe(process.env);
  });
});
