import { Injectable } from '@nestjs/common';

import { type BootstrapResponse } from '@rokks/bootstrap';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';

import { RegistryState } from '../registry-state';

/** Assembles a service's identity: a new certificate plus everything it needs to start. */
@Injectable()
export class BootstrapService {
  constructor(
    private readonly state: RegistryState,
    @InjectPinoLogger(BootstrapService.name) private readonly logger: PinoLogger,
  ) {}

  // NOTE: the registry generates the service's private key and sends it in the
  // response. A CSR-based flow, where the service sends only its public key,
  // would keep the key on the service, but it is not implemented yet.
  async identityFor(service: string): Promise<BootstrapResponse> {
    const certificate = await this.state.issueCertificate(service);

    this.logger.info(
      {
        service,
        serialNumber: certificate.serialNumber,
        expiresAt: certificate.notAfter.toISOString(),
      },
      'certificate issued',
    );

    return {
      service,
      certificatePem: certificate.certificatePem,
      privateKeyPem: certificate.privateKeyPem,
      caCertificatePem: this.state.authority.certificatePem,
      caFingerprint: this.state.authority.fingerprint,
      internalSecret: this.state.platform.internalSecret,
      config: this.state.configEntries.resolve(service),
      secrets: this.state.secrets.valuesFor(service),
      peers: this.state.instances.peerUrls(),
      jwtPublicKeys: this.state.platform.jwtPublicKeys.map((key) => ({ ...key })),
      expiresAt: certificate.notAfter.toISOString(),
    };
  }
}
