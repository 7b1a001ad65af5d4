import { Injectable, NotFoundException } from '@nestjs/common';

import { type InstanceRegistration } from '@rokks/bootstrap';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { type AuthenticatedPeer } from '@rokks/mesh';

import { RegistryState } from '../registry-state';
import { type ServiceInstance } from './instance.store';

/** Registration, heartbeats and listing of service instances. */
@Injectable()
export class InstancesService {
  constructor(
    private readonly state: RegistryState,
    @InjectPinoLogger(InstancesService.name) private readonly logger: PinoLogger,
  ) {}

  get ttlSeconds(): number {
    return this.state.instances.ttlMs / 1000;
  }

  register(peer: AuthenticatedPeer, url: string): InstanceRegistration {
    const instance = this.state.instances.register({
      service: peer.service,
      url,
      certificateFingerprint: peer.certificateFingerprint,
    });

    this.logger.info(
      { service: peer.service, instanceId: instance.id, url },
      'instance registered',
    );

    return this.registration(instance);
  }

  heartbeat(peer: AuthenticatedPeer, id: string): InstanceRegistration {
    const instance = this.state.instances.heartbeat(id, peer.service, peer.certificateFingerprint);

    if (instance === undefined) {
      throw new NotFoundException(
        `No live instance ${id} of service "${peer.service}"; register again.`,
      );
    }

    return this.registration(instance);
  }

  deregister(peer: AuthenticatedPeer, id: string): void {
    if (!this.state.instances.deregister(id, peer.service)) {
      throw new NotFoundException(`No instance ${id} of service "${peer.service}".`);
    }

    this.logger.info({ service: peer.service, instanceId: id }, 'instance deregistered');
  }

  listLive(): ServiceInstance[] {
    return this.state.instances.listLive();
  }

  private registration(instance: ServiceInstance): InstanceRegistration {
    return {
      instance,
      ttlSeconds: this.ttlSeconds,
      heartbeatIntervalSeconds: Math.max(1, Math.floor(this.ttlSeconds / 3)),
    };
  }
}
