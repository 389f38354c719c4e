"""A workspace filled through the real write paths, for the retention and erasure tests.

Items go through the analysis (`build_items_with_embeddings`: redaction, language, sentiment,
survey recovery rules, embeddings) into `Store.add_items`; then the inbox writes (a note, a
correction, an assignment, a viewer), the alert rules and their deliveries, a spike alert whose
explanation names authors, the VIP list, theme assignment by the listener's `ThemeWorker`, a
discovery proposal promoted into a theme (its representatives become examples), and weekly
exports. Every person in it is made up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.actors import admin, agent
from voc.access.roles import Actor, Permission
from voc.alerts.channels import Channel, ChannelKind
from voc.alerts.rules import raise_item_alerts
from voc.alerts.service import CHANNELS_KEY, enqueue_deliveries, raise_alert
from voc.exports import build_export, week_of
from voc.inbox.vip import VIP_SETTINGS_KEY, VipList
from voc.models import ItemKind, RawItem, TriageChange
from voc.sources.ingest import build_items_with_embeddings
from voc.store.facade import Store
from voc.store.schema import items, metadata, theme_proposals
from voc.surveys.recovery import raise_recovery_alerts
from voc.themes import service as themes
from voc.themes.worker import ThemeWorker

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # a Friday in 2026-W48
THIS_WEEK = NOW - timedelta(days=3)  # Tuesday 2026-11-24, 12:00
LAST_WEEK = NOW - timedelta(days=10)  # Tuesday 2026-11-17
LENA = "@lena@social.example"
OTHER = "@other_customer"
COPYCAT = "@copycat"
JO = "jo@example.com"
AGENT = agent("ana@northwind.example")
ADMIN = admin("olga@northwind.example")
SCHEDULE = Actor.system("export-schedule")
BILLING = "Die Rechnung ist schon wieder falsch, furchtbarer Kundendienst"
OUTAGE = "Kein Netz seit heute Morgen, das ist schrecklich"
OTHER_TEXT = "My bill is wrong again and support is terrible, I hate this"
OLD_TEXT = "Terrible coverage in the old town, awful and useless"


@dataclass(frozen=True)
class Workspace:
    ids: dict[str, int]  # external id -> item id
    exports_dir: Path

    def of(self, *external_ids: str) -> list[int]:
        return [self.ids[e] for e in external_ids]


def _store_raws(store: Store, source: str, raws: list[RawItem]) -> None:
    built, vectors = build_items_with_embeddings(source, raws, ingested_at=NOW - timedelta(days=1))
    assert store.add_items(built, vectors) == len(raws)


def fill(store: Store, exports_dir: Path) -> Workspace:
    """The workspace: Lena (Mastodon, three posts, one copied by someone else), another customer
    on X (this week and last week), a survey respondent, and everything that derives from them."""
    _store_raws(
        store,
        "mastodon-tag",
        [
            RawItem("lena-1", BILLING, THIS_WEEK, channel="mastodon", author=LENA, author_reach=20_000,
                    link="https://social.example/@lena/1", language_hint="de"),
            RawItem("lena-2", OUTAGE, THIS_WEEK + timedelta(hours=1), channel="mastodon", author="@Lena@Social.Example",
                    author_reach=20_000, link="https://social.example/@lena/2", language_hint="de"),
            RawItem("copy-1", BILLING, THIS_WEEK + timedelta(minutes=10), channel="mastodon", author=COPYCAT,
                    author_reach=10, link="https://social.example/@copycat/9", language_hint="de"),
        ],
    )  # fmt: skip
    _store_raws(
        store,
        "x-brand",
        [
            RawItem("other-1", OTHER_TEXT, THIS_WEEK + timedelta(hours=2), author=OTHER, author_reach=50_000,
                    link="https://x.com/other_customer/status/1"),
            RawItem("other-old", OLD_TEXT, LAST_WEEK, author=OTHER, author_reach=50_000,
                    link="https://x.com/other_customer/status/2"),
        ],
    )  # fmt: skip
    _store_raws(
        store,
        "surveys",
        [
            RawItem("jo-1", "Awful service, nobody called me back, I want to cancel", THIS_WEEK + timedelta(hours=3),
                    kind=ItemKind.SURVEY, channel="survey", survey="relationship-nps", response_id="r-17",
                    respondent=JO, nps=1, survey_field="comment"),
        ],
    )  # fmt: skip
    with store.read() as connection:
        ids = {str(e): int(i) for e, i in connection.execute(sa.select(items.c.external_id, items.c.id))}
    lena, other = ids["lena-1"], ids["other-1"]

    store.add_note(lena, "Called her back, refund promised", actor=AGENT, now=NOW)
    store.add_note(other, "Escalated to billing", actor=AGENT, now=NOW)
    store.apply_triage(
        [TriageChange(lena, "assignee", AGENT.name), TriageChange(other, "assignee", AGENT.name)], actor=AGENT, now=NOW
    )
    store.correct_sentiment([ids["lena-2"], other], "negative", actor=AGENT, now=NOW)
    store.touch_viewer(lena, AGENT, NOW)
    store.touch_viewer(other, AGENT, NOW)

    raise_item_alerts(store, now=NOW, since=NOW - timedelta(days=30))
    raise_recovery_alerts(store, now=NOW, source="surveys", external_ids=["jo-1"])
    raise_alert(
        store, rule="volume_spike", dedupe_key="volume_spike:2026-11-24T12:00:00+00:00", title="Volume spike: 30 items",
        details={"drivers": {"authors": [f"@{LENA.lstrip('@')} (3)", f"{OTHER} (2)"], "words": ["rechnung (3)"]},
                 "explanation": ["30 items", "top words: rechnung (3)", f"top authors: {LENA} (3), {OTHER} (2)"]},
        now=NOW, subject="volume_spike",
    )  # fmt: skip
    store.put_setting(
        CHANNELS_KEY, [Channel("care", ChannelKind.WEBHOOK, url="http://127.0.0.1:9/hook").to_json()],
        actor=ADMIN, permission=Permission.CONFIGURE_ALERTS, now=NOW,
    )  # fmt: skip
    enqueue_deliveries(store, [Channel("care", ChannelKind.WEBHOOK, url="http://127.0.0.1:9/hook")], now=NOW)
    vip = VipList().with_entry(LENA, "gold").with_entry(OTHER, "silver").with_entry(JO, "platinum")
    store.put_setting(VIP_SETTINGS_KEY, vip.to_json(), actor=ADMIN, permission=Permission.CONFIGURE_CARE, now=NOW)

    themes.apply_starter_set(store, "care", actor=ADMIN, now=NOW)  # the starter set an admin picked
    worker = ThemeWorker(store, "test-worker", clock=lambda: NOW, every_s=0)
    while worker.tick():
        pass
    with store.write() as connection:  # what discovery writes (its clustering needs a large pool)
        for pid, members, reps in (
            ("p-billing", [lena, other, ids["copy-1"]], [lena, other]),
            ("p-outage", [ids["lena-2"], ids["other-old"]], [ids["lena-2"]]),
        ):
            connection.execute(theme_proposals.insert().values(
                id=pid, label=pid, language="de", keywords=["rechnung"], representative_item_ids=reps,
                member_item_ids=members, size=len(members), sentiment={"negative": len(members)}, growth=1.0,
                emerging=False, status="open", discovered_at=NOW,
            ))  # fmt: skip
    themes.promote_proposal(store, "p-billing", name="Billing errors again", actor=ADMIN, now=NOW)

    for moment in (THIS_WEEK, LAST_WEEK):
        build_export(
            store, week_of(moment.date()), exports_dir, formats=("csv", "xlsx"), now=NOW, requested_by=SCHEDULE
        )
    return Workspace(ids, exports_dir)


def rows_of(store: Store, item_ids: Iterable[int]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table that refers to these items (by `item_id`, or the items themselves)."""
    wanted = sorted(item_ids)
    found: dict[str, list[tuple[Any, ...]]] = {}
    with store.read() as connection:
        for table in metadata.sorted_tables:
            column = table.c.get("item_id") if table.name != "items" else table.c.id
            if column is None:
                continue
            rows = [
                tuple(r)
                for r in connection.execute(
                    sa.select(table).where(column.in_(wanted)).order_by(*table.primary_key.columns)
                )
            ]
            if rows:
                found[table.name] = rows
    return found


def everything_stored(store: Store) -> str:
    """Every text-ish value of every table, lower-cased (binary vectors and model blobs left out)."""
    with store.read() as connection:
        lines = []
        for table in metadata.sorted_tables:
            columns = [c for c in table.c if not isinstance(c.type, sa.LargeBinary)]
            lines += [repr(tuple(row)) for row in connection.execute(sa.select(*columns))]
    return "\n".join(lines).lower()


def export_text(exports_dir: Path, slug: str) -> str:
    """The CSV files of one export, lower-cased."""
    return "\n".join(p.read_text(encoding="utf-8-sig") for p in sorted((exports_dir / slug).glob("*.csv"))).lower()
