"""Workspace settings: one registry of every key kept in `app_settings`, and the one way to read
and write them.

A feature registers each of its settings once (`register_setting`: key, JSON type, the permission
that changes it, what it is for). `put_setting` and `write_setting` refuse an unknown key, a value
of the wrong type or an actor without the permission, and audit the change as `setting.<key>`
(the value is not copied: it may hold secrets). Nothing else writes `app_settings`.

These are settings people change in the app. Process configuration (database, credentials,
thresholds) is `voc.settings.Settings`, read from the environment and `.streamlit/secrets.toml`.
Domain module: no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from voc.access.repository import AccessRepository
from voc.access.roles import Actor, Permission, require
from voc.store.core import json_value
from voc.store.schema import app_settings


@dataclass(frozen=True)
class WorkspaceSetting:
    """One key of `app_settings`: its JSON type, who may change it, and what it holds."""

    key: str
    kind: type  # dict or list: the JSON value's top level
    permission: Permission
    what: str


_REGISTRY: dict[str, WorkspaceSetting] = {}


def register_setting(key: str, kind: type, permission: Permission, what: str) -> str:
    """Register a workspace setting (once, where its feature defines it); returns the key."""
    known = _REGISTRY.get(key)
    entry = WorkspaceSetting(key, kind, permission, what)
    if known is not None and known != entry:
        raise ValueError(f"workspace setting {key!r} is registered twice, differently")
    _REGISTRY[key] = entry
    return key


def registered_settings() -> list[WorkspaceSetting]:
    """Every registered workspace setting, by key."""
    return [_REGISTRY[key] for key in sorted(_REGISTRY)]


def setting_of(key: str) -> WorkspaceSetting:
    entry = _REGISTRY.get(key)
    if entry is None:
        raise ValueError(f"{key!r} is not a registered workspace setting (see voc.store.settings.register_setting)")
    return entry


def read_setting(connection: sa.Connection, key: str, default: Any = None) -> Any:
    """A workspace setting's value inside the caller's transaction, or `default`."""
    setting_of(key)
    value = connection.execute(sa.select(app_settings.c.value).where(app_settings.c.key == key)).scalar()
    return default if value is None else json_value(value)


def write_setting(
    connection: sa.Connection,
    key: str,
    value: Any,
    *,
    actor: Actor,
    now: datetime,
    permission: Permission | None = None,
    audit: bool = True,
) -> None:
    """Replace a workspace setting inside the caller's write transaction.

    `actor` needs the setting's permission, or `permission` when the caller's own operation
    (checked by it) changes the setting on the way (an erasure rewriting the VIP list).
    `audit=False` only where the caller writes its own audit row for the same change."""
    entry = setting_of(key)
    if not isinstance(value, entry.kind):
        raise TypeError(f"workspace setting {key!r} holds a {entry.kind.__name__}, not a {type(value).__name__}")
    require(actor, permission or entry.permission)
    connection.execute(app_settings.delete().where(app_settings.c.key == key))
    connection.execute(app_settings.insert().values(key=key, value=value, updated_at=now, updated_by=actor.name))
    if audit:
        AccessRepository.record_audit(connection, actor, f"setting.{key}", now=now, subject=key)


class SettingsRepository(AccessRepository):
    """Workspace settings (JSON values keyed by registered name)."""

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A workspace setting (JSON) from `app_settings`, or `default`."""
        with self.read() as connection:
            return read_setting(connection, key, default)

    def put_setting(self, key: str, value: Any, *, actor: Actor, permission: Permission, now: datetime) -> None:
        """Store a workspace setting (JSON), replacing the previous value: `actor` needs `permission`,
        which must be the one the setting is registered with, and the change is audited."""
        entry = setting_of(key)
        if permission is not entry.permission:
            raise ValueError(
                f"workspace setting {key!r} is changed with {entry.permission.name}, not {permission.name}"
            )
        with self.write() as connection:
            write_setting(connection, key, value, actor=actor, now=now)
