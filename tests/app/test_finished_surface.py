"""A finished surface: every page, rendered over a workspace in every state a page names (alerts
acknowledged, escalated and undelivered, survey recoveries, sources failing each way, items in
several languages and triage states, proposals, merged and archived themes, audit entries), shows
no "None", no raw field name, no ISO timestamp and no stored code ("transient", "not_recovered",
"en") anywhere a user reads: text, labels, options, metric values, table headers and table cells.
Long lists page instead of growing the page.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from listeners.base import Batch, CoverageGap, ErrorKind, SourceError, Usage
from listeners.runner import Runner
from tests.actors import admin
from tests.app.conftest import OWN, ScriptedListener, fill_with_items
from tests.conftest import copy_sqlite_template
from voc import naming
from voc.access import users
from voc.access.roles import Actor, Role
from voc.alerts.channels import Channel, ChannelKind, DeliveryError
from voc.alerts.service import (
    acknowledge,
    count_alerts,
    deliver_due,
    enqueue_deliveries,
    escalate_overdue,
    load_channels,
    raise_alert,
    save_channels,
)
from voc.exports import build_export, iso_week
from voc.inbox.care_settings import parse_vip_rows, save_vip_list
from voc.inbox.priority import TIER_WEIGHTS
from voc.inbox.replies.repository import ReplyStatus
from voc.models import ItemKind, RawItem, TriageChange, TriageStatus
from voc.sentiment.scoring import SentimentLabel
from voc.sources import health
from voc.sources.health import SourceHealth
from voc.store.facade import Store
from voc.store.schema import alerts, items, theme_proposals
from voc.surveys.formats import Vendor
from voc.surveys.importer import import_path, import_survey
from voc.surveys.recovery import RecoveryOutcome, record_recovery_outcome
from voc.themes.repository import load_taxonomy
from voc.themes.service import archive_theme, merge_themes
from voc.themes.taxonomy import ThemeOrigin, ThemeStatus

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "surveys"
PAGES = (
    ("pages/inbox.py", {}),
    ("pages/inbox.py", {"item": "@neg-1"}),  # assigned, with a note and tags, from a VIP
    ("pages/inbox.py", {"item": "@neg-2"}),  # waiting on the customer
    ("pages/inbox.py", {"item": "@fr-1"}),  # resolved, in French, from Mastodon
    ("pages/inbox.py", {"item": "@de-1"}),  # not actionable
    ("pages/inbox.py", {"item": "@pos-2"}),  # its sentiment corrected by a person
    ("pages/inbox.py", {"item": "@recovered"}),  # a survey respondent recovered
    ("pages/inbox.py", {"item": "@not_recovered"}),
    ("pages/trends.py", {}),
    ("pages/alerts.py", {}),
    ("pages/surveys.py", {"section": "Recovery"}),
    ("pages/surveys.py", {"section": "Scores"}),
    ("pages/surveys.py", {"section": "Import"}),
    ("pages/themes.py", {"section": "Overview"}),
    ("pages/themes.py", {"section": "Overview", "theme": "Praise"}),
    ("pages/themes.py", {"section": "Proposals"}),
    ("pages/themes.py", {"section": "Taxonomy"}),
    ("pages/audit.py", {}),
    ("pages/sources.py", {}),
    ("pages/settings.py", {}),
    ("pages/exports.py", {}),
    ("pages/privacy.py", {}),
    ("pages/users.py", {}),
)
NONE_WORD = re.compile(r"\b(None|nan|NaN|NaT)\b")
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
RAW_KEY = re.compile(r"[a-z]+(?:[._][a-z]+)*_[a-z]+(?:[._][a-z]+)*")  # waiting_on_customer, themes.starter_set
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# What the store keeps and a page must name: a cell, metric value, option or " · "-separated part
# of a line that is exactly one of these is a code shown as it is stored.
STORED_CODES = frozenset(
    str(code)
    for codes in (
        TriageStatus, RecoveryOutcome, SentimentLabel, ErrorKind, SourceHealth, ThemeStatus, ThemeOrigin,
        ReplyStatus, ChannelKind, ItemKind, Role, Vendor, health.ERROR_KIND_NAMES, naming.CHANNEL_NAMES, TIER_WEIGHTS,
        naming.LANGUAGE_NAMES, ("open", "acknowledged"), ("pending", "sent", "failed", "cancelled"),
    )
    for code in codes
)  # fmt: skip
# Columns of other people's words, shown as written: a file's name is the user's own; an alert's
# last delivery error quotes the receiving server ("invalid_token" is Slack's word, not ours).
QUOTED_COLUMNS = frozenset({"File", "Last error"})
# A source's name is the one whoever added it gave: the fixture's survey source is called "survey".
SOURCE_NAMES = frozenset({"social", "survey"})
ALERTS = 25
PROPOSALS = 14
UNHAPPY = 12


@pytest.fixture(scope="module")
def _busy_template(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path) -> Path:
    """The busy workspace, built once for the module (about 3 s) and copied for each test."""
    folder = tmp_path_factory.mktemp("busy")
    with pytest.MonkeyPatch.context() as env:
        _point_the_app_at(env, folder)
        copy_sqlite_template(_sqlite_template, f"sqlite:///{folder}/app.db")
        store = Store.from_url(f"sqlite:///{folder}/app.db", upgrade=False)
        try:
            fill_busy_workspace(fill_with_items(store), folder / "data")
        finally:
            store.engine.dispose()
    assert not (folder / "app.db-wal").exists(), "the workspace must be complete in one file"
    return folder


@pytest.fixture
def busy_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _busy_template: Path) -> Iterator[Store]:
    """A copy of the busy workspace that the app is pointed at."""
    shutil.copyfile(_busy_template / "app.db", tmp_path / "app.db")
    shutil.copytree(_busy_template / "data", tmp_path / "data")
    _point_the_app_at(monkeypatch, tmp_path)
    opened = Store.from_url(f"sqlite:///{tmp_path}/app.db", upgrade=False)
    yield opened
    opened.engine.dispose()


def _point_the_app_at(env: pytest.MonkeyPatch, folder: Path) -> None:
    env.setenv("VOC_DATABASE_URL", f"sqlite:///{folder}/app.db")
    env.setenv("VOC_DATA_DIR", str(folder / "data"))
    env.setenv("VOC_HEARTBEAT_STALE_AFTER_S", "3600")  # the module's tests see the sources as they were built
    env.setenv("VOC_BRAND", OWN)


def fill_busy_workspace(store: Store, data_dir: Path) -> None:
    """Every state a page names: alerts open, acknowledged and escalated with failed deliveries;
    recovered and unrecovered survey respondents; open proposals; items in several languages and
    channels in every triage state, with notes, tags and corrected sentiments; sources failing
    each way, with skipped entries, X usage and a coverage gap; a saved reply, a VIP list, a past
    export, merged and archived themes, people with roles, and the audit entries of all that."""
    now = datetime.now(UTC)
    lead = admin("lead")
    with store.read() as connection:
        day_old = connection.execute(sa.select(items.c.id).where(items.c.external_id == "neg-30")).scalar_one()
    for n in range(ALERTS):
        raise_alert(
            store,
            rule="urgent_words",
            dedupe_key=f"surface-{n}",
            title=f"Urgent words from @angry30 ({n})",
            details={},
            now=now - timedelta(minutes=n),
            item_id=day_old,  # the mention posted 30 hours ago
        )
    import_path(store, FIXTURES / "google_forms_store_visit.csv", survey="Store visit", actor=lead)
    import_survey(store, io.BytesIO(unhappy_export(now)), "pulse.csv", survey="Pulse", actor=lead)
    with store.write() as connection:
        for n in range(PROPOSALS):
            connection.execute(
                theme_proposals.insert().values(
                    id=f"p-surface{n:04d}",
                    label=f"signal, mast, village {n}",
                    language="en",
                    keywords=["signal", "mast"],
                    representative_item_ids=[1, 2],
                    member_item_ids=[1, 2],
                    size=2,
                    growth=None,
                    sentiment={"negative": 2},
                    emerging=False,
                    status="open",
                    discovered_at=now,
                )
            )
    _recoveries(store, lead, now)
    _alerts_handled(store, lead, now)
    _items_in_every_state(store, lead, now)
    _sources_in_trouble(store, lead, now)
    _care_settings(store, lead, now)
    _taxonomy_changed(store, lead, now)
    week = (now - timedelta(days=7)).isocalendar()
    build_export(
        store, iso_week(f"{week.year}-W{week.week:02d}"), data_dir / "exports", requested_by=lead, formats=["csv"]
    )
    users.set_role(store, "vera@northwind.example", "viewer", actor=lead, now=now)
    users.set_role(store, "@northwind.example", "agent", actor=lead, now=now)


def _ids(store: Store, *external_ids: str) -> list[int]:
    with store.read() as connection:
        found = dict(
            connection.execute(
                sa.select(items.c.external_id, items.c.id).where(items.c.external_id.in_(external_ids))
            ).all()
        )
    return [found[external_id] for external_id in external_ids]


def _recoveries(store: Store, lead: Actor, now: datetime) -> None:
    with store.read() as connection:
        unhappy = list(
            connection.execute(
                sa.select(items.c.id)
                .where(items.c.very_unhappy.is_(True), items.c.survey == "Pulse")
                .order_by(items.c.id)
            ).scalars()
        )
    record_recovery_outcome(store, unhappy[0], RecoveryOutcome.RECOVERED, actor=lead, now=now)
    record_recovery_outcome(store, unhappy[1], RecoveryOutcome.NOT_RECOVERED, actor=lead, now=now)


def _alerts_handled(store: Store, lead: Actor, now: datetime) -> None:
    """Two channels (one for escalations) that refuse every message, some alerts acknowledged."""
    save_channels(
        store,
        [
            Channel("care-slack", ChannelKind.SLACK, url="https://hooks.slack.com/services/T0/B0/secret"),
            Channel("duty-webhook", ChannelKind.WEBHOOK, url="https://duty.example/hook", escalation=True),
        ],
        actor=lead,
        now=now,
    )
    enqueue_deliveries(store, load_channels(store), now=now)
    escalate_overdue(store, now=now + timedelta(hours=1))

    def refuse(channel: Channel, message: object) -> None:
        raise DeliveryError("HTTP 403 Forbidden: invalid_token")

    for attempt in range(6):
        deliver_due(store, now=now + timedelta(days=attempt + 1), sender=refuse, limit=200)
    with store.read() as connection:
        some = list(connection.execute(sa.select(alerts.c.id).order_by(alerts.c.id).limit(3)).scalars())
    for alert_id in some:
        acknowledge(store, alert_id, actor=lead, now=now)


LANGUAGES = (
    ("fr-1", "Le réseau est en panne depuis ce matin, c'est vraiment nul, je veux résilier.", "mastodon"),
    ("de-1", "Seit gestern kein Empfang mehr, das ist eine Katastrophe und niemand antwortet.", "bluesky"),
    ("es-1", "El servicio es muy malo, no tengo señal en casa desde hace una semana.", "google_play"),
    ("it-1", "Grazie mille, il nuovo piano tariffario è fantastico e molto conveniente!", "app_store"),
    ("pt-1", "Não consigo pagar a fatura pelo aplicativo, alguém pode me ajudar por favor?", "facebook"),
)


def _items_in_every_state(store: Store, lead: Actor, now: datetime) -> None:
    store.ensure_source("community", "scripted", poll_interval_s=60)
    raws = [
        RawItem(
            external_id=external_id,
            text=text,
            posted_at=now - timedelta(minutes=20 + n),
            channel=channel,
            brand=OWN,
            author=f"client{n}",
        )
        for n, (external_id, text, channel) in enumerate(LANGUAGES)
    ]
    Runner(store, {"community": ScriptedListener("community", raws)}, owner="test-runner").run_once()
    neg1, neg2, fr, de, es, pos2 = _ids(store, "neg-1", "neg-2", "fr-1", "de-1", "es-1", "pos-2")
    store.apply_triage(
        [
            TriageChange(neg1, "assignee", "kim@northwind.example"),
            TriageChange(neg1, "triage_status", "assigned"),
            TriageChange(neg2, "triage_status", "waiting_on_customer"),
            TriageChange(fr, "triage_status", "resolved"),
            TriageChange(de, "triage_status", "not_actionable"),
        ],
        actor=lead,
        now=now,
    )
    store.add_note(neg1, "Called back, the mast is fixed tomorrow.", actor=lead, now=now)
    store.set_tags([neg1, fr], ["outage", "billing"], actor=lead, now=now)
    store.correct_sentiment([pos2], "negative", actor=lead, now=now)
    store.correct_sentiment([es], "neutral", actor=lead, now=now)


class _Skipping:
    name = "forum"

    def fetch(self, cursor: str | None) -> Batch:
        item = RawItem(external_id="f1", text="Coverage is fine in town", posted_at=datetime.now(UTC))
        return Batch([item], "next", skipped={"no text": 3, "no id and no content to key it on": 1})


@dataclass
class _Failing:
    name: str
    kind: ErrorKind
    message: str

    def fetch(self, cursor: str | None) -> Batch:
        raise SourceError(self.kind, self.message)


class _Metered:
    name = "x-brand"

    def fetch(self, cursor: str | None) -> Batch:
        gap = CoverageGap(
            start=datetime.now(UTC) - timedelta(days=9),
            end=datetime.now(UTC) - timedelta(days=7),
            reason="the last post read is older than X's seven-day search window",
        )
        return Batch([], "{}", usage=Usage(requests=3, posts_read=120, users_read=80, cost_usd=1.0), gap=gap)


def _sources_in_trouble(store: Store, lead: Actor, now: datetime) -> None:
    """A source that skips entries, three failing (sign-in, network, unreadable data), a paid X one."""
    failing = {
        "x-mentions": _Failing("x-mentions", ErrorKind.AUTH, "401 Unauthorized: check X_BEARER_TOKEN"),
        "blog": _Failing("blog", ErrorKind.TRANSIENT, "Could not connect to blog.example (ConnectionError)."),
        "reviews": _Failing("reviews", ErrorKind.BAD_DATA, "The answer was not JSON (text/html)."),
    }
    for name in ("forum", *failing):
        store.ensure_source(name, "scripted", poll_interval_s=0)
    store.add_source(
        "x-brand",
        "x_search",
        {"query": "Northwind", "daily_budget_usd": 5.0, "post_read_usd": 0.001},
        poll_interval_s=120,
        actor=lead,
        now=now,
    )
    runner = Runner(store, {"forum": _Skipping(), "x-brand": _Metered(), **failing}, owner="test-runner", workers=[])
    for _ in range(3):
        for name in failing:
            store.resume_source(name, actor=lead, now=datetime.now(UTC))  # no waiting between tries
        runner.run_once()


def _care_settings(store: Store, lead: Actor, now: datetime) -> None:
    store.save_saved_reply(
        title="Outage apology",
        language="fr",
        text="Bonjour {author}, nous sommes désolés pour la panne.",
        theme_id=None,
        actor=lead,
        now=now,
    )
    save_vip_list(store, parse_vip_rows([("@angry1", "gold"), ("@client0", "")]).vip, actor=lead, now=now)


def _taxonomy_changed(store: Store, lead: Actor, now: datetime) -> None:
    active = load_taxonomy(store).active()
    parents = {theme.parent_id for theme in active}
    leaves = [theme for theme in active if theme.id not in parents and theme.name != "Praise"]
    merge_themes(store, leaves[0].id, leaves[1].id, actor=lead, now=now)
    archive_theme(store, leaves[2].id, actor=lead, now=now)


def unhappy_export(now: datetime) -> bytes:
    """A Typeform export of the last days: a dozen detractors with angry comments."""
    lines = [
        "#,How likely are you to recommend us?,Why?,Response Type,Start Date (UTC),Stage Date (UTC),Submit Date (UTC),Network ID,Tags"
    ]
    for n in range(UNHAPPY):
        when = (now - timedelta(hours=n + 1)).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(
            f'tok{n},{n % 4},"Awful coverage for days, I want to cancel ({n})",completed,{when},{when},{when},n{n},'
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def texts(at: AppTest) -> Iterator[str]:
    """Every string the rendered page puts in front of a reader."""
    for kind in ("title", "header", "subheader", "markdown", "caption", "success", "info", "warning", "error"):
        for element in getattr(at, kind):
            yield str(element.value)
    for metric in at.metric:
        yield from (metric.label, str(metric.value))
    for widget_kind in ("button", "checkbox", "toggle", "text_input", "text_area", "number_input", "date_input"):
        for widget in getattr(at, widget_kind):
            yield str(widget.label)
    for choice_kind in ("selectbox", "multiselect", "radio"):
        for choice in getattr(at, choice_kind):
            yield str(choice.label)
            yield from (str(option) for option in choice.options)
    for group in at.get("button_group"):  # segmented controls and pills
        yield from (str(option.content) for option in group.proto.options)
    for tab in at.tabs:
        yield str(tab.label)
    for expander in at.expander:
        yield str(expander.label)


def table_problems(at: AppTest, *, skip: int = 0) -> Iterator[str]:
    """Raw keys as headers, and missing or ISO cells, in the columns each table shows.

    A header is its column configuration's label when it has one; a time column reads well
    when configured as a datetime with a display format; an empty cell when the table sets a
    placeholder for it (Streamlit shows "None" otherwise).
    """
    for frame in list(at.dataframe)[skip:]:
        table: pd.DataFrame = frame.value
        config: dict[str, dict[str, Any]] = json.loads(frame.proto.columns or "{}")
        order = list(frame.proto.column_order) or [str(c) for c in table.columns]
        for column in order:
            settings = config.get(column, {})
            if column not in table or settings.get("hidden"):
                continue
            header = settings.get("label") or column
            if SNAKE_CASE.fullmatch(header):
                yield f"raw header {header!r}"
            timed = settings.get("type_config", {}).get("type") in ("datetime", "date") and settings["type_config"].get(
                "format"
            )
            options = settings.get("type_config", {}).get("options") or []
            shown_as = {o["value"]: o["label"] for o in options if isinstance(o, dict) and o.get("label")}
            for cell in (shown_as.get(v, v) if isinstance(v, str) else v for v in table[column].head(50)):
                if isinstance(cell, list | tuple | np.ndarray) and set(map(str, cell)) & STORED_CODES:
                    yield f"stored code in the list {list(cell)!r} in {header!r}"
                    break
                if cell is None or (not isinstance(cell, list | tuple | np.ndarray) and pd.isna(cell)):
                    if not frame.proto.placeholder:
                        yield f"empty cell shown as None in {header!r}"
                        break
                elif isinstance(cell, str) and (
                    NONE_WORD.fullmatch(cell)
                    or ISO_TIME.search(cell)
                    or (
                        header not in QUOTED_COLUMNS
                        and not (header == "Source" and cell in SOURCE_NAMES)
                        and (
                            set(cell.split(", ")) <= STORED_CODES  # "transient", "de, en, fr"
                            or RAW_KEY.fullmatch(cell)
                            or any(SNAKE_CASE.fullmatch(part) for part in re.split(r"; |: |, ", cell))  # "fields: a_b"
                        )
                    )
                ):
                    yield f"cell {cell!r} in {header!r}"
                    break
                elif isinstance(cell, datetime | pd.Timestamp) and not timed:
                    yield f"machine timestamp in {header!r}"
                    break


def surface_problems(at: AppTest, *, skip_tables: int = 0) -> list[str]:
    found = [f"exception: {e.value}" for e in at.exception]
    for text in texts(at):
        for pattern, what in ((NONE_WORD, "None"), (SNAKE_CASE, "raw name"), (ISO_TIME, "ISO time")):
            match = pattern.search(text.replace("`", ""))
            if match and not _allowed(match.group(0), text):
                found.append(f"{what} {match.group(0)!r} in {text[:120]!r}")
    found.extend(f"stored code {code!r} in {text[:120]!r}" for text, code in stored_codes(at))
    found.extend(table_problems(at, skip=skip_tables))
    return found


def stored_codes(at: AppTest) -> Iterator[tuple[str, str]]:
    """Metric values, options and parts of a line ("@ana · x · en") that are a stored code."""
    shown = [str(metric.value) for metric in at.metric]
    for choice_kind in ("selectbox", "multiselect", "radio"):
        shown += [str(option) for choice in getattr(at, choice_kind) for option in choice.options]
    shown += [str(option.content) for group in at.get("button_group") for option in group.proto.options]
    for kind in ("markdown", "caption", "success", "info", "warning", "error"):
        shown += [str(element.value) for element in getattr(at, kind)]
    for text in shown:
        for badge in re.findall(r":[a-z]+-badge\[([^\]]*)\]", text):  # ":violet-badge[vip]"
            if badge in STORED_CODES:
                yield text, badge
        for part in re.split(r" · |\n|, |: | \| ", text):
            word = part.strip(" *`_()[]:.")
            if word in STORED_CODES and word not in SOURCE_NAMES:
                yield text, word


def _allowed(word: str, text: str) -> bool:
    """Words that look raw but are what a user types: command lines, environment variables, paths,
    secrets' keys."""
    markers = (f"{word}(", f"--{word}", f"{word}.", f"/{word}", f"{word}/", f"{word} of", f"{word} in .streamlit")
    return any(marker in text for marker in markers)


