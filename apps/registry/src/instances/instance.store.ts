import { randomUUID } from 'node:crypto';

import { type RegistryDatabase } from '../storage/registry-database';

export interface ServiceInstance {
  id: string;
  service: string;
  url: string;
  /** SHA-256 fingerprint of the client certificate the instance registered with. */
  certificateFingerprint: string;
  registeredAt: string;
  lastHeartbeatAt: string;
  expiresAt: string;
}

interface InstanceRow {
  id: string;
  service: string;
  url: string;
  certificate_fingerprint: string;
  registered_at: string;
  last_heartbeat_at: string;
  expires_at: string;
}

const COLUMNS =
  'id, service, url, certificate_fingerprint, registered_at, last_heartbeat_at, expires_at';

/**
 * Running service instances. An instance is live until `expires_at`, which
 * each heartbeat moves to `now + ttl`; reads skip expired rows, and
 * `purgeExpired` deletes them. Timestamps are ISO 8601 in UTC, so they
 * compare correctly as text.
 */
export class InstanceStore {
  constructor(
    private readonly database: RegistryDatabase,
    readonly ttlMs: number,
  ) {}

  register(
    input: { service: string; url: string; certificateFingerprint: string },
    now = new Date(),
  ): ServiceInstance {
    const instance: ServiceInstance = {
      id: randomUUID(),
      service: input.service,
      url: input.url,
      certificateFingerprint: input.certificateFingerprint,
      registeredAt: now.toISOString(),
      lastHeartbeatAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.ttlMs).toISOString(),
    };

    this.database
      .prepare(`INSERT INTO service_instances (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(
        instance.id,
        instance.service,
        instance.url,
        instance.certificateFingerprint,
        instance.registeredAt,
        instance.lastHeartbeatAt,
        instance.expiresAt,
      );

    return instance;
  }

  /**
   * Extends a live instance's expiry, recording the certificate it now uses
   * (it changes when the service renews). Returns undefined when the instance
   * is unknown, expired or belongs to another service.
   */
  heartbeat(
    id: string,
    service: string,
    certificateFingerprint: string,
    now = new Date(),
  ): ServiceInstance | undefined {
    const result = this.database
      .prepare(
        `UPDATE service_instances SET last_heartbeat_at = ?, expires_at = ?, certificate_fingerprint = ?
         WHERE id = ? AND service = ? AND expires_at > ?`,
      )
      .run(
        now.toISOString(),
        new Date(now.getTime() + this.ttlMs).toISOString(),
        certificateFingerprint,
        id,
        service,
        now.toISOString(),
      );

    return result.changes === 0 ? undefined : this.find(id);
  }

  /** Removes an instance of the given service; returns false when there was none. */
  deregister(id: string, service: string): boolean {
    return (
      this.database
        .prepare('DELETE FROM service_instances WHERE id = ? AND service = ?')
        .run(id, service).changes > 0
    );
  }

  find(id: string): ServiceInstance | undefined {
    const row = this.database
      .prepare(`SELECT ${COLUMNS} FROM service_instances WHERE id = ?`)
      .get(id) as InstanceRow | undefined;

    return row === undefined ? undefined : toInstance(row);
  }

  /** Lists live instances, newest heartbeat first. */
  listLive(now = new Date()): ServiceInstance[] {
    const rows = this.database
      .prepare(
        `SELECT ${COLUMNS} FROM service_instances WHERE expires_at > ? ORDER BY last_heartbeat_at DESC, id`,
      )
      .all(now.toISOString()) as InstanceRow[];

    return rows.map(toInstance);
  }

  /** Returns one URL per service: the live instance with the latest heartbeat. */
  peerUrls(now = new Date()): Record<string, string> {
    const peers: Record<string, string> = {};

    for (const instance of this.listLive(now)) {
      peers[instance.service] ??= instance.url;
    }

    return peers;
  }

  purgeExpired(now = new Date()): number {
    return this.database
      .prepare('DELETE FROM service_instances WHERE expires_at <= ?')
      .run(now.toISOString()).changes;
  }
}

function toInstance(row: InstanceRow): ServiceInstance {
  return {
    id: row.id,
    service: row.service,
    url: row.url,
    certificateFingerprint: row.certificate_fingerprint,
    registeredAt: row.registered_at,
    lastHeartbeatAt: row.last_heartbeat_at,
    expiresAt: row.expires_at,
  };
}
