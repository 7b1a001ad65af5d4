// Clients that services use to call the gateways and the worker over the mesh.
export {};
