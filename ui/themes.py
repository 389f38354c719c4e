"""The Themes page's parts: coverage and per-theme trends, proposals to promote / merge / dismiss,
and the taxonomy editor (rename, owner, rules, examples, merge, split, move, archive) with its
version history and re-assignment progress. The domain work is in `voc.themes`; this module reads
widgets, calls it, and renders.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import altair as alt
import pandas as pd
import streamlit as st

from ui import charts, data, inert, widgets
from voc.access.roles import AccessDenied, Permission
from voc.themes import reports, service
from voc.themes import repository as repo
from voc.themes.reports import Coverage
from voc.themes.rules import ANY_LANGUAGE, LanguageRule
from voc.themes.service import ThemeEditError
from voc.themes.starter import starter_sets
from voc.themes.taxonomy import UNTHEMED, Example, Taxonomy
from voc.trends import queries as trends
from voc.trends.queries import TrendFilters

SECTIONS: Final = ("Overview", "Proposals", "Taxonomy")
RULE_LANGUAGES: Final = (ANY_LANGUAGE, "en", "es", "fr", "de", "pt", "it", "nl")
TOP_LEVEL: Final = "(top level)"
VERSION_COLUMNS: Final = {
    "version": "Version", "at": "When", "actor": "Who", "action": "Change", "theme_id": "Theme", "details": "Details",
}  # fmt: skip
PROPOSALS_PER_PAGE: Final = 5


def rule_language_name(code: str) -> str:
    """A rule's language as its picker names it: "Any language" (stored "*"), "French"."""
    return "Any language" if code == ANY_LANGUAGE else widgets.language_name(code)


# ---- cached reads -----------------------------------------------------------------------------


def _url() -> str:
    return data.settings().database_url


@st.cache_data(ttl="30s", show_spinner=False)
def _taxonomy(url: str) -> Taxonomy:
    store = data.store()
    repo.ensure_starter(store, data.utcnow())
    return repo.load_taxonomy(store)


def taxonomy() -> Taxonomy:
    """The stored taxonomy (version 0 and no themes until a starter set is picked)."""
    return _taxonomy(_url())


@st.cache_data(ttl="60s", show_spinner=False)
def _overview(url: str, version: int, start: datetime, end: datetime) -> tuple[Coverage, pd.DataFrame]:
    store = data.store()
    tax = repo.load_taxonomy(store)
    return reports.coverage(store, start, end), reports.theme_summary(store, tax, start, end)


@st.cache_data(ttl="60s", show_spinner=False)
def _detail(url: str, version: int, filters: TrendFilters) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    store = data.store()
    tax = repo.load_taxonomy(store)
    theme = filters.theme or UNTHEMED
    volume = trends.volume_by_sentiment(store, filters)
    scores = (
        reports.theme_series(store, tax, theme, filters.start, filters.end, freq=filters.bucket, tz=filters.tz)
        if theme != UNTHEMED
        else pd.DataFrame()
    )
    return volume, scores, reports.theme_items(store, theme, filters.start, filters.end)


@st.cache_data(ttl="30s", show_spinner=False)
def _proposals(url: str) -> list[dict[str, Any]]:
    store = data.store()
    found = repo.proposals(store)
    ids = sorted({i for p in found for i in p["representative_item_ids"]})
    texts = {i: (store.item(i) or {}).get("text", "") for i in ids}
    return [{**p, "examples": [texts.get(i, "") for i in p["representative_item_ids"]]} for p in found]


def forget() -> None:
    """Drop cached theme reads and the app's other reads (after any write)."""
    _taxonomy.clear()
    _overview.clear()
    _detail.clear()
    _proposals.clear()
    data.forget_reads()


def _act(action: Any, done: str) -> None:
    """Run a write; on success clear caches and toast, on a refused edit show why."""
    try:
        action()
    except (ThemeEditError, AccessDenied) as error:
        st.error(inert.escape(error), icon=":material/error:")
        return
    forget()
    st.session_state[data.FLASH_KEY] = done
    st.rerun()


