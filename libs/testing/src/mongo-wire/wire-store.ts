import { WireCollection } from './wire-collection';

/** Databases and their collections, all in memory. */
export class WireStore {
  private readonly databases = new Map<string, Map<string, WireCollection>>();

  collection(database: string, name: string): WireCollection | undefined {
    return this.databases.get(database)?.get(name);
  }

  /** Returns the collection, creating it (and its database) when missing. */
  ensureCollection(
    database: string,
    name: string,
  ): { collection: WireCollection; created: boolean } {
    let collections = this.databases.get(database);

    if (collections === undefined) {
      collections = new Map();
      this.databases.set(database, collections);
    }

    const existing = collections.get(name);

    if (existing !== undefined) {
      return { collection: existing, created: false };
    }

    const collection = new WireCollection(database, name);

    collections.set(name, collection);

    return { collection, created: true };
  }

  dropCollection(database: string, name: string): boolean {
    return this.databases.get(database)?.delete(name) ?? false;
  }

  dropDatabase(database: string): boolean {
    return this.databases.delete(database);
  }

  collections(database: string): WireCollection[] {
    return [...(this.databases.get(database)?.values() ?? [])];
  }

  databaseNames(): string[] {
    return [...this.databases.keys()];
  }
}
