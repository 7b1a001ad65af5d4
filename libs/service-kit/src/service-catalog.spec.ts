import {
  devPorts,
  EDGE_PUBLIC_PORT,
  MICROSERVICE_PORT_OFFSET,
  SERVICE_CATALOG,
  SERVICE_NAMES,
} from './service-catalog';

describe('service catalog', () => {
  it('gives every service its own ports', () => {
    const ports = SERVICE_NAMES.flatMap((service) => {
      const assigned = devPorts(service);

      return [
        assigned.port,
        assigned.microservicePort,
        ...(assigned.publicPort === undefined ? [] : [assigned.publicPort]),
      ];
    });

    expect(new Set(ports).size).toBe(ports.length);
  });

  it('keeps the fixed development ports', () => {
    expect(devPorts('registry').port).toBe(4000);
    expect(devPorts('auth')).toEqual({
      port: 4001,
      microservicePort: 4001 + MICROSERVICE_PORT_OFFSET,
    });
    expect(devPorts('monio').port).toBe(4013);
    expect(devPorts('edge')).toEqual({
      port: 4014,
      microservicePort: 5014,
      publicPort: EDGE_PUBLIC_PORT,
    });
  });

  it('shifts every port by the offset', () => {
    expect(devPorts('edge', 100)).toEqual({ port: 4114, microservicePort: 5114, publicPort: 3100 });
  });

  it('rejects an offset that leaves the port range', () => {
    expect(() => devPorts('monio', 61_000)).toThrow(RangeError);
    expect(() => devPorts('edge', -3000)).toThrow(/outside 1 to 65535/);
  });

  it('lists the registry and fourteen services', () => {
    expect(SERVICE_CATALOG).toHaveLength(15);
    expect(SERVICE_NAMES[0]).toBe('registry');
  });
});
