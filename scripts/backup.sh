#!/usr/bin/env bash
# Back up the database (pg_dump custom format) and the media files (attachments, dossiers)
# into one folder with a SHA-256 manifest.
#   scripts/backup.sh [TARGET_DIR]        (DATABASE_URL and DJANGO_MEDIA_ROOT from the env;
#                                          defaults: the private cluster and var/media)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="${GISAPP_VAR_DIR:-$ROOT/var}"
URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:$(cat "$VAR/pg/port")/gisapp}"
URL="${URL/postgis:\/\//postgresql://}"
MEDIA="${DJANGO_MEDIA_ROOT:-$VAR/media}"
TARGET="${1:-$VAR/backups/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$TARGET"
pg_dump --format=custom --no-owner --file="$TARGET/db.dump" "$URL"
if [ -d "$MEDIA" ]; then
  tar -C "$MEDIA" -czf "$TARGET/media.tar.gz" .
else
  tar -czf "$TARGET/media.tar.gz" -T /dev/null
fi
(cd "$TARGET" && sha256sum db.dump media.tar.gz > SHA256SUMS)
echo "$TARGET"