# ---- starter sets -----------------------------------------------------------------------------


def starter_picker(*, editable: bool, first: bool) -> None:
    """Pick an industry starter set. Nothing is preselected: a set changes how every item is counted,
    so it takes an admin's click (audited, like other settings)."""
    sets = starter_sets()
    chosen = st.selectbox(
        "Starter set" if first else "Add an industry's starter themes",
        list(sets),
        index=None,
        format_func=sets.__getitem__,
        placeholder="Choose your industry",
        key="starter_set",
        disabled=not editable,
        help="Every set holds the root-cause families (training gaps, IVR and routing, workflows and knowledge, "
        "product defects, billing); an industry adds its own topics, in every language the app reads.",
    )
    if st.button("Use this starter set", icon=":material/category:", disabled=not editable or chosen is None):
        _act(
            lambda: service.apply_starter_set(data.store(), str(chosen), actor=data.current_actor(), now=data.utcnow()),
            f"Starter set added: {sets[str(chosen)]}",
        )


# ---- overview ---------------------------------------------------------------------------------


def range_filters(now: datetime) -> TrendFilters:
    """The range and theme pickers of the overview, bound to ?range=&theme=."""
    tax = taxonomy()
    range_col, theme_col = st.columns([1, 2], vertical_alignment="bottom")
    with range_col:
        range_key = st.segmented_control(
            "Range", list(trends.RANGES), default="7d", required=True, key="range", bind="query-params"
        )
    with theme_col:
        theme = widgets.theme_choice([(t.id, tax.label(t.id)) for t in tax.active()])
    return TrendFilters.last(str(range_key or "7d"), now=now, tz=data.viewer_timezone(), theme=theme)


def coverage_metrics(filters: TrendFilters) -> pd.DataFrame:
    """Coverage, unthemed count, taxonomy version and open proposals; returns the theme summary."""
    tax = taxonomy()
    cover, summary = _overview(_url(), tax.version, filters.start, filters.end)
    share = cover.share
    covered, unthemed, version, proposals = st.columns(4)
    covered.metric(
        "Coverage",
        trends.format_share(share),
        border=True,
        help=f"Share of assessed items with at least one theme; mature tools aim for {reports.COVERAGE_TARGET:.0%}",
    )
    unthemed.metric(
        "Unthemed", f"{cover.unthemed:,}", border=True, help=f"{cover.items - cover.assessed} items not assessed yet"
    )
    version.metric("Taxonomy version", tax.version, border=True)
    proposals.metric("Open proposals", len(_proposals(_url())), border=True)
    st.button(
        "Show the unthemed bucket",
        icon=":material/help_center:",
        disabled=filters.theme == UNTHEMED,
        on_click=_show_unthemed,
    )
    return summary


def _show_unthemed() -> None:
    st.session_state["theme"] = UNTHEMED


def summary_table(summary: pd.DataFrame) -> None:
    cc = st.column_config
    shown = summary.drop(columns=["theme_id"])
    # Whole percentages: "70 %", "+1,315 %" read at a glance where "70.32%" did not.
    shown = shown.assign(negative_share=shown["negative_share"] * 100, change=shown["change"] * 100)
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "theme": cc.TextColumn("Theme"),
            "parent": cc.TextColumn("Parent"),
            "owner": cc.TextColumn("Owner"),
            "items": cc.NumberColumn("Items", format="%d"),
            "negative_share": cc.ProgressColumn("Negative", min_value=0.0, max_value=100.0, format="%.0f %%"),
            "nps": cc.NumberColumn("NPS", format="%+.0f"),
            "csat": cc.NumberColumn("CSAT", format="%.1f"),
            "previous": cc.NumberColumn("Previous period", format="%d"),
            "change": cc.NumberColumn(
                "Change",
                format="%+.0f %%",
                help="Against the previous period of the same length; shown from 10 items in it",
            ),
        },
        placeholder=widgets.MISSING,
    )


