"""Customer text escaped for Markdown reads exactly as typed and makes no link, image or HTML.

The escaped text is rendered by a real CommonMark parser (markdown-it-py, which Streamlit's
`rich` dependency brings) with tables and strikethrough on, as GitHub-flavoured Markdown has
them; the browser test (tests/e2e/test_inert_text.py) covers Streamlit's own renderer.
"""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from ui import inert
from voc.alerts.channels import AlertMessage, Channel, ChannelKind, email_message, slack_payload, teams_payload

HOSTILE = [
    "![x](http://127.0.0.2:9/pixel.png)",
    "<img src=http://127.0.0.2:9/pixel.png onerror=alert(1)>",
    "[click](javascript:alert(document.cookie))",
    "[click][ref]\n\n[ref]: http://127.0.0.2:9/",
    "response `r1` and ``double``",
    "$\\LaTeX$ and $$x^2$$",
    "<!-- hidden --> shown",
    "<http://127.0.0.2:9/autolink> <mail@example.com>",
    "bare http://127.0.0.2:9/x and www.example.com",
    "**bold** _it_ ~~gone~~ | a | b |",
    "# heading\n- list\n1. ordered\n> quote",
    "&amp; &lt;script&gt; &#x41;",
    ":red[coloured] :material/home: :smile:",
    "back\\slash \\*not escaped\\*",
    "<script>alert(1)</script>",
    '<a href="http://127.0.0.2:9/">x</a>',
    "title\n===\n2026) still text\n+ plus\n---",
    "    indented code\n\n\tand a tab",
    "[^1] footnote\n\n[^1]: http://127.0.0.2:9/",
]
PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def text_of(rendered: str) -> str:
    """The text a reader sees in rendered HTML (tags dropped, entities decoded, spaces collapsed)."""
    shown = html.unescape(re.sub(r"<[^>]+>", " ", rendered)).replace(inert.JOINER, "")  # invisible
    return " ".join(shown.split())


@pytest.mark.parametrize("hostile", HOSTILE)
def test_escaped_text_renders_as_the_same_text_without_markup(hostile: str) -> None:
    rendered = PARSER.render(inert.escape(hostile))
    assert not re.search(r"<(a|img|script|code|em|strong|s|table|h\d|li|blockquote)\b", rendered), rendered
    assert "<!--" not in rendered
    assert rendered.startswith("<p>") and rendered.count("<p>") == 1  # one paragraph: no block was opened
    assert text_of(rendered) == " ".join(hostile.split())


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_quoted_text_keeps_its_lines_and_makes_no_markup(hostile: str) -> None:
    rendered = PARSER.render(inert.quote(hostile))
    inside = rendered.removeprefix("<blockquote>\n").removesuffix("</blockquote>\n")
    assert rendered.startswith("<blockquote>") and "<blockquote>" not in inside
    assert not re.search(r"<(a|img|script|code|em|strong|s|table|h\d|li)\b", inside), rendered
    assert text_of(rendered) == " ".join(hostile.split())
    # Each non-empty line of the text is its own line when shown.
    lines = [line for line in hostile.splitlines() if line.strip()]
    assert rendered.count("<br />") + rendered.count("<p>") == len(lines)


@pytest.mark.parametrize(
    "ordinary",
    [
        "Urgent words from @dan: refund",
        "crm-hook",
        "Order 12-345 arrived late. Why?",
        "NPS 3 · de",
        "50% off, (really)",
    ],
)
def test_an_ordinary_sentence_is_left_as_typed(ordinary: str) -> None:
    """Only what would act is escaped: the Markdown of a plain sentence is the sentence."""
    assert inert.escape(ordinary) == ordinary


def test_bare_links_directives_and_shortcodes_get_an_invisible_joiner() -> None:
    """Streamlit's renderer finds these in the text after escapes are read: a word joiner breaks them."""
    escaped = inert.escape("http://x.test www.x.test jo@x.test :red[hi] :material/home: :smile: Re:Refund 10:30")
    joiner = inert.JOINER
    assert f"http{joiner}://x.test www{joiner}.x.test jo{joiner}@x.test" in escaped
    assert f":{joiner}red\\[hi\\] :{joiner}material/home: :{joiner}smile: Re:{joiner}Refund 10:30" in escaped
    assert escaped.replace(joiner, "").replace("\\", "") == (
        "http://x.test www.x.test jo@x.test :red[hi] :material/home: :smile: Re:Refund 10:30"
    )


def test_a_quote_is_cut_at_the_limit_with_an_ellipsis() -> None:
    rendered = PARSER.render(inert.quote("x" * 700, limit=600))
    assert text_of(rendered) == "x" * 599 + "…"


