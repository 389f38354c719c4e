"""deploy/backup/voc-backup.sh and the restore drill of docs/deploy.md, on both databases."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from voc.access import users
from voc.access.deployment import Process, check_deployment
from voc.access.roles import Actor, Role
from voc.settings import Settings
from voc.store.facade import Store

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "backup" / "voc-backup.sh"
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def back_up(database_url: str, folder: Path) -> Path:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("VOC_")}
    result = subprocess.run(
        [str(SCRIPT)],
        env={**environ, "VOC_DATABASE_URL": database_url, "BACKUP_DIR": str(folder), "KEEP_DAYS": "14"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    written = Path(result.stdout.strip().split("wrote ", 1)[1].split(" (", 1)[0])
    assert written.parent == folder and written.is_file()
    assert written.stat().st_mode & 0o077 == 0  # only the voc user reads customer data
    return written


def seed(database_url: str) -> None:
    store = Store.from_url(database_url)
    users.set_role(store, "ana@northwind.example", Role.AGENT, actor=Actor.system("test"), now=NOW)
    store.engine.dispose()


def assert_restored(database_url: str) -> None:
    store = Store.from_url(database_url, upgrade=False)
    try:
        assert users.resolve_role(store, "ana@northwind.example") is Role.AGENT
    finally:
        store.engine.dispose()
    assert check_deployment(Settings(database_url=database_url), {}, process=Process.LISTENER) == []


def test_a_sqlite_backup_is_a_consistent_copy_and_old_ones_expire(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/voc.db"
    seed(url)
    backups = tmp_path / "backups"
    backups.mkdir()
    stale = backups / "voc-20250101T000000Z.db"
    stale.write_bytes(b"old")
    old = time.time() - 30 * 86400
    os.utime(stale, (old, old))
    copy = back_up(url, backups)
    assert not stale.exists()
    assert_restored(f"sqlite:///{copy}")


@pytest.fixture
def postgres_databases(postgres_url: str) -> Iterator[tuple[str, str]]:
    """Two empty databases (the live one and the drill's scratch one), dropped afterwards."""
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are needed (apt-get install postgresql-client)")
    names = [f"voc_live_{uuid.uuid4().hex[:8]}", f"voc_restore_{uuid.uuid4().hex[:8]}"]
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    base = make_url(postgres_url)
    try:
        yield (
            base.set(database=names[0]).render_as_string(hide_password=False),
            base.set(database=names[1]).render_as_string(hide_password=False),
        )
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.mark.postgres
def test_the_restore_drill_on_postgresql(postgres_databases: tuple[str, str], tmp_path: Path) -> None:
    live, scratch = postgres_databases
    seed(live)
    dump = back_up(live, tmp_path)
    assert dump.suffix == ".dump"
    libpq = "postgresql://" + scratch.split("://", 1)[1]
    subprocess.run(["pg_restore", "--no-owner", "--dbname", libpq, str(dump)], check=True, timeout=120)
    assert_restored(scratch)
