"""Care settings saved to both databases move the care queue: a shorter target or other business
hours move the due time, a VIP entry raises the priority; a viewer or an agent is refused with
nothing stored, and an admin's save leaves an audit row."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from tests.factories import new_item
from voc.access.roles import AccessDenied, Actor, Role
from voc.inbox import care_settings as cs
from voc.inbox.queue import QueueFilter, load_sla, load_vip, open_queue
from voc.inbox.sla import SETTINGS_KEY, SlaSettings
from voc.inbox.vip import VIP_SETTINGS_KEY, VipList
from voc.sources.ingest import respondent_key
from voc.store.facade import Store

ADMIN = Actor("olga@northwind.example", Role.ADMIN)


def row_of(store: Store, now, external_id: str):  # noqa: ANN001, ANN201 - a pandas row
    queue = open_queue(store, QueueFilter(), now=now, page_size=500).rows
    return queue[queue["link"].str.endswith(f"/{external_id}")].iloc[0]


def team(**overrides):  # noqa: ANN003, ANN201
    values = {
        "targets_hours": {"urgent": 1, "high": 4, "normal": 24},
        "tz": "UTC",
        "days": range(7),
        "opens": time(0),
        "closes": time(0),
    }
    return cs.team_policy(**(values | overrides))


def test_a_saved_sla_moves_the_due_time_in_the_queue(store: Store, clock) -> None:
    posted = clock.now - timedelta(minutes=10)
    store.add_items([new_item("bill", text="My bill is wrong again, fix it", posted_at=posted, channel="x")])
    before = row_of(store, clock.now, "bill")
    tier = before["tier"]
    assert before["due_at"] == posted + load_sla(store).policy_for("x").target(tier)

    halved = {
        t: load_sla(store).policy_for("x").target(t) / timedelta(hours=1) / 2 for t in ("urgent", "high", "normal")
    }
    cs.save_sla_settings(
        store, cs.with_team(SlaSettings(), "default", team(targets_hours=halved)), actor=ADMIN, now=clock.now
    )
    after = row_of(store, clock.now, "bill")
    assert after["due_at"] == posted + timedelta(hours=halved[tier])

    # X routed to a team in New York that opens at 9:00 on weekdays: the clock waits for opening
    # (Monday 23 Nov 2026, 11:50 UTC is 6:50 in New York).
    new_york = team(targets_hours=halved, tz="America/New_York", days=range(5), opens=time(9), closes=time(17))
    settings = cs.with_team(load_sla(store), "Americas", new_york, ["x"], new=True)
    cs.save_sla_settings(store, settings, actor=ADMIN, now=clock.now)
    opening = posted.replace(hour=14, minute=0)  # 9:00 in New York (EST, UTC-5)
    assert row_of(store, clock.now, "bill")["due_at"] == opening + timedelta(hours=halved[tier])


def test_a_saved_vip_entry_raises_the_priority_and_says_why(store: Store, clock) -> None:
    store.add_items([
        new_item("dan", text="My bill is wrong again", author="@Dan", posted_at=clock.now - timedelta(minutes=5)),
        new_item("ana", text="Nobody answered my complaint about the bill", author=None, kind="survey", channel="survey",
                 respondent_key=respondent_key("ana@example.com"), posted_at=clock.now - timedelta(minutes=5)),
    ])  # fmt: skip
    before = {name: row_of(store, clock.now, name)["priority"] for name in ("dan", "ana")}
    parsed = cs.parse_vip_rows([("@dan", "gold"), ("Ana@Example.com", "platinum")])
    cs.save_vip_list(store, parsed.vip, actor=ADMIN, now=clock.now)
    dan, ana = row_of(store, clock.now, "dan"), row_of(store, clock.now, "ana")
    assert dan["priority"] > before["dan"] and "Gold customer (×2.0)" in dan["priority_reasons"]
    assert ana["priority"] > before["ana"] and "Platinum customer (×2.5)" in ana["priority_reasons"]
    assert "example.com" not in str(store.get_setting(VIP_SETTINGS_KEY)).lower()  # only the hash is stored


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENT])
def test_a_viewer_or_agent_is_refused_and_nothing_is_stored(store: Store, clock, role: Role) -> None:
    someone = Actor(f"{role.value}@northwind.example", role)
    with pytest.raises(AccessDenied):
        cs.save_sla_settings(
            store,
            cs.with_team(SlaSettings(), "default", team(targets_hours={"urgent": 0.25, "high": 1, "normal": 2})),
            actor=someone,
            now=clock.now,
        )
    with pytest.raises(AccessDenied):
        cs.save_vip_list(store, VipList().with_entry("@dan", "gold"), actor=someone, now=clock.now)
    assert store.get_setting(SETTINGS_KEY) is None and store.get_setting(VIP_SETTINGS_KEY) is None
    assert load_sla(store) == SlaSettings() and load_vip(store) == VipList()
    assert store.audit_entries(actor=someone.name) == []


def test_an_admins_save_is_audited_with_who_and_when(store: Store, clock) -> None:
    cs.save_sla_settings(store, SlaSettings(), actor=ADMIN, now=clock.now)
    cs.save_vip_list(store, VipList().with_entry("@dan", "gold"), actor=ADMIN, now=clock.now)
    entries = store.audit_entries(actor=ADMIN.name)
    assert {(e["action"], e["subject"], e["role"]) for e in entries} == {
        ("setting.sla", "sla", "admin"),
        ("setting.vip_list", "vip_list", "admin"),
    }
    assert all(e["at"] == clock.now for e in entries)


def test_invalid_settings_leave_the_stored_ones_in_place(store: Store, clock) -> None:
    good = cs.with_team(SlaSettings(), "default", team(tz="Europe/London"))
    cs.save_sla_settings(store, good, actor=ADMIN, now=clock.now)
    with pytest.raises(cs.CareSettingsError, match="unknown time zone"):
        cs.save_sla_settings(store, cs.with_team(good, "default", team(tz="Europe/Lundon")), actor=ADMIN, now=clock.now)
    assert load_sla(store) == good
    assert len(store.audit_entries(action="setting.sla")) == 1
