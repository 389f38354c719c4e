"""The Settings page's care sections: an admin changes an SLA target and time zone and a VIP
entry, and the inbox follows; an invalid zone is refused with a clear error; anyone else sees
the same settings read-only."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.team import signed_in
from voc.access import users
from voc.access.roles import Actor, Role
from voc.inbox import care_settings as cs
from voc.inbox.queue import QueueFilter, load_sla, load_vip, open_queue
from voc.inbox.sla import SETTINGS_KEY
from voc.inbox.vip import VIP_SETTINGS_KEY
from voc.store.facade import Store


def open_settings(app: AppTest) -> AppTest:
    return app.run().switch_page("pages/settings.py").run()


def button(at: AppTest, label: str):  # noqa: ANN201 - AppTest's Button type is generic
    return next(b for b in at.button if b.label == label)


def overview(at: AppTest) -> dict[str, str]:
    """The SLA overview's default-team row."""
    table = next(t.value for t in at.table if "Time zone" in t.value.columns)
    return dict(table.loc["default"])


def test_an_admin_changes_targets_and_the_time_zone_and_the_inbox_follows(
    app: AppTest, store_with_items: Store
) -> None:
    # The inbox first, with the default clocks (1 h, 4 h, 24 h).
    at = app.run().switch_page("pages/inbox.py").run()
    assert waits(at, store_with_items) <= {timedelta(hours=h) for h in (1, 4, 24)}
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    assert (overview(at)["Urgent"], overview(at)["Time zone"]) == ("1 h 00 min", "UTC")

    for tier, hours in (("urgent", 0.5), ("high", 2.0), ("normal", 12.0)):
        at.number_input(key=f"care.sla.default.{tier}").set_value(hours)
    at.text_input(key="care.sla.default.tz").input("Europe/Berlin")
    button(at, "Save SLA settings").click().run()

    assert not at.exception and not at.error
    policy = load_sla(store_with_items).policy_for("x")
    assert policy.target("urgent") == timedelta(minutes=30) and policy.hours.tz == "Europe/Berlin"
    assert at.toast[0].value == "SLA settings saved: the inbox's clocks use them now"
    assert (overview(at)["Urgent"], overview(at)["Time zone"]) == ("30 min", "Europe/Berlin")
    assert store_with_items.audit_entries(action="setting.sla")[0]["actor"] == "local user"

    # Back in the same session, every clock runs to the new targets.
    at.switch_page("pages/inbox.py").run()
    assert not at.exception
    assert waits(at, store_with_items) <= {timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12)}


def waits(at: AppTest, store: Store) -> set[timedelta]:
    """Due minus posted for every item of the queue the page shows (24/7 hours: the tier's target)."""
    shown = {int(b.key.rsplit(".", 1)[1]) for b in at.button if b.key and b.key.startswith("inbox.open.")}
    queue = open_queue(store, QueueFilter(), now=datetime.now(UTC)).rows
    assert shown and shown == {int(i) for i in queue["id"]}
    return {
        (due - posted).round("1s").to_pytimedelta()
        for due, posted in zip(pd.to_datetime(queue["due_at"]), pd.to_datetime(queue["posted_at"]), strict=True)
    }


def test_an_unknown_time_zone_is_refused_with_a_clear_error_and_nothing_stored(
    app: AppTest, empty_store: Store
) -> None:
    at = open_settings(app)
    at.text_input(key="care.sla.default.tz").input("Europe/Lundon")
    button(at, "Save SLA settings").click().run()

    assert not at.exception
    message = at.error[0].value
    assert "SLA settings not saved" in message and "unknown time zone “Europe/Lundon”" in message
    assert "Europe/London" in message  # the nearest name, as a hint
    assert empty_store.get_setting(SETTINGS_KEY) is None
    assert not at.toast


