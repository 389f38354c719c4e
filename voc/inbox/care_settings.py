"""Maintaining the care settings: SLA targets and business hours per team, channel routing, and
the VIP list of valued customers.

The inbox reads both from `app_settings` on every queue (`voc.inbox.queue.load_sla`, `load_vip`),
so a bad value would break every clock at once (an unknown zone raises in
`SlaSettings.from_json`, hours that never open make `BusinessHours.add` give up): nothing is
stored until it validates, and each problem is said in words an admin can act on. Saving needs
`Permission.CONFIGURE_CARE` (admins) and is audited in the same transaction as the write
(`Store.put_setting`).

E-mails and customer ids on the VIP list are hashed into their salted `respondent_key` here,
before anything is stored, exactly as `VipList.with_entry` does: the list never holds an
address. An entry already stored shows as `key:<hash>` so it can be kept, re-tiered or removed.
Domain: no Streamlit.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import available_timezones

from voc.access.roles import Actor, Permission, require
from voc.inbox.priority import TIER_WEIGHTS
from voc.inbox.sla import DEFAULT_TARGETS, DEFAULT_TEAM, TIERS, BusinessHours, SlaPolicy, SlaSettings, format_duration
from voc.inbox.sla import SETTINGS_KEY as SLA_KEY
from voc.inbox.vip import VIP_SETTINGS_KEY, VipList
from voc.sources.ingest import respondent_key
from voc.store.facade import Store

WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MAX_TARGET: Final = timedelta(days=30)  # beyond this a "target" is no promise to a customer
MAX_NAME: Final = 60
MAX_ENTRY: Final = 200
KEY_PREFIX: Final = "key:"
NOT_TEAM_ZONES: Final = frozenset({"localtime", "posixrules", "Factory"})
DEFAULT_TIER: Final = "vip"
_REFERENCE: Final = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday: where reachability is tried
_HANDLE: Final = re.compile(r"^@[^\s@,;][^\s,;]*$")  # @dan, @dan.bsky.social, @ana@mastodon.social
_EMAIL: Final = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
_KEY: Final = re.compile(r"^[0-9a-f]{32}$")


class CareSettingsError(ValueError):
    """Settings that would not work, refused whole; `problems` lists every reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


# ---- SLA policies and business hours ------------------------------------------------------------


@functools.cache
def _zones() -> frozenset[str]:
    # The system database also lists "localtime" (whatever the server's clock is set to) and
    # placeholders: no team keeps those hours.
    return frozenset(available_timezones()) - NOT_TEAM_ZONES


def zone_problem(tz: str) -> str | None:
    """Why `tz` is no IANA time zone (None when it is), with the nearest names as a hint.

    Membership of the zone database, not "ZoneInfo loads it": "localtime" loads too, and would
    move every clock when the server's setting changes.
    """
    if not tz.strip():
        return "a time zone is needed (an IANA name such as Europe/London)"
    if tz in _zones():
        return None
    close = difflib.get_close_matches(tz, sorted(_zones()), n=2, cutoff=0.6)
    hint = (
        f" Did you mean {' or '.join(close)}?"
        if close
        else " Use an IANA name such as Europe/London or America/New_York."
    )
    return f"unknown time zone “{tz}”.{hint}"


def canonical_zone(tz: str) -> str:
    """`tz` stripped, in the zone database's own spelling when only its case differs ("europe/london")."""
    tz = tz.strip()
    if tz in _zones():
        return tz
    folded = {zone.casefold(): zone for zone in _zones()}
    return folded.get(tz.casefold(), tz)


def team_policy(
    *, targets_hours: Mapping[str, float], tz: str, days: Iterable[int], opens: time, closes: time | None
) -> SlaPolicy:
    """A team's policy from what an admin entered: targets in hours per tier, the zone, the open
    weekdays (0 = Monday) and hours; `closes` at 00:00 (or None) means open until midnight."""
    targets = {
        tier: timedelta(hours=float(targets_hours.get(tier, DEFAULT_TARGETS[tier] / timedelta(hours=1))))
        for tier in TIERS
    }
    hours = BusinessHours(
        tz=canonical_zone(tz),
        days=tuple(sorted({int(d) for d in days})),
        start=opens.replace(second=0, microsecond=0),
        end=None if closes is None or closes == time(0) else closes.replace(second=0, microsecond=0),
    )
    return SlaPolicy(targets=targets, hours=hours)


