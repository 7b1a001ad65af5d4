import { useCallback, useEffect, useState } from 'react';

import { apiJson } from '../api/client';
import { type HealthReport } from '../api/types';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format-time';

/** Refresh interval when the report gives no probe interval, in milliseconds. */
const DEFAULT_REFRESH_MS = 5000;
const MIN_REFRESH_MS = 1000;

/**
 * Shows every service's health from `GET /api/health`, refreshed after each
 * probe interval. The page is at `/status` so that `/health` stays free for
 * health probes in front of the edge.
 */
export function StatusPage() {
  const [report, setReport] = useState<HealthReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((value) => value + 1), []);

  // Reads the report again after each probe interval, so the page follows the healthcheck.
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;

    const read = async (): Promise<void> => {
      let intervalMs = DEFAULT_REFRESH_MS;

      try {
        const next = await apiJson<HealthReport>('/api/health', { signal: controller.signal });

        setReport(next);
        setError(null);
        intervalMs = Math.max(next.probeIntervalMs ?? DEFAULT_REFRESH_MS, MIN_REFRESH_MS);
      } catch (caught) {
        if (controller.signal.aborted) {
          return;
        }

        setError(caught);
      }

      timer = setTimeout(() => void read(), intervalMs);
    };

    void read();

    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [version]);

  const services = report?.services ?? [];

  return (
    <section>
      <h1>Service status</h1>
      <button type="button" onClick={reload}>
        Reload
      </button>
      <ErrorMessage error={error} context="Reading the platform's health failed" />
      {report === null ? (
        error === null ? (
          <p role="status">Loading…</p>
        ) : null
      ) : (
        <>
          <p data-testid="platform-status">
            The platform is <span className={`badge ${report.status}`}>{report.status}</span>
            {report.checkedAt === null
              ? ' (not checked yet)'
              : `, checked ${formatTime(report.checkedAt)}`}
            .
          </p>
          <div className="table-scroll full" tabIndex={0} role="region" aria-label="Services">
            <table data-testid="services">
              <caption>
                {services.length === 1 ? '1 service' : `${services.length} services`}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Status</th>
                  <th scope="col">Since</th>
                  <th scope="col" className="number">
                    Latency
                  </th>
                  <th scope="col" className="number">
                    Instances
                  </th>
                  <th scope="col">Last error</th>
                </tr>
              </thead>
              <tbody>
                {services.map((service) => (
                  <tr key={service.service} data-status={service.status}>
                    <th scope="row">
                      {service.service}
                      {service.expected ? null : (
                        <span className="type"> not in the service map</span>
                      )}
                    </th>
                    <td>
                      <span className={`badge ${service.status}`}>{service.status}</span>
                    </td>
                    <td>{formatTime(service.since)}</td>
                    <td className="number">
                      {service.latencyMs === null ? '–' : `${service.latencyMs} ms`}
                    </td>
                    <td className="number">
                      {service.instances.filter((instance) => instance.status === 'up').length} of{' '}
                      {service.instances.length} up
                    </td>
                    <td>
                      {service.lastError === null
                        ? '–'
                        : `${service.lastError} (${formatTime(service.lastErrorAt)})`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
