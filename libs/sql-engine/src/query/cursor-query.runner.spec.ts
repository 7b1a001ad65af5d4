import { effectivePlanCost } from './cursor-query.runner';

describe('effectivePlanCost', () => {
  it('is the total cost of a plan without a function scan', () => {
    expect(effectivePlanCost({ 'Node Type': 'Seq Scan', 'Total Cost': 18.1 })).toBe(18.1);
  });

  it('counts a whole function scan below a limit', () => {
    const plan = {
      'Node Type': 'Limit',
      'Total Cost': 0.1,
      Plans: [{ 'Node Type': 'Function Scan', 'Total Cost': 1e10 }],
    };

    expect(effectivePlanCost(plan)).toBe(1e10);
  });

  it('finds function scans at any depth', () => {
    const plan = {
      'Node Type': 'Limit',
      'Total Cost': 5,
      Plans: [
        {
          'Node Type': 'Nested Loop',
          'Total Cost': 50,
          Plans: [
            { 'Node Type': 'Seq Scan', 'Total Cost': 10 },
            { 'Node Type': 'Function Scan', 'Total Cost': 2e7 },
          ],
        },
      ],
    };

    expect(effectivePlanCost(plan)).toBe(2e7);
  });
});
