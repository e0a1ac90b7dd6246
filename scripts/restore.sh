#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database and media folder.
#   scripts/restore.sh BACKUP_DIR DATABASE_URL MEDIA_ROOT
# The database must exist and be empty; then run `manage.py publish_ows` against it.
set -euo pipefail
BACKUP="$1"; URL="${2/postgis:\/\//postgresql://}"; MEDIA="$3"
(cd "$BACKUP" && sha256sum --check --quiet SHA256SUMS)
if [ "$(psql -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'spatial_ref_sys'" "$URL")" != "0" ]; then
  echo "refusing to restore into a non-empty database" >&2; exit 2
fi
# Grants are re-created by `manage.py publish_ows` (the MapServer role is cluster-wide).
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$URL" "$BACKUP/db.dump"
mkdir -p "$MEDIA"
tar -C "$MEDIA" -xzf "$BACKUP/media.tar.gz"
echo "restored $BACKUP"
