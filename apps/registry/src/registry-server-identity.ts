import { type IssuedMeshCertificate, type MeshIdentity } from '@rokks/mesh';

import { type RegistryState } from './registry-state';

/** The certificate the registry serves HTTPS with; replaced when it is renewed. */
export class RegistryServerIdentity {
  private constructor(
    private certificate: IssuedMeshCertificate,
    private readonly state: RegistryState,
  ) {}

  static async issue(state: RegistryState): Promise<RegistryServerIdentity> {
    return new RegistryServerIdentity(await state.issueCertificate('registry'), state);
  }

  get current(): MeshIdentity {
    return {
      service: 'registry',
      certificatePem: this.certificate.certificatePem,
      privateKeyPem: this.certificate.privateKeyPem,
      caCertificatePem: this.state.authority.certificatePem,
      internalSecret: this.state.platform.internalSecret,
    };
  }

  get notBefore(): Date {
    return this.certificate.notBefore;
  }

  get notAfter(): Date {
    return this.certificate.notAfter;
  }

  async renew(): Promise<MeshIdentity> {
    this.certificate = await this.state.issueCertificate('registry');

    return this.current;
  }
}