def theme_detail(filters: TrendFilters) -> None:
    """Volume by sentiment, NPS and CSAT over time, the items, and a CSV export of one theme."""
    tax = taxonomy()
    name = "Unthemed" if filters.theme == UNTHEMED else tax.label(filters.theme or "")
    volume, scores, theme_items = _detail(_url(), tax.version, filters)
    st.subheader(inert.escape(name))
    st.altair_chart(charts.volume_chart(volume, filters.bucket_label, window=filters.local_window), width="stretch")
    if not scores.empty:
        nps_col, csat_col = st.columns(2)
        for column, title, where in (("nps", "NPS", nps_col), ("csat", "CSAT (1–5)", csat_col)):
            points = scores[["bucket", column]].dropna().astype({column: "float64"})
            if points.empty:
                continue
            chart = (
                alt.Chart(points, title=f"{title} per {filters.bucket_label}")
                .mark_line(point=True)
                .encode(
                    x=alt.X(
                        "bucket:T",
                        title=None,
                        scale=alt.Scale(
                            type="utc", domain=[scores["bucket"].min().isoformat(), scores["bucket"].max().isoformat()]
                        ),
                    ),
                    y=alt.Y(f"{column}:Q", title=title),
                    tooltip=[alt.Tooltip("bucket:T", title="When"), alt.Tooltip(f"{column}:Q", title=title)],
                )
            )
            where.altair_chart(chart, width="stretch")
    st.dataframe(
        widgets.with_names(widgets.in_timezone(theme_items, "posted_at", filters.tz)),
        hide_index=True,
        width="stretch",
        column_config={
            "id": st.column_config.NumberColumn("Item", format="%d", width="small"),
            "posted_at": st.column_config.DatetimeColumn("Posted", format="D MMM HH:mm"),
            "text": st.column_config.TextColumn("Text (redacted)", width="large"),
            "language": "Language",
            "channel": "Channel",
            "sentiment_label": "Sentiment",
            "nps": st.column_config.NumberColumn("NPS", format="%d"),
            "csat": st.column_config.NumberColumn("CSAT", format="%d"),
        },
        placeholder=widgets.MISSING,
    )
    if filters.theme and filters.theme != UNTHEMED:
        export = reports.assignments_export(data.store(), tax, filters.start, filters.end, filters.theme)
        st.download_button(
            "Export assignments (CSV)",
            export.to_csv(index=False),
            file_name=f"theme-{filters.theme}-taxonomy-v{tax.version}.csv",
            mime="text/csv",
            icon=":material/download:",
            help=f"Taxonomy version {tax.version}",
        )


# ---- proposals --------------------------------------------------------------------------------


def proposals_section(*, editable: bool) -> None:
    found = _proposals(_url())
    last = dict(data.store().get_setting(service.DISCOVERY_SETTING) or {})
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.caption(
        f"Discovery clusters the last {service.DISCOVERY_DAYS} days' unthemed items"
        + (
            f"; last run {widgets.local_time(last['at'], data.viewer_timezone())} over {last.get('pool', 0):,} items."
            if last.get("at")
            else "."
        )
    )
    if editable and right.button("Run discovery now", icon=":material/travel_explore:"):
        with st.spinner("Clustering the unthemed items…"):
            service.run_discovery(data.store(), data.utcnow(), actor=data.current_actor())
        forget()
        st.rerun()
    emerging = [p for p in found if p["emerging"]]
    for proposal in emerging[:3]:
        st.warning(
            f"Emerging theme: “{inert.escape(proposal['label'])}” — {proposal['size']} items, ×{proposal['growth'] or 0:.1f} in the recent half of the window",
            icon=":material/trending_up:",
        )
    if len(emerging) > 3:
        st.caption(f"{len(emerging) - 3} more emerging proposals are among the cards below.")
    if not found:
        st.info("No open proposals: every recent item has a theme, or the unthemed ones have nothing in common yet.")
    tax = taxonomy()
    if found and not editable:
        widgets.needs_role("the taxonomy (promote, merge or dismiss a proposal)", Permission.EDIT_TAXONOMY)
    for proposal in found[
        widgets.pager(len(found), key="proposals_page", per_page=PROPOSALS_PER_PAGE, noun="proposals")
    ]:
        proposal_card(proposal, tax, editable=editable)


