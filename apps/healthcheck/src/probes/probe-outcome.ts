/** Health of one service as the healthcheck sees it. */
export type HealthStatus = 'up' | 'down' | 'unknown';

/** Result of one probe of one instance's `/health`. */
export interface ProbeOutcome {
  url: string;
  status: 'up' | 'down';
  /** Time until the response (or the failure), in milliseconds. */
  latencyMs: number;
  /** Why the probe failed; undefined when it passed. */
  error?: string;
  checkedAt: string;
}
