#!/usr/bin/env bash
# Unit tests of the front-end logic (Vitest). The EPSG:3844 round-trip test reads the
# definition the server serves (layers.projection.bound_proj4), never a typed-in copy.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT="$(cd .. && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
stamp="node_modules/.gisapp-lock-sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -d node_modules ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
EPSG3844_PROJ4="$(cd "$ROOT" && "$PY" -c 'from layers.projection import bound_proj4; print(bound_proj4(3844))')"
export EPSG3844_PROJ4
npx vitest run "$@"
