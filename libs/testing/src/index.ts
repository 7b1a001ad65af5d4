export { type CaptureDestination, type CapturedLine, LogCapture } from './log-capture';
export { ServiceProcess } from './service-process';
export { TestPlatform, type TestMeshClient } from './test-platform';
export { startTestRegistry, type TestRegistry } from './test-registry';
export { buildProjects, workspaceRoot, workspaceTempDir } from './workspace.util';
export { TestTokenIssuer, type TestTokenOptions } from './test-access-tokens';
export * from './mongo-wire';
