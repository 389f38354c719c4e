"""A finished surface: every page but the Inbox and Trends (rebuilt elsewhere), rendered over a
workspace with alerts, survey recoveries, theme proposals and audit entries, shows no "None", no
raw field name and no ISO timestamp anywhere a user reads: text, labels, options, table headers
and table cells. Long lists page instead of growing the page.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.actors import admin
from voc.alerts.service import count_alerts, raise_alert
from voc.store.facade import Store
from voc.store.schema import items, theme_proposals
from voc.surveys.importer import import_path, import_survey

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "surveys"
PAGES = (
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
ALERTS = 25
PROPOSALS = 14
UNHAPPY = 12


@pytest.fixture
def busy_workspace(store_with_items: Store) -> Store:
    """Alerts about a day-old post, very unhappy survey respondents, open proposals."""
    now = datetime.now(UTC)
    with store_with_items.read() as connection:
        day_old = connection.execute(sa.select(items.c.id).where(items.c.external_id == "neg-30")).scalar_one()
    for n in range(ALERTS):
        raise_alert(
            store_with_items,
            rule="urgent_words",
            dedupe_key=f"surface-{n}",
            title=f"Urgent words from @angry30 ({n})",
            details={},
            now=now - timedelta(minutes=n),
            item_id=day_old,  # the mention posted 30 hours ago
        )
    import_path(store_with_items, FIXTURES / "google_forms_store_visit.csv", survey="Store visit", actor=admin("lead"))
    import_survey(store_with_items, io.BytesIO(unhappy_export(now)), "pulse.csv", survey="Pulse", actor=admin("lead"))
    with store_with_items.write() as connection:
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
    return store_with_items


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
            for cell in table[column].head(50):
                if cell is None or (not isinstance(cell, list | tuple) and pd.isna(cell)):
                    if not frame.proto.placeholder:
                        yield f"empty cell shown as None in {header!r}"
                        break
                elif isinstance(cell, str) and (
                    NONE_WORD.fullmatch(cell)
                    or ISO_TIME.search(cell)
                    or (RAW_KEY.fullmatch(cell) and header != "File")  # a file's name is the user's own
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
    found.extend(table_problems(at, skip=skip_tables))
    return found


def _allowed(word: str, text: str) -> bool:
    """Words that look raw but are what a user types: command lines, environment variables, paths."""
    markers = (f"{word}(", f"--{word}", f"{word}.", f"/{word}", f"{word}/", f"{word} of")
    return any(marker in text for marker in markers)


@pytest.mark.parametrize(("page", "params"), PAGES, ids=[f"{p}{q}" for p, q in PAGES])
def test_no_page_shows_none_raw_names_or_iso_times(
    app: AppTest, busy_workspace: Store, page: str, params: dict[str, str]
) -> None:
    at = app.run().switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()

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
