"""Workspace settings in `app_settings`: read one, or put one with its permission checked and audited.

Domain module: no Streamlit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from voc.access.repository import AccessRepository
from voc.access.roles import Actor, Permission, require
from voc.store.core import json_value
from voc.store.schema import (
    app_settings,
)


class SettingsRepository(AccessRepository):
    """Workspace settings (JSON values keyed by name)."""

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A workspace setting (JSON) from `app_settings`, or `default`."""
        with self.read() as connection:
            value = connection.execute(sa.select(app_settings.c.value).where(app_settings.c.key == key)).scalar()
        if value is None:
            return default
        return json_value(value)

    def put_setting(self, key: str, value: Any, *, actor: Actor, permission: Permission, now: datetime) -> None:
        """Store a workspace setting (JSON), replacing the previous value: `actor` needs `permission`,
        and the change is audited as `setting.<key>` (the value is not copied: it may hold secrets)."""
        require(actor, permission)
        with self.write() as connection:
            connection.execute(app_settings.delete().where(app_settings.c.key == key))
            connection.execute(
                app_settings.insert().values(key=key, value=value, updated_at=now, updated_by=actor.name)
            )
            self.record_audit(connection, actor, f"setting.{key}", now=now, subject=key)
