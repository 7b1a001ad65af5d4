/**
 * The Rokks services and their fixed development ports. Each service serves
 * its mesh HTTPS listener on `port` and its TCP microservice listener on
 * `port + MICROSERVICE_PORT_OFFSET`. The edge also serves browsers on
 * `EDGE_PUBLIC_PORT` (plain HTTP in development), so its mesh listener gets
 * a port of its own.
 */
export const SERVICE_CATALOG = [
  {
    service: 'registry',
    port: 4000,
    role: 'Bootstrap anchor: secrets, service discovery, configuration',
  },
  { service: 'auth', port: 4001, role: 'Sign-in: issues JWTs for user sessions' },
  { service: 'doc-gateway', port: 4002, role: 'Document and blob reads and writes' },
  { service: 'sql-gateway', port: 4003, role: 'PostgreSQL proxy for all SQL queries' },
  { service: 'worker', port: 4004, role: 'Job engine: ETL, sync, index, alert and AI jobs' },
  { service: 'ai', port: 4005, role: 'LLM proxy' },
  { service: 'data-transform', port: 4006, role: 'Streaming file processing' },
  { service: 'dispatcher', port: 4007, role: 'Cron scheduler that submits jobs to the worker' },
  { service: 'sentinel', port: 4008, role: 'Alert rule evaluator' },
  { service: 'healthcheck', port: 4009, role: 'Liveness aggregator of all services' },
  { service: 'monitor', port: 4010, role: 'Metrics aggregator' },
  { service: 'appconnect', port: 4011, role: 'Airtable connector' },
  { service: 'webapi', port: 4012, role: 'Web API connector' },
  { service: 'monio', port: 4013, role: 'MongoDB-backed document backend' },
  { service: 'edge', port: 4014, role: 'API router for browser traffic' },
] as const;

export type ServiceName = (typeof SERVICE_CATALOG)[number]['service'];

/** Every service of the catalog, registry first. */
export const SERVICE_NAMES: readonly ServiceName[] = SERVICE_CATALOG.map((entry) => entry.service);

/** Distance from a service's mesh HTTPS port to its microservice port. */
export const MICROSERVICE_PORT_OFFSET = 1000;

/** Browser-facing port of the edge (plain HTTP in development). */
export const EDGE_PUBLIC_PORT = 3000;

/** The ports of one service, shifted by a development port offset. */
export interface ServicePorts {
  /** Mesh HTTPS listener (mutual TLS). */
  port: number;
  /** TCP microservice listener over mutual TLS (reserved for the registry, which has none). */
  microservicePort: number;
  /** Plain HTTP listener for browsers; only the edge has one. */
  publicPort?: number;
}

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

/**
 * Returns the development ports of `service`, each shifted by `offset` so a
 * second stack can run beside a developer's one.
 *
 * @throws RangeError when a shifted port leaves 1 to 65535.
 */
export function devPorts(service: ServiceName, offset = 0): ServicePorts {
  const entry = SERVICE_CATALOG.find((candidate) => candidate.service === service);

  if (entry === undefined) {
    throw new RangeError(
      `Unknown service "${service}": expected one of ${SERVICE_NAMES.join(', ')}.`,
    );
  }

  const ports: ServicePorts = {
    port: shift(entry.port, offset),
    microservicePort: shift(entry.port + MICROSERVICE_PORT_OFFSET, offset),
  };

  if (service === 'edge') {
    ports.publicPort = shift(EDGE_PUBLIC_PORT, offset);
  }

  return ports;
}

function shift(port: number, offset: number): number {
  const shifted = port + offset;

  if (!Number.isInteger(shifted) || shifted < 1 || shifted > 65_535) {
    throw new RangeError(
      `Port ${port} shifted by ${offset} is ${shifted}, outside 1 to 65535: choose a smaller offset.`,
    );
  }

  return shifted;
}