def policy_problems(policy: SlaPolicy) -> list[str]:
    """What is wrong with one team's policy (empty: nothing)."""
    problems: list[str] = []
    targets = {tier: policy.targets.get(tier) for tier in TIERS}
    for tier, target in targets.items():
        if target is None:
            problems.append(f"the {tier} target is missing")
        elif not math.isfinite(target.total_seconds()) or target <= timedelta(0):
            problems.append(f"the {tier} target must be more than zero")
        elif target > MAX_TARGET:
            problems.append(
                f"the {tier} target ({format_duration(target)}) is longer than {format_duration(MAX_TARGET)}"
            )
    for faster, slower in zip(TIERS, TIERS[1:], strict=False):
        a, b = targets[faster], targets[slower]
        if a is not None and b is not None and a > timedelta(0) and b > timedelta(0) and a > b:
            problems.append(
                f"the {faster} target ({format_duration(a)}) is longer than the {slower} one ({format_duration(b)}): "
                f"{faster} items must not wait longer than {slower} ones"
            )
    hours = policy.hours
    zone = zone_problem(hours.tz)
    if zone:
        problems.append(zone)
    if not hours.days:
        problems.append("no open weekday: choose at least one day the team answers")
    elif any(d not in range(7) for d in hours.days):
        problems.append("weekdays are 0 (Monday) to 6 (Sunday)")
    if hours.end is not None and hours.end <= hours.start:
        problems.append(
            f"it closes ({hours.end:%H:%M}) before it opens ({hours.start:%H:%M}); "
            "overnight hours are not supported: use 00:00 as closing time for open until midnight"
        )
    if not problems:
        for tier in TIERS:
            try:
                hours.add(_REFERENCE, policy.target(tier))
            except ValueError:
                problems.append(
                    f"with these business hours the {tier} target ({format_duration(policy.target(tier))}) is never reached"
                )
                break
    return problems


def sla_problems(settings: SlaSettings) -> list[str]:
    """Every problem of the whole SLA settings, each naming its team or channel."""
    problems: list[str] = []
    if DEFAULT_TEAM not in settings.teams:
        problems.append(f"the “{DEFAULT_TEAM}” team is missing: it answers every channel not routed elsewhere")
    for name, policy in settings.teams.items():
        if not name.strip():
            problems.append("a team has no name")
        elif len(name) > MAX_NAME:
            problems.append(f"team name “{name[:20]}…” is longer than {MAX_NAME} characters")
        problems += [f"team “{name}”: {problem}" for problem in policy_problems(policy)]
    for channel, team in settings.routes.items():
        if not channel.strip():
            problems.append(f"an empty channel name is routed to team “{team}”")
        elif team not in settings.teams:
            problems.append(f"channel “{channel}” is routed to team “{team}”, which does not exist")
    return problems


def team_channels(settings: SlaSettings, team: str) -> list[str]:
    """The channels routed to `team`, sorted (the default team also answers every unrouted one)."""
    return sorted(channel for channel, routed in settings.routes.items() if routed == team)


def with_team(
    settings: SlaSettings, name: str, policy: SlaPolicy, channels: Iterable[str] | None = None, *, new: bool = False
) -> SlaSettings:
    """`settings` with team `name` set to `policy`; with `channels`, exactly those are routed to it
    (a channel answers to one team: listing it here moves it from another). Not validated: see
    `sla_problems`, which `save_sla_settings` runs."""
    name = name.strip()
    if not name:
        raise CareSettingsError(["a new team needs a name"])
    if new and name in settings.teams:
        raise CareSettingsError([f"a team called “{name}” exists already: choose it in the list to change it"])
    routes = dict(settings.routes)
    if channels is not None:
        wanted = {c.strip() for c in channels if c and c.strip()}
        routes = {c: t for c, t in routes.items() if t != name and c not in wanted}
        routes.update({channel: name for channel in sorted(wanted)})
    return SlaSettings(teams={**settings.teams, name: policy}, routes=routes)