def proposal_card(proposal: dict[str, Any], tax: Taxonomy, *, editable: bool) -> None:
    pid = proposal["id"]
    with st.container(border=True, key=f"proposal-{pid}"):
        mix = proposal["sentiment"]
        st.markdown(
            f"**{inert.escape(proposal['label'])}** · {proposal['size']} items · {inert.escape(widgets.languages_name(proposal['language']))} · growth ×{proposal['growth'] or 0:.1f} · "
            f"{mix.get('negative', 0)} negative / {mix.get('neutral', 0)} neutral / {mix.get('positive', 0)} positive"
        )
        keywords = ", ".join(proposal["keywords"])
        if keywords and keywords != proposal["label"]:  # none, or the label's own words: nothing to add
            st.caption("Keywords: " + inert.escape(keywords))
        for text in proposal["examples"]:
            st.markdown(inert.quote(text))
        if not editable:
            return
        name_col, owner_col, promote_col = st.columns([2, 1.3, 1], vertical_alignment="bottom")
        name = name_col.text_input(
            "Theme name", value=proposal["label"].split(",")[0].strip().capitalize(), key=f"name-{pid}"
        )
        owner = owner_col.text_input("Owner team", key=f"owner-{pid}")
        if promote_col.button("Promote", key=f"promote-{pid}", type="primary", icon=":material/add_task:"):
            _act(
                lambda: service.promote_proposal(
                    data.store(), pid, name=name, owner=owner, actor=data.current_actor(), now=data.utcnow()
                ),
                f"Promoted “{name}”: its items are in the theme now",
            )
        target_col, merge_col, dismiss_col = st.columns([2, 1.3, 1], vertical_alignment="bottom")
        options = {t.id: tax.label(t.id) for t in tax.active()}
        target = target_col.selectbox(  # nothing preselected: merging moves items into a theme for good
            "Merge into",
            list(options),
            index=None,
            placeholder="Choose a theme",
            format_func=options.__getitem__,
            key=f"target-{pid}",
        )
        if merge_col.button("Merge", key=f"merge-{pid}", icon=":material/merge:", disabled=target is None):
            _act(
                lambda: service.merge_proposal(
                    data.store(), pid, str(target), actor=data.current_actor(), now=data.utcnow()
                ),
                f"Merged into {options.get(str(target), target)}",
            )
        if dismiss_col.button("Dismiss", key=f"dismiss-{pid}", icon=":material/close:"):
            _act(
                lambda: service.dismiss_proposal(data.store(), pid, actor=data.current_actor(), now=data.utcnow()),
                "Dismissed",
            )


# ---- taxonomy editor --------------------------------------------------------------------------


def reassignment_progress() -> None:
    job = data.store().latest_job(service.REASSIGN_JOB)
    if job is None:
        return
    total, done = int(job["total"] or 0), int(job["done"] or 0)
    if job["status"] in ("queued", "running"):
        st.progress(
            min(1.0, done / total) if total else 0.0,
            text=f"Re-assigning history to taxonomy version {job['params'].get('version')}: {done:,} of {total:,} items (the listener process does this)",
        )
    elif job["status"] == "failed" and job.get("error") != "superseded by a newer job":
        st.error(f"Re-assignment failed: {inert.escape(job['error'])}", icon=":material/error:")
    else:
        st.caption(f"History re-assigned to taxonomy version {job['params'].get('version')} ({done:,} items).")


