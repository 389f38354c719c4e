"""Shared fixtures: stores on both databases, a frozen clock, and a loopback-only network guard.

A migrated store is copied, not migrated, per test: each session migrates one database per backend
with Alembic (the real migrations) and every `store` starts as a copy of it, the SQLite file
copied, the PostgreSQL schema restored from `pg_dump`'s script of it. Alembic runs about 0.3 s on
SQLite and 1 s on PostgreSQL per database, several minutes over the suite. Tests of the migrations
themselves take `database_url`, an empty database, and migrate it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from voc.store.facade import Store

POSTGRES_URL = os.environ.get("VOC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach the network beyond loopback: other connects fail loudly."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and host not in LOOPBACK:
            raise OSError(f"test tried to reach {host}: only loopback is allowed in tests")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


def _postgres_reachable() -> str | None:
    try:
        engine = sa.create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        engine.dispose()
        return None
    except Exception as error:  # noqa: BLE001 - the reason is shown in the skip message
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {type(error).__name__}: {error}"


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under `pytest -n N --dist loadgroup` (`make test`): a test module runs on one worker, so its
    module-scoped fixtures are built once, and the browser tests all run on one worker, beside the
    one `streamlit run` and Chromium of their session."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    for item in items:
        group = "e2e" if item.get_closest_marker("e2e") else item.nodeid.split("::", 1)[0]
        item.add_marker(pytest.mark.xdist_group(group))


def _worker_postgres_url() -> str:
    """POSTGRES_URL, or under pytest-xdist a database of the worker's own beside it (created once and
    kept, as the first one is), so that workers never share advisory locks or connections' load."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    if worker == "gw0":
        return POSTGRES_URL
    url = sa.make_url(POSTGRES_URL)
    name = f"{url.database}_{worker}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            found = connection.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": name})
            if found.first() is None:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The test server's URL (the worker's own database under pytest-xdist); skips when no server."""
    reason = _postgres_reachable()
    if reason:
        if os.environ.get("VOC_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " (VOC_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    yield _worker_postgres_url()


def _create_postgres_schema(base_url: str, schema: str) -> None:
    engine = sa.create_engine(base_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()


def _fresh_postgres_schema(base_url: str) -> tuple[str, str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    _create_postgres_schema(base_url, schema)
    separator = "&" if "?" in base_url else "?"
    return schema, f"{base_url}{separator}options=-csearch_path%3D{schema}"


def _drop_postgres_schema(base_url: str, schema: str) -> None:
    engine = sa.create_engine(base_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    engine.dispose()


SCHEMA_PLACEHOLDER = "voc_template_schema_name"


def _pg_dump_schema(base_url: str, schema: str) -> str | None:
    """`pg_dump`'s script of `schema` (tables, sequences, functions, triggers, rows), its name
    replaced by SCHEMA_PLACEHOLDER and psql's own commands left out; None without a usable pg_dump."""
    url = sa.make_url(base_url)
    command = ["pg_dump", "--schema", schema, "--no-owner", "--no-privileges", "--inserts"]
    command += ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432)]
    command += ["--username", url.username or "postgres", url.database or "postgres"]
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    try:
        dumped = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    lines = [line for line in dumped.splitlines() if not line.startswith("\\")]  # \restrict and the like
    script = "\n".join(lines).replace(f"CREATE SCHEMA {schema};", "")
    return script.replace(schema, SCHEMA_PLACEHOLDER)


def _restore_postgres_schema(base_url: str, schema: str, script: str) -> None:
    """Fill the empty `schema` from a `_pg_dump_schema` script (its own connection: it resets search_path)."""
    engine = sa.create_engine(base_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(script.replace(SCHEMA_PLACEHOLDER, schema))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def _postgres_template(postgres_url: str) -> Iterator[str | None]:
    """The script of a PostgreSQL schema migrated once for the session; None where pg_dump cannot
    make one that restores (each store is then migrated by Alembic, as before)."""
    schema, url = _fresh_postgres_schema(postgres_url)
    probe = f"{schema}_probe"
    try:
        Store.from_url(url).engine.dispose()
        script = _pg_dump_schema(postgres_url, schema)
        if script is not None:
            _create_postgres_schema(postgres_url, probe)
            try:
                _restore_postgres_schema(postgres_url, probe, script)
            except sa.exc.DBAPIError:
                script = None
        yield script
    finally:
        _drop_postgres_schema(postgres_url, probe)
        _drop_postgres_schema(postgres_url, schema)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once for the session, closed (its WAL checkpointed into it)."""
    path = tmp_path_factory.mktemp("template") / "voc.db"
    Store.from_url(f"sqlite:///{path}").engine.dispose()
    assert not path.with_name("voc.db-wal").exists(), "the template must be complete in one file"
    return path


def copy_sqlite_template(template: Path, url: str) -> None:
    """Put a copy of the migrated template where the SQLite `url` points (no file there yet)."""
    target = Path(sa.make_url(url).database or "")
    assert not target.exists(), f"{target} already exists"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """The URL of an empty database on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/voc.db"
        return
    base = request.getfixturevalue("postgres_url")
    schema, url = _fresh_postgres_schema(base)
    try:
        yield url
    finally:
        _drop_postgres_schema(base, schema)


@pytest.fixture
def store(database_url: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A migrated store on each backend in turn (a copy of the session's migrated database)."""
    if database_url.startswith("sqlite"):
        copy_sqlite_template(request.getfixturevalue("_sqlite_template"), database_url)
    else:
        script = request.getfixturevalue("_postgres_template")
        if script is not None:
            schema = database_url.rsplit("search_path%3D", 1)[1]
            _restore_postgres_schema(request.getfixturevalue("postgres_url"), schema, script)
    opened = Store.from_url(database_url, upgrade=False)  # a copy of a database at the newest revision
    yield opened
    opened.engine.dispose()


@pytest.fixture
def sqlite_store(tmp_path: Path, _sqlite_template: Path) -> Iterator[Store]:
    """A migrated SQLite store, for tests that need only one backend."""
    url = f"sqlite:///{tmp_path}/voc.db"
    copy_sqlite_template(_sqlite_template, url)
    opened = Store.from_url(url, upgrade=False)
    yield opened
    opened.engine.dispose()


class FrozenClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
