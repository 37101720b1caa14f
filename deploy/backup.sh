#!/usr/bin/env bash
# Back up the portal: a PostgreSQL dump (custom format, restorable with pg_restore) and an archive of
# the media folder (briefing documents, minutes, uploads), into BACKUP_DIR with the date and time in
# their names; backups older than BACKUP_KEEP_DAYS are removed. Run daily by portal-backup.timer.
# Restore: README, "Backups".
set -euo pipefail
: "${DATABASE_URL:?}" "${MEDIA_ROOT:?}"
case $DATABASE_URL in
  postgres://* | postgresql://*) ;;
  *) echo "backup.sh backs up PostgreSQL only; DATABASE_URL is not a postgres:// URL" >&2; exit 2 ;;
esac
BACKUP_DIR=${BACKUP_DIR:-/var/backups/portal}
KEEP=${BACKUP_KEEP_DAYS:-14}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$BACKUP_DIR"
umask 077
# Written under a temporary name and renamed when complete: a half-written file never looks like a backup.
pg_dump --format=custom --no-owner --dbname="$DATABASE_URL" --file="$BACKUP_DIR/.portal-$stamp.dump"
mv "$BACKUP_DIR/.portal-$stamp.dump" "$BACKUP_DIR/portal-$stamp.dump"
tar --create --gzip --file="$BACKUP_DIR/.media-$stamp.tar.gz" --directory="$MEDIA_ROOT" .
mv "$BACKUP_DIR/.media-$stamp.tar.gz" "$BACKUP_DIR/media-$stamp.tar.gz"
find "$BACKUP_DIR" -maxdepth 1 \( -name 'portal-*.dump' -o -name 'media-*.tar.gz' \) -mtime +"$KEEP" -delete
echo "$BACKUP_DIR/portal-$stamp.dump $BACKUP_DIR/media-$stamp.tar.gz"
