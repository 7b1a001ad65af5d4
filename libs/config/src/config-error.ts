/** One invalid or missing setting: its name and what is wrong, never its value. */
export interface ConfigProblem {
  /** Dotted path of the setting in the config object, such as `database.port`. */
  setting: string;
  /** Environment variable that can set it, when the schema maps one. */
  env?: string;
  problem: string;
}

/** Raised by `loadConfig` with every problem of the configuration at once. */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = 'ConfigError';
  }
}

function formatProblems(problems: ConfigProblem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems.map((problem) => {
    const name = problem.env === undefined ? problem.setting : `${problem.setting} (${problem.env})`;

    return `- ${name}: ${problem.problem}`;
  });

  return [`Invalid configuration, ${count}:`, ...lines].join('\n');
}
