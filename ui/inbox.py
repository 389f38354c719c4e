"""The Inbox page's care workflow: priority and SLA columns, the item panel (reasons, clock,
history, notes, tags, presence warning), bulk actions and the team's metrics.

Streamlit-aware; the domain is `voc.inbox.queue`, `voc.inbox.priority`, `voc.inbox.sla`, `voc.inbox.team_metrics`.
Rows are annotated as of the grid's snapshot time, so the order does not move under an agent's
unsaved edits while clocks run.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

import pandas as pd
import streamlit as st

from ui import data, inert, replies
from voc.inbox import queue as care_queue
from voc.inbox import triage
from voc.inbox.sla import format_duration
from voc.inbox.team_metrics import team_metrics
from voc.models import TriageChange

WORKFLOW_COLUMNS = (
    "sla_state",
    "sla_left",
    "priority_reasons",
    "needs",
    "tags",
    "duplicate_count",
    "source_latency",
    "due_at",
)
STATE_ICONS = {
    "Breached": "🔴 Breached",
    "Due soon": "🟠 Due soon",
    "On track": "🟢 On track",
    "Met": "✅ Met",
    "Missed": "⚠️ Missed",
}


# `/inbox?item=N` opens one item: what alert messages link to ("Open in the app").
LINKED_ITEM_PARAM: Final = "item"


def chatter_toggle() -> bool:
    """ "Include neutral chatter" (off by default); flipping it gives the grid fresh rows."""
    include = st.toggle(
        "Include neutral chatter", key="inbox.chatter", help="Neutral items with no question or urgent request"
    )
    if st.session_state.get("inbox.chatter.seen", False) != include:
        st.session_state["inbox.chatter.seen"] = include
        st.session_state["inbox.outdated"] = True
    return include


def column_order(order: tuple[str, ...]) -> tuple[str, ...]:
    """The page's column order with the clock and reasons after the editable columns (Status,
    Assignee, Sentiment), so keyboard paths to those cells stay as they were."""
    rest = tuple(c for c in order if c not in WORKFLOW_COLUMNS)
    anchor = next((c for c in ("sentiment_confidence", "sentiment_label", "assignee") if c in rest), None)
    at = rest.index(anchor) + 1 if anchor else 0
    return (
        rest[:at]
        + ("sla_state", "sla_left", "priority_reasons", "needs", "tags", "duplicate_count")
        + rest[at:]
        + ("source_latency", "due_at")
    )


def column_config() -> dict[str, Any]:
    cc = st.column_config
    return {
        "sla_state": cc.TextColumn("SLA", width="small", help="From posting time, in the team's business hours"),
        "sla_left": cc.TextColumn("Time left", width="small", help="Business time left on the SLA (negative: overdue)"),
        "priority_reasons": cc.ListColumn("Why this priority"),
        "needs": cc.TextColumn("Needs", width="small"),
        "tags": cc.ListColumn("Tags"),
        "duplicate_count": cc.NumberColumn(
            "Copies", format="%d", width="small", help="Retweets and pasted copies collapsed into this item"
        ),
        "source_latency": cc.TextColumn(
            "Source latency", width="small", help="How long the source took to deliver it (ingested − posted)"
        ),
        "due_at": cc.DatetimeColumn("Due", format="D MMM HH:mm"),
    }


@st.cache_data(ttl="10m", max_entries=200, show_spinner=False)
def _care(
    url: str, statuses: tuple[str, ...], channel: str | None, language: str | None, include_neutral: bool, snapshot: str
) -> pd.DataFrame:
    now = datetime.fromisoformat(snapshot)
    return care_queue.care_queue(
        data.store(), now=now, statuses=statuses, channel=channel, language=language, include_neutral=include_neutral
    )


def with_workflow(queue: pd.DataFrame, view: Any, snapshot: str, *, include_neutral: bool = False) -> pd.DataFrame:
    """The page's queue plus the care queue's own items (questions, urgent requests), each with its
    priority, reasons and clock as of `snapshot`; collapsed duplicates out; highest priority first."""
    url = data.settings().database_url
    care = _care(url, tuple(view.statuses), view.channel, view.language, include_neutral, snapshot)
    base_ids = [int(i) for i in queue["id"]] if not queue.empty else []
    missing = [i for i in base_ids if care.empty or i not in set(care["id"])]
    annotations = pd.concat([care, _annotate(url, tuple(missing), snapshot)], ignore_index=True) if missing else care
    if annotations.empty:
        return queue
    extra = care[~care["id"].isin(base_ids)]
    columns = list(queue.columns) if not queue.empty else list(care.columns)
    added = extra.reindex(columns=columns)
    if "needs_review" in added:
        added["needs_review"] = False
    merged = pd.concat([queue, added], ignore_index=True) if not queue.empty else added
    keyed = annotations.drop_duplicates("id").set_index("id")
    merged = merged.drop(columns=[c for c in ("priority", *WORKFLOW_COLUMNS) if c in merged.columns])
    merged = merged.join(keyed[["priority", *WORKFLOW_COLUMNS, "duplicate_of"]], on="id")
    merged = merged[merged["duplicate_of"].isna()].drop(columns=["duplicate_of"])
    merged["sla_state"] = merged["sla_state"].map(lambda s: STATE_ICONS.get(s, s))
    # Equal priorities (capped at 100): the one due first comes first.
    ordered = merged.sort_values(["priority", "due_at"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return data.mask_people(ordered)  # the care queue's own rows carry authors too


@st.cache_data(ttl="10m", max_entries=200, show_spinner=False)
def _annotate(url: str, ids: tuple[int, ...], snapshot: str) -> pd.DataFrame:
    return care_queue.annotate(data.store(), list(ids), now=datetime.fromisoformat(snapshot))


def time_left_phrase(left: str) -> str:
    """The grid's "Time left" cell in words: "-1 h 05 min" reads "overdue by 1 h 05 min"."""
    return f"overdue by {left[1:]}" if left.startswith("-") else f"{left} left"