def test_a_new_team_gets_its_channels_closing_before_opening_is_refused_and_it_can_go(
    app: AppTest, empty_store: Store
) -> None:
    at = open_settings(app)
    at.selectbox(key="care.sla.team").set_value("+ New team").run()
    at.text_input(key="care.sla.+new.name").input("Night shift")
    at.text_input(key="care.sla.+new.tz").input("Europe/London")
    at.multiselect(key="care.sla.+new.channels").set_value(["x"])
    at.time_input(key="care.sla.+new.opens").set_value(time(18))
    at.time_input(key="care.sla.+new.closes").set_value(time(6))
    button(at, "Save SLA settings").click().run()
    assert "closes (06:00) before it opens (18:00)" in at.error[0].value
    assert empty_store.get_setting(SETTINGS_KEY) is None

    at.time_input(key="care.sla.+new.opens").set_value(time(0))
    button(at, "Save SLA settings").click().run()
    assert not at.exception and not at.error
    settings = load_sla(empty_store)
    assert settings.routes == {"x": "Night shift"} and settings.policy_for("x").hours.end is not None
    assert at.selectbox(key="care.sla.team").value == "Night shift"

    button(at, "Remove this team").click().run()
    assert not at.exception
    assert list(load_sla(empty_store).teams) == ["default"] and load_sla(empty_store).routes == {}
    assert at.selectbox(key="care.sla.team").value == "default"


def edit_vip(at: AppTest, added: list[dict[str, str]], edited: dict[int, dict[str, str]] | None = None) -> None:
    version = at.session_state["care.vip.version"] if "care.vip.version" in at.session_state else 0  # noqa: SIM401 - no .get()
    key = f"care.vip.editor-{version}"  # a fresh editor after each save
    at.session_state[key] = {"edited_rows": edited or {}, "added_rows": added, "deleted_rows": []}


def test_an_admin_adds_vip_customers_and_bad_rows_are_reported_by_number(app: AppTest, empty_store: Store) -> None:
    at = open_settings(app)
    edit_vip(at, [
        {"customer": "@dan", "tier": "gold"},
        {"customer": "ana@", "tier": "gold"},
        {"customer": "Ana@Example.com", "tier": "platinum"},
    ])  # fmt: skip
    button(at, "Save VIP list").click().run()

    assert not at.exception
    vip = load_vip(empty_store)
    assert vip.tier_of("dan", None) == "gold" and len(vip.keys) == 1
    assert "example.com" not in str(empty_store.get_setting(VIP_SETTINGS_KEY)).lower()
    assert at.toast[0].value == "VIP list saved: 2 customers"
    assert "row 2: not a valid e-mail address" in at.error[0].value and "ana@" not in at.error[0].value
    shown = at.data_editor[0].value
    assert list(shown["customer"])[0] == "@dan" and list(shown["customer"])[1].startswith("key:")

    # Re-tiering a stored row keeps it, hashed entries included.
    edit_vip(at, [], {0: {"tier": "silver"}})
    button(at, "Save VIP list").click().run()
    assert load_vip(empty_store).tier_of("@dan", None) == "silver" and len(load_vip(empty_store).keys) == 1


@pytest.fixture
def viewer(app: AppTest, store_with_items: Store, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """A signed-in viewer in team mode, with settings an admin saved before."""
    monkeypatch.setenv("VOC_MODE", "team")
    monkeypatch.setenv("VOC_FIRST_ADMIN", "olga@northwind.example")
    users.set_role(
        store_with_items, "vera@northwind.example", "viewer", actor=Actor.system("test"), now=datetime.now(UTC)
    )
    admin = Actor("olga@northwind.example", Role.ADMIN)
    cs.save_vip_list(store_with_items, cs.parse_vip_rows([("@dan", "gold")]).vip, actor=admin, now=datetime.now(UTC))
    return signed_in(app, "vera@northwind.example")


def test_care_settings_are_an_admins_a_viewer_by_url_sees_none_of_them(viewer: AppTest) -> None:
    at = open_settings(viewer)
    assert not at.exception
    assert any(
        "Settings page needs the admin role" in e.value for e in [*at.error, *at.warning, *at.info, *at.markdown]
    )
    assert not at.table and not at.dataframe and not at.data_editor
    assert not [b for b in at.button if b.label in ("Save SLA settings", "Save VIP list")]
