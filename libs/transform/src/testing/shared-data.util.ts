/**
 * Path of a file in the shared data folder that sits beside the repository
 * (`<repository>/../shared/data`), from the folder of a spec file under
 * `libs/transform/src/<folder>`. Specs read the file themselves, since
 * this library may not import Node's modules.
 */
export function sharedDataPath(specDirectory: string, relativePath: string): string {
  return `${specDirectory}/../../../../../shared/data/${relativePath}`;
}
