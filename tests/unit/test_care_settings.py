"""Care settings: SLA teams and VIP rows validated with clear reasons, round-tripped through JSON,
and saved only by someone who may configure care (a fake store stands in for the database)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any, cast

import pytest

from voc.access.roles import AccessDenied, Actor, Permission, Role, require
from voc.inbox import care_settings as cs
from voc.inbox.sla import SETTINGS_KEY, SlaPolicy, SlaSettings
from voc.inbox.vip import VIP_SETTINGS_KEY, VipList
from voc.sources.ingest import respondent_key
from voc.store.facade import Store

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ADMIN = Actor("olga@northwind.example", Role.ADMIN)
AGENT = Actor("ana@northwind.example", Role.AGENT)
DEFAULT_HOURS = {"urgent": 1.0, "high": 4.0, "normal": 24.0}


class FakeStore:
    """`get_setting` / `put_setting` as the real store does them: the role checked first."""

    def __init__(self) -> None:
        self.settings: dict[str, Any] = {}
        self.audit: list[tuple[str, str]] = []

    def get_setting(self, key: str, default: Any = None) -> Any:
        return self.settings.get(key, default)

    def put_setting(self, key: str, value: Any, *, actor: Actor, permission: Permission, now: datetime) -> None:
        require(actor, permission)
        self.settings[key] = json.loads(json.dumps(value))  # stored as JSON, as app_settings does
        self.audit.append((actor.name, f"setting.{key}"))


@pytest.fixture
def fake() -> FakeStore:
    return FakeStore()


def as_store(fake: FakeStore) -> Store:
    return cast(Store, fake)


def policy(**overrides: Any) -> SlaPolicy:
    values: dict[str, Any] = {
        "targets_hours": DEFAULT_HOURS,
        "tz": "Europe/London",
        "days": [0, 1, 2, 3, 4],
        "opens": time(9),
        "closes": time(17),
    }
    return cs.team_policy(**(values | overrides))


def problems_of(p: SlaPolicy) -> str:
    return " | ".join(cs.policy_problems(p))


# ---- SLA ------------------------------------------------------------------------------------------


def test_the_defaults_are_valid_and_read_as_people_say_them() -> None:
    assert cs.sla_problems(SlaSettings()) == []
    assert cs.sla_overview(SlaSettings()) == [
        {"Team": "default", "Urgent": "1 h 00 min", "High": "4 h 00 min", "Normal": "1 d 0 h", "Time zone": "UTC",
         "Open": "every day", "Hours": "24 h", "Channels": "every channel not routed elsewhere"},
    ]  # fmt: skip


def test_a_team_policy_is_built_from_hours_and_closing_at_midnight_means_open_until_midnight() -> None:
    built = policy(
        targets_hours={"urgent": 0.5, "high": 2, "normal": 8}, closes=time(0), tz="europe/london", days=[4, 0, 0]
    )
    assert built.target("urgent") == timedelta(minutes=30)
    assert built.hours.end is None and built.hours.start == time(9)
    assert built.hours.tz == "Europe/London"  # the zone database's own spelling
    assert built.hours.days == (0, 4)
    assert cs.policy_problems(built) == []


def test_settings_round_trip_through_the_stored_json() -> None:
    settings = cs.with_team(SlaSettings(), "default", policy(tz="America/New_York"))
    settings = cs.with_team(
        settings, "Night shift", policy(opens=time(0), closes=time(8), days=range(7)), ["x", "bluesky"], new=True
    )
    again = SlaSettings.from_json(json.loads(json.dumps(settings.to_json())))
    assert again == settings
    assert again.policy_for("x").hours.end == time(8)
    assert again.policy_for("instagram").hours.tz == "America/New_York"


def test_an_unknown_time_zone_is_refused_with_the_nearest_names() -> None:
    message = problems_of(policy(tz="Europe/Lundon"))
    assert "unknown time zone “Europe/Lundon”" in message and "Did you mean Europe/London" in message
    assert "unknown time zone “Mars/Olympus”" in problems_of(policy(tz="Mars/Olympus"))
    assert "unknown time zone “localtime”" in problems_of(
        policy(tz="localtime")
    )  # the server's clock is no team's zone
    assert "a time zone is needed" in problems_of(policy(tz="  "))


def test_closing_before_opening_is_refused() -> None:
    assert "closes (09:00) before it opens (17:00)" in problems_of(policy(opens=time(17), closes=time(9)))
    assert "closes (09:00) before it opens (09:00)" in problems_of(policy(opens=time(9), closes=time(9)))


def test_a_team_with_no_open_weekday_is_refused() -> None:
    assert "no open weekday" in problems_of(policy(days=[]))


@pytest.mark.parametrize("hours", [0, -1])
def test_targets_must_be_more_than_zero(hours: float) -> None:
    assert "the high target must be more than zero" in problems_of(
        policy(targets_hours={**DEFAULT_HOURS, "high": hours})
    )


def test_tiers_must_be_in_order_and_targets_reachable() -> None:
    message = problems_of(policy(targets_hours={"urgent": 4, "high": 1, "normal": 24}))
    assert "the urgent target (4 h 00 min) is longer than the high one (1 h 00 min)" in message
    assert "longer than 30 d 0 h" in problems_of(policy(targets_hours={**DEFAULT_HOURS, "normal": 24 * 31}))
    # A quarter of an hour a week: a 24 h target would take years.
    tiny = policy(days=[0], opens=time(9), closes=time(9, 15))
    assert "the normal target (1 d 0 h) is never reached" in problems_of(tiny)


def test_every_problem_names_its_team_and_routes_need_a_team() -> None:
    settings = SlaSettings(
        teams={"default": policy(), "EMEA": policy(tz="Nowhere/Special", days=[])},
        routes={"x": "EMEA", "reddit": "APAC"},
    )
    problems = cs.sla_problems(settings)
    assert any(p.startswith("team “EMEA”: unknown time zone") for p in problems)
    assert "team “EMEA”: no open weekday: choose at least one day the team answers" in problems
    assert "channel “reddit” is routed to team “APAC”, which does not exist" in problems
    assert any("“default” team is missing" in p for p in cs.sla_problems(SlaSettings(teams={"EMEA": policy()})))


def test_a_channel_answers_to_one_team_and_removing_a_team_hands_its_channels_back() -> None:
    settings = cs.with_team(SlaSettings(), "EMEA", policy(), ["x", "instagram"], new=True)
    settings = cs.with_team(settings, "APAC", policy(tz="Asia/Tokyo"), ["x"], new=True)
    assert (cs.team_channels(settings, "EMEA"), cs.team_channels(settings, "APAC")) == (["instagram"], ["x"])
    settings = cs.with_team(settings, "EMEA", policy(), [])
    assert cs.team_channels(settings, "EMEA") == []
    assert cs.without_team(settings, "APAC").routes == {}
    with pytest.raises(cs.CareSettingsError, match="cannot be removed"):
        cs.without_team(settings, "default")
    with pytest.raises(cs.CareSettingsError, match="exists already"):
        cs.with_team(settings, "APAC", policy(), new=True)
    with pytest.raises(cs.CareSettingsError, match="needs a name"):
        cs.with_team(settings, "  ", policy(), new=True)


def test_saving_sla_settings_stores_them_for_the_inbox(fake: FakeStore) -> None:
    settings = cs.with_team(SlaSettings(), "default", policy())
    stored = cs.save_sla_settings(as_store(fake), settings, actor=ADMIN, now=NOW)
    assert stored == settings
    assert SlaSettings.from_json(fake.settings[SETTINGS_KEY]) == settings
    assert fake.audit == [(ADMIN.name, "setting.sla")]


def test_invalid_sla_settings_are_refused_whole_and_nothing_is_stored(fake: FakeStore) -> None:
    settings = cs.with_team(SlaSettings(), "default", policy(tz="Europe/Lundon", opens=time(18), closes=time(8)))
    with pytest.raises(cs.CareSettingsError) as refused:
        cs.save_sla_settings(as_store(fake), settings, actor=ADMIN, now=NOW)
    assert len(refused.value.problems) == 2
    assert fake.settings == {} and fake.audit == []


def test_an_agent_may_not_change_the_sla_even_with_invalid_input(fake: FakeStore) -> None:
    for settings in (SlaSettings(), cs.with_team(SlaSettings(), "default", policy(days=[]))):
        with pytest.raises(AccessDenied):
            cs.save_sla_settings(as_store(fake), settings, actor=AGENT, now=NOW)
    assert fake.settings == {}


def test_a_naive_time_is_refused(fake: FakeStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cs.save_sla_settings(as_store(fake), SlaSettings(), actor=ADMIN, now=datetime(2026, 11, 23, 12))


# ---- VIP ------------------------------------------------------------------------------------------


def test_handles_emails_and_customer_ids_become_a_vip_list_with_addresses_only_hashed() -> None:
    parsed = cs.parse_vip_rows(
        [("@Dan", "gold"), ("Ana@Example.com", "platinum"), ("C-10023", ""), ("@ana@mastodon.social", "silver")]
    )
    assert parsed.problems == () and parsed.count == 4
    assert parsed.vip.tier_of("dan", None) == "gold"
    assert parsed.vip.tier_of(None, respondent_key("ana@example.com")) == "platinum"
    assert parsed.vip.tier_of(None, respondent_key("c-10023")) == "vip"  # a blank tier is "vip"
    assert parsed.vip.tier_of("@ana@mastodon.social", None) == "silver"
    stored = json.dumps(parsed.vip.to_json()).lower()
    assert "example.com" not in stored and "c-10023" not in stored


def test_malformed_rows_are_reported_with_their_row_and_good_rows_are_kept() -> None:
    parsed = cs.parse_vip_rows([
        ("@dan", "gold"),
        ("ana@", "gold"),
        ("", ""),  # the editor's spare line: skipped silently
        ("Dan Smith", "gold"),
        ("@vip one", "vip"),
        ("@eve", "bronze"),
        ("key:1234", "gold"),
        ("@DAN", "silver"),
        (None, "gold"),
        ("ops@northwind.example", None),
    ])  # fmt: skip
    assert [str(p) for p in parsed.problems] == [
        "row 2: not a valid e-mail address (for a handle, start with @)",
        "row 4: not a handle (@name), an e-mail or a customer id: customer ids have no spaces or commas",
        "row 5: “@vip one” is not a handle: an @ followed by the name, without spaces",
        "row 6: unknown tier “bronze” (use platinum, gold, silver or vip)",
        "row 7: “key:1234” is not a stored key (32 hexadecimal digits); to add someone, type their e-mail or customer id",
        "row 8: @DAN is already listed on row 1",
        "row 9: no customer given: a handle (@name), an e-mail or a customer id",
    ]
    assert parsed.vip == VipList({"dan": "gold"}, {str(respondent_key("ops@northwind.example")): "vip"})


def test_vip_problems_name_the_row_never_the_address_or_customer_id() -> None:
    parsed = cs.parse_vip_rows([
        ("jo@example.com", "gold"), ("JO@example.com", "vip"), ("C-1234", "vip"), ("C-1234", "gold"),
        ("jo@", "vip"), ("Jo Smith", "vip"),
    ])  # fmt: skip
    messages = [str(p) for p in parsed.problems]
    assert messages == [
        "row 2: this e-mail address is already listed on row 1",
        "row 4: this customer id is already listed on row 3",
        "row 5: not a valid e-mail address (for a handle, start with @)",
        "row 6: not a handle (@name), an e-mail or a customer id: customer ids have no spaces or commas",
    ]
    assert not any(value in m for m in messages for value in ("jo@", "C-1234", "Jo Smith"))


def test_the_table_shows_stored_entries_so_they_survive_a_save_unchanged() -> None:
    vip = VipList().with_entry("@dan", "gold").with_entry("ana@example.com", "platinum")
    rows = cs.vip_rows(vip)
    assert rows[0] == ("@dan", "gold") and rows[1][0].startswith("key:") and "example" not in rows[1][0]
    assert cs.parse_vip_rows(rows).vip == vip
    assert VipList.from_json(json.loads(json.dumps(vip.to_json()))) == vip


def test_saving_the_vip_list_refuses_a_raw_address_and_non_admins(fake: FakeStore) -> None:
    with pytest.raises(cs.CareSettingsError, match="must be hashed"):
        cs.save_vip_list(as_store(fake), VipList({}, {"ana@example.com": "gold"}), actor=ADMIN, now=NOW)
    with pytest.raises(cs.CareSettingsError, match="unknown tier"):
        cs.save_vip_list(as_store(fake), VipList({"dan": "diamond"}), actor=ADMIN, now=NOW)
    with pytest.raises(AccessDenied):
        cs.save_vip_list(as_store(fake), VipList({"dan": "gold"}), actor=AGENT, now=NOW)
    assert fake.settings == {}
    saved = cs.save_vip_list(as_store(fake), VipList({"dan": "gold"}), actor=ADMIN, now=NOW)
    assert saved == VipList.from_json(fake.settings[VIP_SETTINGS_KEY]) == VipList({"dan": "gold"})
