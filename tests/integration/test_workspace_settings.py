"""One registry of workspace settings: unknown keys, wrong types and the wrong permission are refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.actors import admin
from voc.access.roles import AccessDenied, Actor, Permission, Role
from voc.inbox.sla import SETTINGS_KEY as SLA_KEY
from voc.privacy.settings import RETENTION_KEY
from voc.store.facade import Store
from voc.store.settings import registered_settings

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def test_every_setting_written_in_the_app_is_registered_with_its_permission() -> None:
    import voc.alerts.service  # noqa: F401  (registers the alert settings)
    import voc.exports.schedule  # noqa: F401
    import voc.themes.service  # noqa: F401

    found = {s.key: s.permission for s in registered_settings()}
    assert found[SLA_KEY] is Permission.CONFIGURE_CARE and found[RETENTION_KEY] is Permission.MANAGE_PRIVACY
    assert {"alerts.channels", "alerts.policy", "exports.schedule", "themes.discovery", "vip_list"} <= set(found)


def test_a_put_is_checked_against_the_registry_and_audited(store: Store) -> None:
    with pytest.raises(ValueError, match="not a registered workspace setting"):
        store.put_setting("no.such.key", {}, actor=admin("t"), permission=Permission.CONFIGURE_CARE, now=NOW)
    with pytest.raises(ValueError, match="CONFIGURE_CARE"):
        store.put_setting(SLA_KEY, {}, actor=admin("t"), permission=Permission.MANAGE_PRIVACY, now=NOW)
    with pytest.raises(TypeError, match="holds a dict"):
        store.put_setting(SLA_KEY, ["x"], actor=admin("t"), permission=Permission.CONFIGURE_CARE, now=NOW)
    with pytest.raises(AccessDenied):
        store.put_setting(
            SLA_KEY, {}, actor=Actor("ana@x.example", Role.AGENT), permission=Permission.CONFIGURE_CARE, now=NOW
        )
    assert store.get_setting(SLA_KEY) is None  # nothing was written by a refused put

    store.put_setting(SLA_KEY, {"teams": {}}, actor=admin("t"), permission=Permission.CONFIGURE_CARE, now=NOW)
    assert store.get_setting(SLA_KEY) == {"teams": {}}
    assert [e["action"] for e in store.audit_entries()] == [f"setting.{SLA_KEY}"]
