"""Hostile customer text is shown literally on every page that shows it, never as Markdown.

Items, authors, notes, tags, a survey export (answers, response ids, the survey's name), an alert
title, a theme, a proposal and a failing source all quote Markdown images, links, HTML and LaTeX
pointing at another host (`tests/hostile_text.py`). Each page is run, and every text element that
Streamlit renders as Markdown (markdown, captions, the alert boxes, headers, expander labels,
toasts, metrics) is rendered here with a CommonMark parser: no image, link or HTML may come out,
and the hostile texts must read as they were typed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from tests import hostile_text
from tests.app.conftest import ROOT
from ui import inert
from voc.store.facade import Store

ATTACKER = "http://127.0.0.2:9"
PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
MARKDOWN_ELEMENTS = ("markdown", "caption", "error", "warning", "info", "success", "title", "header", "subheader")


@pytest.fixture
def hostile_store(empty_store: Store) -> dict[str, str]:
    return hostile_text.fill(empty_store, ATTACKER)


def markdown_shown(at: AppTest) -> Iterator[str]:
    """Every Markdown source the page handed to Streamlit, wherever it renders Markdown."""
    for kind in MARKDOWN_ELEMENTS:
        for element in at.get(kind):
            yield str(element.value)
    for expander in at.expander:
        yield str(expander.label)
    for toast in at.toast:
        yield str(toast.value)
    for metric in at.metric:
        yield str(metric.label)
        yield str(metric.value)


def rendered_text(source: str) -> str:
    rendered = PARSER.render(source)
    shown = html.unescape(re.sub(r"<[^>]+>", " ", rendered)).replace(inert.JOINER, "")  # invisible
    return " ".join(shown.split())


def assert_inert(at: AppTest) -> str:
    """No element makes an image, a link or HTML out of what it shows; returns all the text read."""
    assert not at.exception, at.exception
    read = []
    for source in markdown_shown(at):
        rendered = PARSER.render(source)
        assert not re.search(r"<(img|a|script|iframe)\b", rendered), source
        assert "127.0.0.2" not in re.sub(r">[^<]*<", "><", rendered), source  # in no attribute, only as text
        read.append(rendered_text(source))
    return "\n".join(read)


def run_page(app: AppTest, page: str, **params: str) -> AppTest:
    at = app.run()
    for key, value in params.items():
        at.query_params[key] = value
    return at.switch_page(page).run()


def test_the_inbox_shows_hostile_texts_authors_notes_and_tags_literally(
    app: AppTest, hostile_store: dict[str, str]
) -> None:
    at = run_page(app, "pages/inbox.py")
    read = assert_inert(at)
    # The queue quotes each text with the negative words highlighted; the rest reads as typed.
    for fragment in (
        f"![pixel]({ATTACKER}/pixel.png)",
        f'<img src="{ATTACKER}/img.png"> <script src="{ATTACKER}/x.js"></script>',
        f"[click here]({ATTACKER}/click) [js](javascript:alert(1))",
        f"<{ATTACKER}/autolink> bare {ATTACKER}/bare www.example.com",
        "`code` ``more`` $\\href{http://x}{LaTeX}$ :red[red] <!-- comment -->",
    ):
        assert fragment in read, fragment
    assert hostile_store["author"] in read  # the author line reads as typed

    at.query_params["item"] = hostile_store["noted_item"]
    at.run()
    read = assert_inert(at)
    assert not any(str(b.url).startswith("javascript:") for b in at.get("link_button"))
    tables = [table.value.to_string() for table in at.table]
    assert any("Called back" in table for table in tables), tables
    assert not any("![note](http" in table for table in tables)  # escaped for st.table's Markdown
    # Its conversation quotes the other hostile posts, as typed.
    assert "The post it answers" in read and "Earlier in this thread (3, oldest first)" in read
    assert f'<img src="{ATTACKER}/img.png">' in read and f"<{ATTACKER}/autolink>" in read


def test_the_recovery_card_shows_the_response_id_survey_and_comment_literally(
    app: AppTest, hostile_store: dict[str, str]
) -> None:
    at = run_page(app, "pages/surveys.py", section="Recovery")
    read = assert_inert(at)
    assert f"{hostile_store['survey']} · response {hostile_store['response_id']}0 · due" in read
    assert f"Awful outage, terrible service ![pixel]({ATTACKER}/pixel.png)" in read


def test_the_scores_view_and_import_log_show_survey_text_literally(app: AppTest, hostile_store: dict[str, str]) -> None:
    at = run_page(app, "pages/surveys.py", section="Scores")
    assert_inert(at)
    comments = "\n".join(frame.value.to_string() for frame in at.dataframe)
    assert "![pixel]" in comments  # dataframe cells are plain text, shown as typed


def test_proposals_and_a_theme_show_their_names_and_examples_literally(
    app: AppTest, hostile_store: dict[str, str]
) -> None:
    at = run_page(app, "pages/themes.py", section="Proposals")
    read = assert_inert(at)
    assert f"Emerging theme: “outage ![p]({ATTACKER}/proposal.png), network”" in read
    assert f"Keywords: outage, ![k]({ATTACKER}/keyword.png)" in read
    assert f"Awful outage, terrible service ![pixel]({ATTACKER}/pixel.png)" in read

    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)  # no section chosen before
    at = run_page(fresh, "pages/themes.py", theme=hostile_store["theme"])  # the URL carries the label
    read = assert_inert(at)
    assert hostile_store["theme"] in read  # the theme's heading


def test_an_alert_title_naming_a_hostile_author_is_shown_literally(app: AppTest, hostile_store: dict[str, str]) -> None:
    at = run_page(app, "pages/alerts.py")
    read = assert_inert(at)
    assert f"Urgent words from {hostile_store['author']}: refund" in read


def test_a_source_whose_server_quotes_hostile_text_is_shown_literally(
    app: AppTest, hostile_store: dict[str, str]
) -> None:
    at = run_page(app, "pages/sources.py")
    read = assert_inert(at)
    assert f"![err]({ATTACKER}/error.png) <b>bad</b> query" in read
    assert hostile_store["source"] in read
