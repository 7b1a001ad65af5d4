#!/usr/bin/env bash
# Type-checks the whole workspace, then each browser-safe library on its own
# without Node's type definitions, so a Node-only global there fails the check.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
npx tsc -p apps/frontend/tsconfig.json
npx tsc -p apps/frontend/e2e/tsconfig.json
for config in libs/*/tsconfig.lib.json; do
  npx tsc -p "$config"
done
