"""The Sources page's X sections: the token notice, the cost meter, coverage gaps, add and edit forms.

Forms read widgets into a `voc.source_config.XSourceForm`, which checks them and builds the stored
config; the bearer token is never a widget, only the environment or `.streamlit/secrets.toml`.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import data
from voc import costs
from voc.models import SourceState
from voc.source_config import MAX_QUERY_LENGTH, X_KINDS, XSourceForm, x_token_problem

QUERY_HELP = (
    "Names, misspellings, products and hashtags joined with OR, e.g. "
    '("Northwind Mobile" OR Northwnd OR #northwind) -from:NorthwindMobile -is:retweet. '
    "See docs/sources.md for operators and costs."
)
BUDGET_HELP = "Paused until the next UTC midnight once today's estimated cost reaches this (0: no budget)."


def x_sources(sources: list[SourceState]) -> list[SourceState]:
    return [source for source in sources if source.kind in X_KINDS]


def token_notice(sources: list[SourceState]) -> None:
    """Say plainly when X sources cannot run for want of a token (the token itself is never shown)."""
    problem = x_token_problem(data.settings())
    if problem and x_sources(sources):
        st.error(f"{problem}, then restart the listeners.", icon=":material/key_off:")


def cost_meter(sources: list[SourceState]) -> None:
    """Today's reads, estimated cost and budget per paid source, and the last seven days."""
    frame = costs.meter_frame(sources, data.usage_today())
    if frame.empty:
        return
    st.subheader("Cost and quota today (UTC)")
    settings = data.settings()
    st.caption(
        f"Estimates at ${settings.x_post_read_usd:.3f} per post and ${settings.x_user_read_usd:.3f} per user read; "
        "X counts a resource once per UTC day, so the real bill can be lower. The X Developer Console is the bill."
    )
    st.dataframe(
        frame.drop(columns=["pause_reason"]),
        hide_index=True,
        column_config={
            "source": "Source",
            "requests": st.column_config.NumberColumn("Requests"),
            "posts_read": st.column_config.NumberColumn("Posts read"),
            "users_read": st.column_config.NumberColumn("Users read"),
            "cost_usd": st.column_config.NumberColumn("Cost", format="$%.2f"),
            "budget_usd": st.column_config.NumberColumn("Daily budget", format="$%.2f"),
            "budget_used": st.column_config.ProgressColumn(
                "Budget used", min_value=0.0, max_value=1.0, format="percent"
            ),
            "paused_until": st.column_config.DatetimeColumn("Paused until", format="YYYY-MM-DD HH:mm z"),
        },
        key="cost-meter",
    )
    history = data.usage_history()
    if len(history) > len(frame):
        with st.expander("Reads per day, last 7 days"):
            st.dataframe(
                history, hide_index=True, column_config={"cost_usd": st.column_config.NumberColumn(format="$%.2f")}
            )


def coverage_gaps() -> None:
    """Periods a source could not fetch (e.g. a cursor older than X's seven days)."""
    gaps = data.coverage_gaps()
    if not gaps:
        return
    st.subheader("Coverage gaps")
    st.caption("Posts from these periods could not be fetched; counts on Trends are low there.")
    st.dataframe(
        [{key: gap[key] for key in ("source", "gap_start", "gap_end", "reason", "detected_at")} for gap in gaps],
        hide_index=True,
        key="coverage-gaps",
    )


def add_form(sources: list[SourceState]) -> None:
    """Add an X search (brand or competitor) or mentions source."""
    with st.expander("Add an X source", icon=":material/add:"):
        st.caption("The bearer token comes from X_BEARER_TOKEN or .streamlit/secrets.toml, never from this page.")
        with st.form("x-add"):
            kind = st.selectbox("Kind", list(X_KINDS), format_func=X_KINDS.__getitem__, key="x-add.kind")
            name = st.text_input("Name", placeholder="x-brand", key="x-add.name")
            form = _fields(XSourceForm(name="", brand=data.settings().brand), "x-add", name=name, kind=kind)
            submitted = st.form_submit_button("Add source", type="primary")
        if submitted and _accepted(form, frozenset(s.name for s in sources)):
            data.add_x_source(form)
            _rerun_with(f"Added {form.name}; the listeners pick it up within seconds")


def edit_forms(sources: list[SourceState]) -> None:
    """One form per X source: query or account, brand, competitor tag, interval, budget, enabled."""
    for source in x_sources(sources):
        with st.expander(f"Edit {source.name}", icon=":material/edit:"), st.form(f"x-edit.{source.name}"):
            form = _fields(XSourceForm.from_source(source), f"x-edit.{source.name}")
            submitted = st.form_submit_button("Save changes")
        if submitted and _accepted(form):
            data.save_x_source(form, source)
            _rerun_with(f"Saved {source.name}; it is polled on the listeners' next tick")


def _fields(current: XSourceForm, key: str, **fixed: Any) -> XSourceForm:
    kind = fixed.get("kind", current.kind)
    query, account = current.query, current.account
    if "kind" in fixed or kind == "x_search":
        query = st.text_area(
            "Query (X search)", value=current.query, max_chars=MAX_QUERY_LENGTH, help=QUERY_HELP, key=f"{key}.query"
        )
    if "kind" in fixed or kind == "x_mentions":
        account = st.text_input(
            "Account (X mentions)", value=current.account, placeholder="@NorthwindMobile", key=f"{key}.account"
        )
    left, right = st.columns(2)
    brand = left.text_input("Brand", value=current.brand, key=f"{key}.brand")
    competitor = right.checkbox(
        "Competitor",
        value=current.competitor,
        help="Share of voice on Trends; kept out of the Inbox.",
        key=f"{key}.competitor",
    )
    interval = left.number_input(
        "Poll interval (s)", min_value=30.0, value=float(current.poll_interval_s), step=30.0, key=f"{key}.interval"
    )
    budget = right.number_input(
        "Daily budget (USD)",
        min_value=0.0,
        value=float(current.daily_budget_usd),
        step=1.0,
        help=BUDGET_HELP,
        key=f"{key}.budget",
    )
    enabled = st.checkbox("Enabled", value=current.enabled, key=f"{key}.enabled")
    return XSourceForm(
        name=str(fixed.get("name", current.name)).strip(),
        kind=kind,
        query=query or "",
        account=account or "",
        brand=brand or "",
        competitor=competitor,
        poll_interval_s=float(interval),
        daily_budget_usd=float(budget),
        enabled=enabled,
    )


def _rerun_with(message: str) -> None:
    """Show the page again with the change in it, and the message as a toast (`widgets.show_flash`)."""
    st.session_state[data.FLASH_KEY] = message
    st.rerun()


def _accepted(form: XSourceForm, taken: frozenset[str] = frozenset()) -> bool:
    problems = form.problems(taken)
    if problems:
        st.error("\n".join(f"- {problem}" for problem in problems), icon=":material/error:")
    return not problems