def without_team(settings: SlaSettings, name: str) -> SlaSettings:
    """`settings` without team `name`; its channels go back to the default team."""
    if name == DEFAULT_TEAM:
        raise CareSettingsError(
            [f"the “{DEFAULT_TEAM}” team cannot be removed: it answers every channel not routed elsewhere"]
        )
    teams = {team: policy for team, policy in settings.teams.items() if team != name}
    return SlaSettings(teams=teams, routes={c: t for c, t in settings.routes.items() if t != name})


def sla_overview(settings: SlaSettings) -> list[dict[str, str]]:
    """One row per team, as people read it: targets, zone, open days and hours, channels."""
    rows = []
    for name in sorted(settings.teams, key=lambda n: (n != DEFAULT_TEAM, n.casefold())):
        policy = settings.teams[name]
        hours = policy.hours
        channels = ", ".join(team_channels(settings, name))
        if name == DEFAULT_TEAM:
            channels = f"{channels}, and every other" if channels else "every channel not routed elsewhere"
        rows.append({
            "Team": name,
            **{tier.capitalize(): format_duration(policy.target(tier)) for tier in TIERS},
            "Time zone": hours.tz,
            "Open": describe_days(hours.days),
            "Hours": "24 h" if hours.start == time(0) and hours.end is None else f"{hours.start:%H:%M}–{hours.end or time(0):%H:%M}",
            "Channels": channels,
        })  # fmt: skip
    return rows


def describe_days(days: Sequence[int]) -> str:
    """Open days as people say them: "every day", "Mon–Fri", "Mon, Wed, Sat"."""
    days = sorted(set(days))
    if len(days) == 7:
        return "every day"
    if days and days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        return f"{WEEKDAYS[days[0]]}–{WEEKDAYS[days[-1]]}"
    return ", ".join(WEEKDAYS[d] for d in days if d in range(7)) or "never"


def save_sla_settings(store: Store, settings: SlaSettings, *, actor: Actor, now: datetime) -> SlaSettings:
    """Store the SLA settings the inbox's clocks use: `actor` needs CONFIGURE_CARE; refused whole
    with every problem (`CareSettingsError`) when any team would not work. Returns them as stored."""
    require(actor, Permission.CONFIGURE_CARE)  # before validating: a viewer learns nothing from the errors
    _aware(now)
    problems = sla_problems(settings)
    if problems:
        raise CareSettingsError(problems)
    value = settings.to_json()
    stored = SlaSettings.from_json(value)  # what the inbox will read back must load
    store.put_setting(SLA_KEY, value, actor=actor, permission=Permission.CONFIGURE_CARE, now=now)
    return stored


# ---- the VIP list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VipRowProblem:
    """A row of the VIP table that was left out, and why (rows count from 1, as shown)."""

    row: int
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


@dataclass(frozen=True)
class VipRows:
    """The VIP list built from the good rows, and the rows left out."""

    vip: VipList
    problems: tuple[VipRowProblem, ...] = ()

    @property
    def count(self) -> int:
        return len(self.vip.handles) + len(self.vip.keys)


def vip_rows(vip: VipList) -> list[tuple[str, str]]:
    """(customer, tier) as the table shows them: "@handle", and "key:<hash>" for e-mails and ids."""
    handles = [(f"@{handle}", tier) for handle, tier in sorted(vip.handles.items())]
    return handles + [(f"{KEY_PREFIX}{key}", tier) for key, tier in sorted(vip.keys.items())]


