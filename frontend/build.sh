#!/usr/bin/env bash
# Build the front-end into frontend/dist (idempotent): `npm ci` only when
# package-lock.json changed since the last install, then `vite build`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
stamp="node_modules/.gisapp-lock-sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -d node_modules ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> frontend: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
echo "==> frontend: vite build" >&2
npm run --silent build -- --logLevel warn
test -f dist/.vite/manifest.json || { echo "frontend build produced no manifest" >&2; exit 1; }