def linked_item_id() -> int | None:
    """The item a link names (`/inbox?item=N`: an alert's "Open in the app"), if any."""
    raw = st.query_params.get(LINKED_ITEM_PARAM)
    return int(raw) if raw and raw.isdigit() else None


def item_panel(queue: pd.DataFrame, *, linked: int | None = None) -> None:
    """One item in full: reasons, clock, latency, history and notes; a warning when someone else has it open.

    `linked` is the item a link opened: it is chosen already, and the page shows the panel first.
    """
    labels = {int(r.id): f"#{r.id} · {str(r.text)[:70]}" for r in queue.itertuples()}
    if linked is not None and linked not in labels:
        st.info(
            f"Item #{linked} from the link is not in this view: it may be answered or closed already, or hidden "
            "by the filters above (Status, Channel, Language, Show chatter).",
            icon=":material/link_off:",
        )
    if queue.empty:
        return
    if linked in labels:
        st.subheader(f"Item #{linked}, from the link")
    item_id = st.selectbox(
        "Show details of",
        list(labels),
        format_func=lambda k: labels[k],
        key="inbox.item",
        index=list(labels).index(linked) if linked in labels else None,
        placeholder="Choose a row to see its history and notes",
    )
    if linked is not None and item_id != linked:
        del st.query_params[LINKED_ITEM_PARAM]  # another item chosen: the panel goes back below the queue
    if item_id is None:
        return
    store, me, now = data.store(), data.current_actor(), data.utcnow()
    store.touch_viewer(int(item_id), me, now)
    others = store.other_viewers(int(item_id), me.name, now)
    if others:
        st.warning(
            f"{', '.join(others)} also {'has' if len(others) == 1 else 'have'} this item open.",
            icon=":material/group:",
        )
    row = queue[queue["id"] == item_id].iloc[0]
    st.markdown(
        f"**Priority {row['priority']:.0f}** · {row.get('sla_state')} · {time_left_phrase(str(row.get('sla_left')))} · "
        f"source latency {row.get('source_latency')}"
    )
    for reason in row.get("priority_reasons") or []:
        st.markdown(f"- {inert.escape(reason)}")
    note_col, tag_col = st.columns(2)
    with note_col.form("inbox.note", clear_on_submit=True):
        note = st.text_area("Internal note (never sent to the customer)")
        if st.form_submit_button("Add note") and note.strip():
            store.add_note(int(item_id), note, actor=me, now=now)
            _saved("Note added")
    with tag_col.form("inbox.tags"):
        tags = st.text_input("Tags (comma-separated)", value=", ".join(row.get("tags") or []))
        if st.form_submit_button("Save tags"):
            store.set_tags([int(item_id)], tags.split(","), actor=me, now=now, mode="replace")
            _saved("Tags saved")
    if st.button("Mark responded", key="inbox.responded", help="Stops the SLA clock: the first response went out"):
        store.mark_responded([int(item_id)], actor=me, now=now)
        _saved("First response recorded")
    replies.reply_section({"id": int(item_id)}, on_change=lambda: _saved(st.session_state.get(data.FLASH_KEY, "")))
    with st.expander("History and notes"):
        history = pd.DataFrame(
            store.triage_history(int(item_id)), columns=["at", "actor", "field", "old_value", "new_value"]
        )
        st.table(inert.escape_frame(history.set_index("at")))  # notes and tags are typed text


