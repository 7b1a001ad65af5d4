import { readFileSync } from 'node:fs';
import path from 'node:path';

import { normalizeFingerprint } from '@rokks/mesh';

import { BootstrapError } from './bootstrap.errors';

export const DEFAULT_REGISTRY_URL = 'https://127.0.0.1:4000';
export const DEFAULT_DATA_DIR = '.rokks';

export interface BootstrapSettings {
  registryUrl: URL;
  /** Undefined when neither the environment nor the development file provides one. */
  token?: string;
  /** Normalized SHA-256 hex; undefined when neither source provides one. */
  caFingerprint?: string;
  /** Origin of each value (variable name or file path) for messages, never the values. */
  origins: { token: string; caFingerprint: string };
}

/**
 * Reads the registry URL, bootstrap token and pinned CA fingerprint from the
 * environment, falling back for the last two to the files the registry writes
 * for development clients in `<shared data dir>/registry/`.
 */
export function resolveBootstrapSettings(
  env: Record<string, string | undefined>,
  sharedDataDir: string,
): BootstrapSettings {
  const registryUrl = parseRegistryUrl(env.ROKKS_REGISTRY_URL ?? DEFAULT_REGISTRY_URL);
  const registryFilesDir = path.resolve(sharedDataDir, 'registry');
  const tokenFile = path.join(registryFilesDir, 'bootstrap-token');
  const fingerprintFile = path.join(registryFilesDir, 'ca-fingerprint');
  const token = nonEmpty(env.ROKKS_BOOTSTRAP_TOKEN) ?? readOptionalFile(tokenFile);
  const fingerprintText =
    nonEmpty(env.ROKKS_REGISTRY_CA_FINGERPRINT) ?? readOptionalFile(fingerprintFile);
  const fingerprintOrigin =
    nonEmpty(env.ROKKS_REGISTRY_CA_FINGERPRINT) === undefined
      ? fingerprintFile
      : 'ROKKS_REGISTRY_CA_FINGERPRINT';
  let caFingerprint: string | undefined;

  if (fingerprintText !== undefined) {
    caFingerprint = normalizeFingerprint(fingerprintText);

    if (caFingerprint === undefined) {
      throw new BootstrapError(
        'INVALID_OPTIONS',
        `The registry CA fingerprint from ${fingerprintOrigin} is invalid: expected a SHA-256 fingerprint (64 hex characters, colons allowed).`,
      );
    }
  }

  return {
    registryUrl,
    token,
    caFingerprint,
    origins: {
      token:
        nonEmpty(env.ROKKS_BOOTSTRAP_TOKEN) === undefined ? tokenFile : 'ROKKS_BOOTSTRAP_TOKEN',
      caFingerprint: fingerprintOrigin,
    },
  };
}

/** Returns `ROKKS_DATA_DIR` resolved against the working directory, or `.rokks` there. */
export function defaultSharedDataDir(env: Record<string, string | undefined>): string {
  return path.resolve(nonEmpty(env.ROKKS_DATA_DIR) ?? DEFAULT_DATA_DIR);
}

function parseRegistryUrl(text: string): URL {
  let url: URL;

  try {
    url = new URL(text);
  } catch (error) {
    throw new BootstrapError(
      'INVALID_OPTIONS',
      `ROKKS_REGISTRY_URL "${text}" is not a valid URL.`,
      { cause: error },
    );
  }

  if (url.protocol !== 'https:') {
    throw new BootstrapError(
      'INVALID_OPTIONS',
      `ROKKS_REGISTRY_URL "${text}" must use https: the registry sends certificates and secrets.`,
    );
  }

  return url;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();

  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function readOptionalFile(filePath: string): string | undefined {
  try {
    return nonEmpty(readFileSync(filePath, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }

    throw new BootstrapError(
      'INVALID_OPTIONS',
      `Cannot read ${filePath}: ${(error as Error).message}.`,
      { cause: error },
    );
  }
}
