#!/usr/bin/env bash
# Generates a typed TypeScript client from openapi/openapi.json with openapi-typescript (types)
# and openapi-fetch (calls), type-checks client.mts against it with tsc --strict, and when BASE
# is set runs it against the service there (three endpoints, typed fields checked).
# Installs the pinned npm packages (package-lock.json) into node_modules (git-ignored) when missing.
#   tests/openapi-lint/typed-client.sh              # generate and type-check only
#   BASE=http://127.0.0.1:8080 tests/openapi-lint/typed-client.sh
set -euo pipefail
cd "$(dirname "$0")"
if [[ ! -x node_modules/.bin/openapi-typescript || ! -x node_modules/.bin/tsc || package-lock.json -nt node_modules/.package-lock.json ]]; then
  command -v npm >/dev/null || { echo "needs npm: apt-get install nodejs npm" >&2; exit 1; }
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
rm -rf generated build
node_modules/.bin/openapi-typescript ../../openapi/openapi.json --output generated/api.d.ts >&2
node_modules/.bin/tsc -p tsconfig.json
if [[ -n ${BASE:-} ]]; then
  node build/client.mjs
fi