def bulk_actions(queue: pd.DataFrame) -> list[TriageChange]:
    """Assign, change status or tag many items at once."""
    if queue.empty:
        return []
    with st.form("inbox.bulk", border=True):
        st.markdown("**Bulk actions**")
        ids = st.multiselect(
            "Rows to change", [int(i) for i in queue["id"]], format_func=lambda i: f"#{i}", key="bulk.items"
        )
        status_col, assignee_col, tag_col = st.columns(3)
        status = status_col.selectbox("Move to", ["(unchanged)", *triage.STATUSES], key="bulk.status")
        assignee = assignee_col.text_input("Assign all to", key="bulk.assignee")
        tag = tag_col.text_input("Add tag", key="bulk.tag")
        if not st.form_submit_button("Apply to selected") or not ids:
            return []
    if tag.strip():
        data.store().set_tags(ids, [tag], actor=data.current_actor(), now=data.utcnow())
    changes = [TriageChange(i, "assignee", assignee.strip()) for i in ids if assignee.strip()]
    changes += [TriageChange(i, "triage_status", status) for i in ids if status != "(unchanged)"]
    if not changes and tag.strip():
        _saved(f"Tagged {len(ids)} items")
    return changes


def metrics_row() -> None:
    """Median first response, share within SLA, open breaches, alerts acked in time (last 14 days)."""
    metrics = team_metrics(data.store(), now=data.utcnow(), tz=data.viewer_timezone())
    cols = st.columns(5)
    cols[0].metric("Answered (14 days)", metrics.answered, border=True)
    median = metrics.median_first_response_min
    cols[1].metric(
        "Median first response",
        "—" if median is None else format_duration(timedelta(minutes=float(median))),
        border=True,
    )
    share = metrics.answered_within_sla
    cols[2].metric("Answered within SLA", "—" if share is None else f"{share:.0%}", border=True)
    cols[3].metric("Open and breached", metrics.breached_open, border=True)
    acked = metrics.alerts_acked_within_target
    cols[4].metric("Alerts acked in time", "—" if acked is None else f"{acked:.0%}", border=True)
    if not metrics.daily.empty:
        with st.expander("Team metrics over time, breaches by source and language"):
            st.line_chart(metrics.daily.set_index("day")[["median_first_response_min"]], height=160)
            # Tables, not grids: the inbox's one grid stays the only `stDataFrame` on the page.
            st.table(inert.escape_frame(metrics.daily.set_index("day")))
            if not metrics.breaches.empty:
                st.table(inert.escape_frame(metrics.breaches.set_index(["dimension", "value"])))


def forget_queue() -> None:
    """Drop the cached queue and annotations after a write that moves priorities or clocks, and
    give this session's grid a fresh snapshot (and editor) on its next run."""
    _care.clear()
    _annotate.clear()
    st.session_state["inbox.outdated"] = True


def _saved(message: str) -> None:
    forget_queue()
    st.session_state[data.FLASH_KEY] = message
    st.rerun()