def taxonomy_table(tax: Taxonomy) -> None:
    rows = [
        {
            "Theme": tax.label(t.id) if t.active else t.name,
            "Key": t.id,
            "Owner": t.owner or widgets.MISSING,
            "Status": str(t.status).capitalize(),
            "Merged into": tax.label(t.alias_of) if t.alias_of else widgets.MISSING,
            "Rules in": ", ".join(rule_language_name(lang) for lang, r in t.rules if not r.empty) or widgets.MISSING,
            "Examples": len(t.examples),
        }
        for t in sorted(tax.themes, key=lambda t: (not t.active, tax.label(t.id)))
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _terms(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.replace("\n", ",").split(",") if t.strip())


def edit_theme(tax: Taxonomy) -> None:
    """Rename, owner, description, rules per language and examples of one theme."""
    options = {t.id: tax.label(t.id) for t in tax.active()}
    theme_id = st.selectbox("Theme", list(options), format_func=options.__getitem__, key="edit.theme")
    theme = tax.get(str(theme_id))
    if theme is None:
        return
    with st.form(f"edit-{theme.id}-{tax.version}", border=True):
        name_col, owner_col = st.columns(2)
        name = name_col.text_input("Name", value=theme.name)
        owner = owner_col.text_input("Owner team", value=theme.owner)
        description = st.text_input("Description", value=theme.description)
        language = st.segmented_control(
            "Rules for", RULE_LANGUAGES, default="en", key=f"edit.lang.{theme.id}", format_func=rule_language_name
        )
        rule = theme.rule(str(language or "en"))
        any_col, all_col, none_col = st.columns(3)
        any_terms = any_col.text_area(
            "Any of", ", ".join(rule.any), help="Comma-separated; refund* for wildcards, ~delivery for misspellings"
        )
        all_terms = all_col.text_area("All of", ", ".join(rule.all))
        none_terms = none_col.text_area("None of", ", ".join(rule.none))
        examples = st.text_area(
            "Example sentences (one per line, “language: text”)",
            "\n".join(f"{e.language}: {e.text}" for e in theme.examples),
            height=150,
        )
        if st.form_submit_button("Save theme", type="primary"):
            rules = dict(theme.rules)
            rules[str(language or "en")] = LanguageRule(_terms(any_terms), _terms(all_terms), _terms(none_terms))
            parsed = [
                line.split(":", 1) if ":" in line[:6] else ["und", line]
                for line in examples.splitlines()
                if line.strip()
            ]
            _act(
                lambda: service.update_theme(
                    data.store(),
                    theme.id,
                    actor=data.current_actor(),
                    now=data.utcnow(),
                    name=name,
                    owner=owner,
                    description=description,
                    rules=rules,
                    examples=[Example(t.strip(), lang.strip()) for lang, t in parsed],
                ),
                f"Saved “{name}”; history is being re-assigned",
            )


def structure_forms(tax: Taxonomy) -> None:
    """Merge, split, move, archive and create, each a small form."""
    options = {t.id: tax.label(t.id) for t in tax.active()}
    ids, label = list(options), options.__getitem__
    parents = [TOP_LEVEL, *(t.id for t in tax.top_level())]
    merge_tab, split_tab, move_tab, archive_tab, new_tab = st.tabs(["Merge", "Split", "Move", "Archive", "New theme"])
    with merge_tab, st.form("merge", border=False):
        # Nothing preselected in the forms that move or archive a theme's items: each takes a choice.
        source = st.selectbox("Merge this theme", ids, format_func=label, index=None, placeholder="Choose a theme")
        target = st.selectbox("into", ids, format_func=label, index=None, placeholder="Choose a theme")
        st.caption("The merged theme's id keeps working in saved links, filters and exports.")
        if st.form_submit_button("Merge") and _chosen(source, target):
            _act(
                lambda: service.merge_themes(
                    data.store(), str(source), str(target), actor=data.current_actor(), now=data.utcnow()
                ),
                "Merged",
            )
    with split_tab, st.form("split", border=False):
        theme = st.selectbox("Split from", ids, format_func=label, index=None, placeholder="Choose a theme")
        name = st.text_input("New sub-theme name")
        terms = st.text_input(
            "Words that call for it", help="Comma-separated, any language; they move out of the original theme's rules"
        )
        if st.form_submit_button("Split") and _chosen(theme):
            _act(
                lambda: service.split_theme(
                    data.store(),
                    str(theme),
                    name=name,
                    terms=_terms(terms),
                    actor=data.current_actor(),
                    now=data.utcnow(),
                ),
                "Split",
            )
    with move_tab, st.form("move", border=False):
        theme = st.selectbox("Move", ids, format_func=label, index=None, placeholder="Choose a theme")
        parent = st.selectbox("under", parents, format_func=lambda p: p if p == TOP_LEVEL else label(p))
        if st.form_submit_button("Move") and _chosen(theme):
            _act(
                lambda: service.move_theme(
                    data.store(),
                    str(theme),
                    None if parent == TOP_LEVEL else str(parent),
                    actor=data.current_actor(),
                    now=data.utcnow(),
                ),
                "Moved",
            )
    with archive_tab, st.form("archive", border=False):
        archived = st.selectbox("Archive", ids, format_func=label, index=None, placeholder="Choose a theme")
        if st.form_submit_button("Archive") and _chosen(archived):
            _act(
                lambda: service.archive_theme(
                    data.store(), str(archived), actor=data.current_actor(), now=data.utcnow()
                ),
                "Archived",
            )
    with new_tab, st.form("new", border=False):
        name = st.text_input("Name")
        owner = st.text_input("Owner team")
        parent = st.selectbox("Parent", parents, format_func=lambda p: p if p == TOP_LEVEL else label(p))
        terms = st.text_input(
            "Words (any language)", help="Comma-separated; refund* for wildcards, ~delivery for misspellings"
        )
        if st.form_submit_button("Create"):
            rules = {ANY_LANGUAGE: LanguageRule(any=_terms(terms))} if _terms(terms) else {}
            _act(
                lambda: service.create_theme(
                    data.store(),
                    name=name,
                    owner=owner,
                    parent_id=None if parent == TOP_LEVEL else str(parent),
                    rules=rules,
                    actor=data.current_actor(),
                    now=data.utcnow(),
                ),
                f"Created “{name}”",
            )


def _chosen(*themes: object) -> bool:
    """Whether every theme of a form was picked; says so when one is missing."""
    if any(theme is None for theme in themes):
        st.warning("Choose the theme first.", icon=":material/touch_app:")
        return False
    return True


def _themes_named(details: Any, tax: Taxonomy) -> Any:
    """A version's details with the themes they point at by name ("into: Billing", not its key)."""
    if not isinstance(details, dict):
        return details
    return {key: tax.label(value) if key in repo.THEME_DETAILS and isinstance(value, str) else value
            for key, value in details.items()}  # fmt: skip


def version_history() -> None:
    tax = taxonomy()
    rows = pd.DataFrame(repo.versions(data.store(), limit=50), columns=list(VERSION_COLUMNS))
    rows["action"] = rows["action"].map(lambda action: repo.CHANGE_NAMES.get(action, action))
    rows["theme_id"] = rows["theme_id"].map(lambda key: tax.label(key) if isinstance(key, str) else key)
    rows["details"] = rows["details"].map(lambda details: _themes_named(details, tax))
    st.dataframe(
        widgets.readable(rows, tz=data.viewer_timezone(), labels=VERSION_COLUMNS, times=("at",)),
        hide_index=True,
        width="stretch",
    )
