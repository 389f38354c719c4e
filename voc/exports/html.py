"""The one-page HTML summary that is e-mailed: headline figures, what changed, two charts, themes.

E-mail clients run no JavaScript and Outlook ignores most CSS, so the charts are tables whose
cells are the bars (widths in percent, colours as `bgcolor`), styles are inline, and the page
is one self-contained file. Everything customers wrote is HTML-escaped.
Domain module: no Streamlit.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Final

from voc.exports.comparison import HEADLINE, comparison_rows
from voc.exports.summary import ExportSummary, ThemeLine
from voc.exports.writers import summary_facts
from voc.naming import languages_name

COLOURS: Final = {
    "negative": "#C0392B",
    "neutral": "#95A5A6",
    "positive": "#27AE60",
    "now": "#1F4E79",
    "before": "#A9C4DE",
}
CHART_THEMES: Final = 10
FONT: Final = "font-family:Segoe UI,Helvetica,Arial,sans-serif;"


def _bar(width: float, colour: str, title: str) -> str:
    if width <= 0:
        return ""
    return f'<td width="{width:.1f}%" bgcolor="{colour}" style="background:{colour};height:12px;font-size:1px" title="{escape(title)}">&nbsp;</td>'


def _volume_chart(lines: list[ThemeLine]) -> str:
    peak = max([max(line.mix.items, line.previous) for line in lines] + [1])
    rows = []
    for line in lines:
        bars = ""
        for value, colour, label in (
            (line.mix.items, COLOURS["now"], "this period"),
            (line.previous, COLOURS["before"], "previous"),
        ):
            share = 100.0 * value / peak
            bars += (f'<table width="100%" cellpadding="0" cellspacing="0" style="margin:1px 0"><tr>{_bar(share, colour, f"{value} {label}")}'
                     f'<td style="font-size:11px;padding-left:4px;{FONT}">{value}</td></tr></table>')  # fmt: skip
        rows.append(
            f'<tr><td style="font-size:13px;padding:2px 8px 2px 0;white-space:nowrap;{FONT}">{escape(line.name)}</td><td width="70%">{bars}</td></tr>'
        )
    legend = (f'<p style="font-size:11px;color:#555;{FONT}"><span style="color:{COLOURS["now"]}">■</span> this period '
              f'<span style="color:{COLOURS["before"]}">■</span> previous period</p>')  # fmt: skip
    return f'<table width="100%" cellpadding="0" cellspacing="0">{"".join(rows)}</table>{legend}'


def _sentiment_chart(lines: list[ThemeLine]) -> str:
    rows = []
    for line in lines:
        mix = line.mix
        cells = "".join(
            _bar(100.0 * n / mix.items, COLOURS[name], f"{n} {name}")
            for name, n in (("negative", mix.negative), ("neutral", mix.neutral), ("positive", mix.positive))
        )
        rows.append(f'<tr><td style="font-size:13px;padding:2px 8px 2px 0;white-space:nowrap;{FONT}">{escape(line.name)}</td>'
                    f'<td width="70%"><table width="100%" cellpadding="0" cellspacing="0"><tr>{cells}</tr></table></td></tr>')  # fmt: skip
    legend = " ".join(f'<span style="color:{COLOURS[n]}">■</span> {n}' for n in ("negative", "neutral", "positive"))
    return f'<table width="100%" cellpadding="0" cellspacing="0">{"".join(rows)}</table><p style="font-size:11px;color:#555;{FONT}">{legend}</p>'


def _fmt(value: float | None, pattern: str) -> str:
    return "–" if value is None else format(value, pattern)


def _cell(value: object) -> str:
    return (
        "–"
        if value is None
        else escape(f"{value:+g}" if isinstance(value, int | float) and not isinstance(value, bool) else str(value))
    )


def _comparison(summary: ExportSummary) -> str:
    """This period against the previous one: headline figures, then the themes that moved most."""
    previous = summary.previous_period
    head = "".join(f'<th align="{a}" style="padding:4px;border-bottom:2px solid #1F4E79;{FONT}">{h}</th>'
                   for h, a in (("", "left"), ("This period", "right"), (f"{previous.first} to {previous.last}", "right"), ("Change", "right")))  # fmt: skip
    body, section = [], HEADLINE
    for kind, _, label, now, before, change in comparison_rows(summary):
        if kind != section:
            section = kind
            body.append(
                f'<tr><td colspan="4" style="padding:8px 4px 2px 4px;font-weight:bold;{FONT}">Themes that moved most</td></tr>'
            )
        plain = "".join(
            f'<td align="right" style="padding:4px;border-bottom:1px solid #ddd;font-size:13px;{FONT}">{escape("–" if v is None else str(v))}</td>'
            for v in (now, before)
        )
        body.append(f'<tr><td style="padding:4px;border-bottom:1px solid #ddd;font-size:13px;{FONT}">{escape(label)}</td>{plain}'
                    f'<td align="right" style="padding:4px;border-bottom:1px solid #ddd;font-size:13px;{FONT}">{_cell(change)}</td></tr>')  # fmt: skip
    return (f'<h2 style="font-size:16px;{FONT}">Against the previous period</h2>'
            f'<table width="100%" cellpadding="0" cellspacing="0"><tr>{head}</tr>{"".join(body)}</table>')  # fmt: skip


def render_html(summary: ExportSummary) -> str:
    """The summary as one self-contained HTML page."""
    title = f"Customer voice: {summary.period.label}"
    facts = "".join(
        f'<tr><td style="padding:2px 12px 2px 0;color:#555;{FONT}">{escape(label)}</td><td style="{FONT}"><b>{escape("–" if value is None else str(value))}</b></td></tr>'
        for label, value in summary_facts(summary)
    )
    changes = "".join(f'<li style="margin:2px 0">{escape(sentence)}</li>' for sentence in summary.changes)
    charted = [line for line in summary.themes if not line.parent and (line.mix.items or line.previous)][:CHART_THEMES]
    charts = ""
    if charted:
        charts = (f'<h2 style="font-size:16px;{FONT}">Volume by theme</h2>{_volume_chart(charted)}'
                  f'<h2 style="font-size:16px;{FONT}">Sentiment by theme</h2>{_sentiment_chart([c for c in charted if c.mix.items])}')  # fmt: skip
    head = "".join(f'<th align="left" style="padding:4px;border-bottom:2px solid #1F4E79;{FONT}">{h}</th>'
                   for h in ("Theme", "Owner", "Items", "Change", "Negative", "NPS", "CSAT", "Example"))  # fmt: skip
    body = []
    for line in summary.themes:
        if not line.mix.items and not line.previous:
            continue
        name = f"{escape(line.parent)} › {escape(line.name)}" if line.parent else f"<b>{escape(line.name)}</b>"
        example = escape(line.examples[0]) if line.examples else ""
        cells = (f"{name}<br><span style='color:#888;font-size:11px'>{escape(line.theme_id)}</span>", escape(line.owner),
                 str(line.mix.items), _fmt(line.change, "+.0%") if line.previous else "new",
                 _fmt(line.mix.negative_share, ".0%"), _fmt(line.mix.nps, "+.0f"), _fmt(line.mix.csat, ".2f"),
                 f"<i style='color:#444'>{example}</i>")  # fmt: skip
        body.append(
            "<tr>"
            + "".join(
                f'<td valign="top" style="padding:4px;border-bottom:1px solid #ddd;font-size:13px;{FONT}">{c}</td>'
                for c in cells
            )
            + "</tr>"
        )
    table = (f'<table width="100%" cellpadding="0" cellspacing="0"><tr>{head}</tr>{"".join(body)}</table>' if body
             else f'<p style="{FONT}">No themed items in this period.</p>')  # fmt: skip
    emerging = ""
    if summary.emerging:
        items = "".join(
            f"<li>{escape(e.label)} ({e.size} items, {escape(languages_name(e.language))})</li>"
            for e in summary.emerging
        )
        emerging = f'<h2 style="font-size:16px;{FONT}">Emerging themes</h2><ul style="{FONT}">{items}</ul>'
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{escape(title)}</title></head>
<body style="margin:0;padding:16px;background:#ffffff;color:#222;{FONT}">
<table width="100%" cellpadding="0" cellspacing="0" style="max-width:760px"><tr><td>
<h1 style="font-size:20px;margin:0 0 8px 0;{FONT}">{escape(title)}</h1>
<table cellpadding="0" cellspacing="0" style="font-size:13px">{facts}</table>
<h2 style="font-size:16px;{FONT}">What changed</h2><ul style="font-size:14px;{FONT}">{changes}</ul>
{_comparison(summary)}
{charts}
<h2 style="font-size:16px;{FONT}">Themes</h2>{table}
{emerging}
<p style="font-size:11px;color:#888;{FONT}">Taxonomy version {summary.taxonomy_version}. Theme ids are stable: an id merged into another theme resolves to it. Customer text is redacted.</p>
</td></tr></table></body></html>
"""


def write_html(path: Path, summary: ExportSummary) -> None:
    path.write_text(render_html(summary), encoding="utf-8")