@pytest.mark.parametrize(("page", "params"), PAGES, ids=[f"{p}{q}" for p, q in PAGES])
def test_no_page_shows_none_raw_names_iso_times_or_stored_codes(
    app: AppTest, busy_workspace: Store, page: str, params: dict[str, str]
) -> None:
    at = app.run().switch_page(page)
    for key, value in params.items():
        at.query_params[key] = str(_item_id(busy_workspace, value[1:])) if value.startswith("@") else value
    at.run()

    if "item" in params:
        assert at.tabs, "the item's workspace is open, with its tabs"
    problems = surface_problems(at)
    assert not problems, "\n".join(problems)


def _item_id(store: Store, ref: str) -> int:
    """An item by its external id, or the survey item whose recovery was recorded as `ref`."""
    column = items.c.recovery_outcome if ref in set(RecoveryOutcome) else items.c.external_id
    with store.read() as connection:
        return connection.execute(sa.select(sa.func.min(items.c.id)).where(column == ref)).scalar_one()


@pytest.mark.parametrize("source", ["x-mentions", "blog", "reviews", "forum", "x-brand"])
def test_each_troubled_sources_card_reads_in_words(app: AppTest, busy_workspace: Store, source: str) -> None:
    at = app.run().switch_page("pages/sources.py").run()
    at.selectbox(key="sources.details").select(source).run()

    assert any(metric.label == "Error kind" for metric in at.metric)
    problems = surface_problems(at)
    assert not problems, "\n".join(problems)