def test_a_one_line_escape_joins_lines_and_cuts_at_the_limit() -> None:
    assert inert.escape("a\n\n  b\tc") == "a b c"
    assert inert.escape("abcdef", limit=4) == "abc…"
    assert inert.escape(None) == "None" and inert.escape(12) == "12"


def test_a_response_id_with_backticks_leaves_a_cards_header_whole() -> None:
    header = f"**Survey** · response {inert.escape('r`1`` x')} · due 06 Dec 10:00"
    rendered = PARSER.render(header)
    assert "<code>" not in rendered and text_of(rendered) == "Survey · response r`1`` x · due 06 Dec 10:00"
    assert "<strong>Survey</strong>" in rendered


def test_table_frames_escape_texts_headers_and_index_and_keep_numbers() -> None:
    frame = pd.DataFrame(
        {"note": ["![x](http://127.0.0.2:9/p.png)", None], "count": [3, 4]},
        index=pd.Index(["<b>team</b>", "ok"], name="Team"),
    )
    shown = inert.escape_frame(frame)
    assert shown["note"].tolist()[0] == inert.escape("![x](http://127.0.0.2:9/p.png)")
    assert pd.isna(shown["note"].tolist()[1]) and shown["count"].tolist() == [3, 4]
    assert shown.index.tolist() == [inert.escape("<b>team</b>"), "ok"] and shown.index.name == "Team"
    assert frame["note"].tolist()[0] == "![x](http://127.0.0.2:9/p.png)"  # the (cached) original is untouched
    both = inert.escape_frame(frame.reset_index().set_index(["Team", "note"]))
    assert both.index.tolist()[0] == (inert.escape("<b>team</b>"), inert.escape("![x](http://127.0.0.2:9/p.png)"))


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://x.com/a/status/1", True),
        ("http://example.com/feed?item=2", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("//127.0.0.2/x", False),
        ("https://ok.example/ x onmouseover=1", False),
        ("", False),
        (None, False),
    ],
)
def test_only_web_links_are_kept(url: str | None, kept: bool) -> None:
    assert inert.web_link(url) == (url if kept else None)
    frame = pd.DataFrame({"link": [url, "https://x.com/b/status/2"]})
    first, second = inert.web_links(frame)["link"].tolist()
    assert (first == url if kept else pd.isna(first)) and second == "https://x.com/b/status/2"


def test_a_frame_with_only_web_links_is_returned_as_is() -> None:
    frame = pd.DataFrame({"link": ["https://x.com/a/status/1", None]})
    assert inert.web_links(frame) is frame


# ---- alert channels -------------------------------------------------------------------------


HOSTILE_ALERT = AlertMessage(
    alert_id=7,
    rule="urgent_words",
    title="Urgent words from <!channel> @attacker [click](http://127.0.0.2:9/)",
    text="refund now <http://127.0.0.2:9/pixel.png|totally safe> & ![x](http://127.0.0.2:9/p.png)",
    reasons=("urgent: refund",),
    link="javascript:alert(1)",
    app_link="http://localhost:8501/inbox?item=7",
)


def test_slack_messages_escape_customer_text_and_do_not_unfurl() -> None:
    payload = slack_payload(HOSTILE_ALERT)
    section = payload["blocks"][0]["text"]["text"]
    assert "<!channel>" not in section and "&lt;!channel&gt;" in section
    assert "<http://127.0.0.2" not in section and "&lt;http://127.0.0.2:9/pixel.png|totally safe&gt; &amp;" in section
    assert "<!channel>" not in payload["text"]
    assert payload["unfurl_links"] is False and payload["unfurl_media"] is False
    links = payload["blocks"][1]["elements"][0]["text"]
    assert links == "<http://localhost:8501/inbox?item=7|Open in the app>"  # the javascript: link is left out


def test_teams_cards_carry_customer_text_in_text_runs_never_markdown() -> None:
    card = teams_payload(HOSTILE_ALERT)["attachments"][0]["content"]
    assert all(block["type"] == "RichTextBlock" for block in card["body"])
    runs = [run["text"] for block in card["body"] for run in block["inlines"]]
    assert runs[0] == HOSTILE_ALERT.title and runs[1] == HOSTILE_ALERT.text
    assert [action["url"] for action in card["actions"]] == ["http://localhost:8501/inbox?item=7"]


def test_an_email_subject_with_a_line_break_stays_one_header() -> None:
    channel = Channel(name="mail", kind=ChannelKind.EMAIL, smtp_host="localhost", mail_from="a@b.c", mail_to=("c@d.e",))
    message = AlertMessage(alert_id=1, rule="x", title="Refund\nBcc: victim@example.com", text="<b>hi</b>")
    mail = email_message(channel, message)
    assert mail["Subject"] == "Refund Bcc: victim@example.com" and mail["Bcc"] is None
    assert mail.get_content_type() == "text/plain" and "<b>hi</b>" in mail.get_content()
