#!/usr/bin/env bash
# Back up the customer-voice database named by VOC_DATABASE_URL into BACKUP_DIR, keep KEEP_DAYS days.
# PostgreSQL: pg_dump's custom format (restore with pg_restore, docs/deploy.md "Restore drill"),
# checked by listing it before it counts. SQLite: SQLite's online backup, safe while the app runs.
# Run by voc-backup.timer; by hand: `set -a; . /etc/voc/voc.env; set +a; deploy/backup/voc-backup.sh`.
set -euo pipefail

: "${VOC_DATABASE_URL:?set VOC_DATABASE_URL (see /etc/voc/voc.env)}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/voc}"
KEEP_DAYS="${KEEP_DAYS:-14}"
umask 077
mkdir -p "$BACKUP_DIR"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"

case "$VOC_DATABASE_URL" in
  postgresql*://*)
    # SQLAlchemy's "postgresql+psycopg://" is libpq's "postgresql://"; the password may come from ~/.pgpass.
    url="postgresql://${VOC_DATABASE_URL#*://}"
    target="$BACKUP_DIR/voc-$stamp.dump"
    pg_dump --format=custom --no-owner --no-privileges --file="$target.partial" "$url"
    pg_restore --list "$target.partial" >/dev/null  # a dump that cannot be read back is not a backup
    ;;
  sqlite:///*)
    database="${VOC_DATABASE_URL#sqlite:///}"
    target="$BACKUP_DIR/voc-$stamp.db"
    python3 - "$database" "$target.partial" <<'PY'
import sqlite3, sys
source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)
ok = target.execute("PRAGMA integrity_check").fetchone()[0]
sys.exit(0 if ok == "ok" else f"integrity check of the copy failed: {ok}")
PY
    ;;
  *)
    echo "voc-backup: VOC_DATABASE_URL is neither PostgreSQL nor a SQLite file" >&2
    exit 2
    ;;
esac

mv "$target.partial" "$target"
find "$BACKUP_DIR" -maxdepth 1 -name 'voc-*' -type f -mtime +"$KEEP_DAYS" -delete
echo "voc-backup: wrote $target ($(du -h "$target" | cut -f1))"