def test_an_erasure_preview_reads_in_words(app: AppTest, busy_workspace: Store) -> None:
    at = app.run().switch_page("pages/privacy.py").run()
    at.text_input(key="privacy.who").input("@angry1").run()
    next(button for button in at.button if button.label == "Preview").click().run()

    assert len(at.dataframe) >= 2  # what goes, and sample items
    problems = surface_problems(at)
    assert not problems, "\n".join(problems)


def test_an_uploaded_export_previews_in_words(app: AppTest, busy_workspace: Store) -> None:
    app.query_params["section"] = "Import"
    at = app.run().switch_page("pages/surveys.py").run()
    at.file_uploader(key="survey_upload").set_value(("pulse.csv", unhappy_export(datetime.now(UTC)), "text/csv")).run()

    assert len(at.dataframe) >= 2  # the file as it is (its own words, shown verbatim), and how it will be read
    problems = surface_problems(at, skip_tables=1)
    assert not problems, "\n".join(problems)


def test_open_alerts_show_their_total_and_page_through_it(app: AppTest, busy_workspace: Store) -> None:
    total = count_alerts(busy_workspace, open_only=True)  # ours and the survey's recovery alerts
    assert total > 20
    at = app.run().switch_page("pages/alerts.py").run()

    assert f"Showing 1–10 of {total} open alerts" in [c.value for c in at.caption]
    first = [b.key for b in at.button if (b.key or "").startswith("alerts.ack.")]
    assert len(first) == 10
    pages = -(-total // 10)
    at.get("pagination")[0].set_value(pages).run()
    last = [b.key for b in at.button if (b.key or "").startswith("alerts.ack.")]
    assert len(last) == total - (pages - 1) * 10 and not set(first) & set(last)
    assert f"Showing {(pages - 1) * 10 + 1}–{total} of {total} open alerts" in [c.value for c in at.caption]


def test_an_alert_about_an_old_post_waits_since_the_post(app: AppTest, busy_workspace: Store) -> None:
    at = app.run().switch_page("pages/alerts.py")
    at.query_params["alerts_page"] = "3"  # the oldest alerts: ours, raised minutes ago about a 30-hour-old post
    at.run()

    waiting = [m.value for m in at.markdown if "Urgent words from" in m.value]
    assert waiting and all("waiting 1 d 6 h" in line for line in waiting), waiting


def test_theme_proposals_page_and_merge_into_starts_empty(app: AppTest, busy_workspace: Store) -> None:
    app.query_params["section"] = "Proposals"
    at = app.run().switch_page("pages/themes.py").run()

    cards = [b for b in at.button if (b.key or "").startswith("merge-")]
    assert 0 < len(cards) <= 5
    assert all(box.value is None for box in at.selectbox if (box.key or "").startswith("target-"))
    assert all(b.disabled for b in cards)  # nothing to merge into until a theme is chosen


def test_the_busy_surveys_page_stays_short(app: AppTest, busy_workspace: Store) -> None:
    app.query_params["section"] = "Recovery"
    at = app.run().switch_page("pages/surveys.py").run()

    cards = [b for b in at.button if b.label == "Recovered"]
    assert 0 < len(cards) <= 5