def parse_vip_rows(rows: Iterable[tuple[Any, Any]]) -> VipRows:
    """The VIP list from (customer, tier) rows: a handle ("@name"), an e-mail or a customer id
    (hashed at once), or a stored "key:<hash>"; a blank tier means "vip". Malformed rows and
    repeats are reported with their row number, and the good rows are kept."""
    handles: dict[str, str] = {}
    keys: dict[str, str] = {}
    seen: dict[tuple[str, str], int] = {}
    problems: list[VipRowProblem] = []
    for number, (raw_who, raw_tier) in enumerate(rows, start=1):
        who, tier = _cell(raw_who), _cell(raw_tier).lower() or DEFAULT_TIER
        if not who:
            if _cell(raw_tier):
                problems.append(
                    VipRowProblem(number, "no customer given: a handle (@name), an e-mail or a customer id")
                )
            continue  # an empty row (the editor's spare line)
        if tier not in TIER_WEIGHTS:
            problems.append(VipRowProblem(number, f"unknown tier “{_cell(raw_tier)}” (use {_tier_names()})"))
            continue
        identity, problem = _identity(who)
        if problem:
            problems.append(VipRowProblem(number, problem))
            continue
        assert identity is not None
        kind, value = identity
        if identity in seen:
            problems.append(VipRowProblem(number, f"{_shown(who)} is already listed on row {seen[identity]}"))
            continue
        seen[identity] = number
        (handles if kind == "handle" else keys)[value] = tier
    return VipRows(VipList(handles, keys), tuple(problems))


def vip_problems(vip: VipList) -> list[str]:
    """What is wrong with a VIP list built by code rather than `parse_vip_rows` (empty: nothing)."""
    problems: list[str] = []
    for handle, tier in vip.handles.items():
        if not handle or handle.startswith("@") or any(c.isspace() for c in handle) or handle != handle.lower():
            problems.append(f"handle “{handle}” must be stored lower-case, without @ or spaces")
        if tier not in TIER_WEIGHTS:
            problems.append(f"@{handle}: unknown tier “{tier}” (use {_tier_names()})")
    for key, tier in vip.keys.items():
        if not _KEY.match(key):
            problems.append("a customer key is not a respondent_key hash: e-mails and ids must be hashed, never stored")
        if tier not in TIER_WEIGHTS:
            problems.append(f"{KEY_PREFIX}{key[:8]}…: unknown tier “{tier}” (use {_tier_names()})")
    return problems


def save_vip_list(store: Store, vip: VipList, *, actor: Actor, now: datetime) -> VipList:
    """Store the VIP list the inbox's priorities use: `actor` needs CONFIGURE_CARE; refused whole
    (`CareSettingsError`) when an entry is malformed, so a raw address can never slip in."""
    require(actor, Permission.CONFIGURE_CARE)
    _aware(now)
    problems = vip_problems(vip)
    if problems:
        raise CareSettingsError(problems)
    value = vip.to_json()
    store.put_setting(VIP_SETTINGS_KEY, value, actor=actor, permission=Permission.CONFIGURE_CARE, now=now)
    return VipList.from_json(value)


def _identity(who: str) -> tuple[tuple[str, str] | None, str | None]:
    """("handle", name) or ("key", hash) for one entry, or the reason it is malformed."""
    if len(who) > MAX_ENTRY:
        return None, f"longer than {MAX_ENTRY} characters"
    if who.lower().startswith(KEY_PREFIX):
        key = who[len(KEY_PREFIX) :].strip().lower()
        if not _KEY.match(key):
            return (
                None,
                f"“{who}” is not a stored key (32 hexadecimal digits); to add someone, type their e-mail or customer id",
            )
        return ("key", key), None
    if who.startswith("@"):
        if not _HANDLE.match(who):
            return None, f"“{who}” is not a handle: an @ followed by the name, without spaces"
        return ("handle", who[1:].lower()), None
    if "@" in who:
        if not _EMAIL.match(who):
            return None, "not a valid e-mail address (for a handle, start with @)"  # the row, never the address
        return ("key", _hash(who)), None
    if any(c.isspace() for c in who) or any(c in ",;" for c in who):
        return (
            None,
            "not a handle (@name), an e-mail or a customer id: customer ids have no spaces or commas",
        )
    return ("key", _hash(who)), None


def _hash(who: str) -> str:
    key = respondent_key(who)
    assert key is not None  # `who` is not blank here
    return key


def _shown(who: str) -> str:
    """How a problem names an entry: a public handle or a stored key as typed, never an e-mail
    address or a customer id (a message must not quote personal data; the row number finds it)."""
    if who.startswith("@") or who.lower().startswith(KEY_PREFIX):
        return who
    return "this e-mail address" if "@" in who else "this customer id"


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _tier_names() -> str:
    names = list(TIER_WEIGHTS)
    return ", ".join(names[:-1]) + f" or {names[-1]}"


def _aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("`now` must be timezone-aware (UTC)")
