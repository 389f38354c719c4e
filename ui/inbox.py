"""The Inbox page's parts: the queue that leads with the customer's words, the item workspace,
assignment from the team list, presence, safe actions with Undo, bulk actions and team metrics.

Streamlit-aware; the domain is `voc.inbox.queue` (one query per queue page), `voc.inbox.priority`,
`voc.inbox.sla`, `voc.inbox.team_metrics`. Customer text reaches the page as escaped Markdown
(`ui.inert`), never as raw HTML, so a screen reader reads it and a browser test finds it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Final

import pandas as pd
import streamlit as st

from ui import data, inert, replies, widgets
from ui import sentiment as sentiment_ui
from ui.widgets import needs_role, status_label
from voc.access.roles import Permission
from voc.inbox import queue as care_queue
from voc.inbox.priority import compact, tier_name
from voc.inbox.queue import QueueFilter, QueueKey, QueuePage, TeamMember, ThreadState, View
from voc.inbox.sla import format_duration
from voc.inbox.team_metrics import team_metrics
from voc.inbox.triage import OPEN_STATUSES
from voc.models import TriageChange, TriageStatus
from voc.sentiment.multilingual import is_precise_scorer, needs_review
from voc.sentiment.review import how_sure

# `/inbox?item=N` opens one item's workspace: what the queue's "Open" and alert messages link to.
LINKED_ITEM_PARAM: Final = "item"
UNDO_KEY: Final = "inbox.undo_offer"
UNDO_FOR: Final = timedelta(seconds=10)
NOTHING_CHOSEN_KEY: Final = "inbox.bulk.nothing_chosen"  # the bulk form was applied to nobody
QUEUE_HEIGHT: Final = 560  # px: twelve entries scroll inside it; the page itself stays short
WORDS_SHOWN: Final = 280  # characters of a customer's words in the queue (the workspace has all)
STATE_ICONS: Final = {
    "Breached": ":red-badge[:material/timer_off: Breached]",
    "Due soon": ":orange-badge[:material/timer: Due soon]",
    "On track": ":green-badge[:material/schedule: On track]",
    "Met": ":green-badge[Met]",
    "Missed": ":gray-badge[Missed]",
}
CLOSING: Final = {
    str(TriageStatus.RESOLVED): ("Resolve", ":material/task_alt:"),
    str(TriageStatus.NOT_ACTIONABLE): ("Not actionable", ":material/block:"),
}


# ---- the queue --------------------------------------------------------------------------------


def queue_filter() -> QueueFilter:
    """Channel, language and chatter filters (bound to the URL), and the view picked last run."""
    options = data.filter_options()
    channel_col, language_col, chatter_col = st.columns([1, 1, 1], vertical_alignment="bottom")
    channel = channel_col.selectbox(
        "Channel",
        [None, *options.channels],
        key="channel",
        bind="query-params",
        format_func=lambda c: widgets.channel_name(c) if c else "All channels",
    )
    language = language_col.selectbox(
        "Language",
        [None, *options.languages],
        key="lang",
        bind="query-params",
        format_func=lambda c: widgets.language_name(c) if c else "All languages",
    )
    chatter = chatter_col.toggle(
        "Include neutral chatter", key="inbox.chatter", help="Neutral items with no question or urgent request"
    )
    view = View(st.session_state.get("inbox.view") or View.ALL)
    return QueueFilter(view, data.current_actor().name, channel, language, chatter)


def queue_page(chosen: QueueFilter) -> QueuePage:
    """The page of the queue this session is on (uncached: one indexed query, always current).

    Next and Previous go by key from the entries shown (`voc.inbox.queue`), so colleagues'
    answers and new arrivals never make an entry skip or show twice; a key kept for other
    filters is not used."""
    number = st.session_state.get("inbox.page", 1)
    cursor = st.session_state.get("inbox.cursor")
    after = before = None
    if cursor is not None and cursor[2] == chosen and number > 1:
        after, before = (cursor[1], None) if cursor[0] == "after" else (None, cursor[1])
    page = care_queue.open_queue(data.store(), chosen, now=data.utcnow(), page=number, after=after, before=before)
    st.session_state["inbox.page"], st.session_state["inbox.filter"] = page.page, chosen
    return replace(page, rows=data.mask_people(page.rows))


def view_picker(page: QueuePage) -> None:
    """Mine / Unassigned / All open, each with its count (read before the query, shown after)."""
    st.segmented_control(
        "View",
        list(View),
        key="inbox.view",
        default=page.view,
        format_func=lambda v: f"{View(v).label} · {page.counts[View(v)]}",
        on_change=_first_page,
        label_visibility="collapsed",
    )


def queue_list(page: QueuePage) -> None:
    """Each customer first: their words (the sentiment's phrases highlighted), then who, where,
    what and how long is left, and why it is here; twelve at a time inside a fixed frame."""
    if page.rows.empty:
        st.info(_empty_message(page.view), icon=":material/inbox:")
        return
    first = (page.page - 1) * page.page_size + 1
    st.caption(
        f"{first}–{first + len(page.rows) - 1} of {page.total}, the one to answer first on top "
        "(priority, then the one waiting longest). Clocks run from posting time."
    )
    with st.container(height=QUEUE_HEIGHT, border=True):
        for row in page.rows.to_dict("records"):
            queue_entry(row)
    pager(page)


def queue_entry(row: Mapping[str, Any]) -> None:
    with st.container(border=True, key=f"inbox-entry-{row['id']}"):
        words_col, open_col = st.columns([10, 1], vertical_alignment="center")
        words_col.markdown(_words(row, limit=WORDS_SHOWN))
        words_col.caption(" · ".join(entry_facts(row)))
        open_col.button(
            "Open", key=f"inbox.open.{row['id']}", help="See it all, and act on it",
            on_click=open_item, args=(int(row["id"]),),
        )  # fmt: skip


def entry_facts(row: Mapping[str, Any]) -> list[str]:
    """The line under the words: author and reach (VIP), channel, language, themes, SLA, why first."""
    facts = [who(row), inert.escape(widgets.item_channel_name(row.get("channel")))]
    if row.get("language"):
        facts.append(inert.escape(widgets.language_name(str(row["language"]))))
    if row.get("themes"):
        facts.append(inert.escape(", ".join(row["themes"][:2])))
    facts.append(
        f"{STATE_ICONS.get(str(row['sla_state']), inert.escape(row['sla_state']))} {_left(str(row['sla_left']))}"
    )
    if assignee := _text(row, "assignee"):
        facts.append(f":material/person: {inert.escape(assignee)}")
    if row.get("needs_review"):
        facts.append(":orange-badge[sentiment needs review]")
    facts.append(f"**Why first:** {inert.escape(row['why_first'])}")
    return facts


def who(row: Mapping[str, Any]) -> str:
    """ "**@lena** (250k followers) :violet-badge[Gold]": the author as the reader may see them."""
    author = row.get("author")
    text = f"**{inert.escape(author)}**" if isinstance(author, str) and author else "Anonymous"
    reach = row.get("author_reach")
    if isinstance(reach, int | float) and reach == reach and reach > 0:
        text += f" ({compact(int(reach))} followers)"
    if tier := _text(row, "vip_tier"):
        text += f" :violet-badge[{inert.escape(tier_name(tier))}]"
    return text


def _text(row: Mapping[str, Any], key: str) -> str:
    """A text field of a queue row, "" when empty (NaN in a page's frame when other rows have one)."""
    value = row.get(key)
    return value if isinstance(value, str) else ""


def pager(page: QueuePage) -> None:
    if page.pages <= 1:
        return
    back, where, forward = st.columns([1, 2, 1], vertical_alignment="center")
    chosen = st.session_state.get("inbox.filter")
    # Callbacks, so that a click runs the page once (set, then drawn), not twice (drawn, set, rerun).
    back.button(
        "Previous", icon=":material/chevron_left:", disabled=page.page <= 1, key="inbox.previous",
        on_click=_turn_page, args=(page.page - 1, "before", page.first_key, chosen),
    )  # fmt: skip
    where.caption(f"Page {page.page} of {page.pages}")
    forward.button(
        "Next page", icon=":material/chevron_right:", disabled=page.page >= page.pages, key="inbox.next",
        on_click=_turn_page, args=(page.page + 1, "after", page.last_key, chosen),
    )  # fmt: skip


def _turn_page(number: int, direction: str, key: QueueKey | None, chosen: QueueFilter | None) -> None:
    st.session_state["inbox.page"] = number
    st.session_state["inbox.cursor"] = (direction, key, chosen)


def _first_page() -> None:
    st.session_state["inbox.page"] = 1
    st.session_state["inbox.cursor"] = None


def _empty_message(view: View) -> str:
    if view is View.MINE:
        return "Nothing assigned to you is waiting. Take one from Unassigned, or Open the top of All open."
    if view is View.UNASSIGNED:
        return "Every waiting customer has an owner."
    return (
        "Nothing waiting here: no negative items, questions or urgent requests match these filters. "
        "New ones appear as the listeners bring them in."
    )


def bulk_actions(page: QueuePage) -> None:
    """Assign, move or tag several entries of this page at once, chosen by their words."""
    nothing_chosen = st.session_state.pop(NOTHING_CHOSEN_KEY, False)  # set by the last submit
    if page.rows.empty or not data.may(Permission.TRIAGE):
        return
    rows = page.rows.to_dict("records")
    words = {int(r["id"]): _plain(r, 90) for r in rows}
    members = team()
    with st.expander("Act on several customers at once", icon=":material/checklist:"):
        # Written in the callbacks, as in the workspace: a submit runs the page once.
        with st.form("inbox.bulk", border=False, enter_to_submit=False):
            st.multiselect(
                "Customers", list(words), format_func=lambda i: words[i], key="bulk.items",
                placeholder="Choose by their words",
            )  # fmt: skip
            status_col, assignee_col, tag_col = st.columns(3)
            status_col.selectbox(
                "Move to", list(CHANGEABLE), format_func=status_label, index=None, key="bulk.status",
                placeholder="Unchanged",
            )  # fmt: skip
            assignee_col.selectbox(
                "Assign to", [m.name for m in members], format_func=_member_label(members), index=None,
                key="bulk.assignee", placeholder="Unchanged",
            )  # fmt: skip
            tag_col.text_input("Add tag", key="bulk.tag")
            before = {int(r["id"]): _undo_entry(r) for r in rows}  # what Undo restores, should they be closed
            st.form_submit_button("Apply to the chosen customers", on_click=_apply_bulk, args=(before,))
        sentiment_ui.correction_form(page.rows)
    if nothing_chosen:
        st.warning("Choose at least one customer first.", icon=":material/checklist:")


def _apply_bulk(before: Mapping[int, dict[str, Any]]) -> None:
    """Apply the bulk form (its callback); closing statuses offer Undo."""
    chosen = [int(i) for i in st.session_state.get("bulk.items") or []]
    if not chosen:
        st.session_state[NOTHING_CHOSEN_KEY] = True  # said in the run that follows, under the form
        return
    status, assignee = st.session_state.get("bulk.status"), st.session_state.get("bulk.assignee")
    tag = str(st.session_state.get("bulk.tag") or "")
    me, now, store = data.current_actor(), data.utcnow(), data.store()
    if tag.strip():
        store.set_tags(chosen, [tag], actor=me, now=now)
    changes = [TriageChange(i, "assignee", assignee) for i in chosen if assignee]
    changes += [TriageChange(i, "triage_status", status) for i in chosen if status]
    store.apply_triage(changes, actor=me, now=now)
    customers = f"{len(chosen)} customer{'s' if len(chosen) != 1 else ''}"
    if status in CLOSING:
        _offer_undo([before[i] for i in chosen], f"{status_label(status)}: {customers}")
    st.session_state[data.FLASH_KEY] = f"Updated {customers}"


CHANGEABLE: Final = tuple(s for s in (str(t) for t in TriageStatus))


# ---- the item workspace ----------------------------------------------------------------------


def opened_item_id() -> int | None:
    """The item the URL opens (`/inbox?item=N`: the queue's Open, an alert's "Open in the app")."""
    raw = st.query_params.get(LINKED_ITEM_PARAM)
    return int(raw) if raw and raw.isdigit() else None


# Open, Back to the queue and Next item are button callbacks: a click runs the page once, on the
# page it leads to (run inline, each drew the page it left and then ran again after `st.rerun`).
def open_item(item_id: int) -> None:
    st.query_params[LINKED_ITEM_PARAM] = str(item_id)


def reread() -> None:
    """After a reply changes the item (posted, failed, a call-back recorded): show it as it now is."""
    data.forget_reads()
    st.rerun()


def back_to_queue() -> None:
    st.query_params.pop(LINKED_ITEM_PARAM, None)


def workspace(item_id: int, chosen: QueueFilter) -> None:
    """One item in full, with everything an agent does to it, and Next item."""
    store, me, now = data.store(), data.current_actor(), data.utcnow()
    item = care_queue.item_row(store, item_id, now=now)
    if item is None:
        st.info(f"Item {item_id} is not here any more: it may have been erased.", icon=":material/link_off:")
        st.button("Back to the queue", icon=":material/arrow_back:", on_click=back_to_queue)
        return
    item = data.mask_people(pd.DataFrame([item])).iloc[0].to_dict()
    store.touch_viewer(item_id, me, now)
    navigation(item_id, chosen)
    presence(item_id, me.name, now)
    message_col, action_col = st.columns([3, 2], gap="large")
    with message_col:
        message(item)
        replies.reply_section(item, on_change=reread)
        context_tabs(item)
    with action_col:
        actions(item, chosen)


def navigation(item_id: int, chosen: QueueFilter) -> None:
    back_col, next_col, _ = st.columns([1, 1, 3])
    back_col.button("Back to the queue", icon=":material/arrow_back:", key="inbox.back", on_click=back_to_queue)
    next_col.button(
        "Next item", icon=":material/skip_next:", type="primary", key="inbox.next_item",
        on_click=go_next, args=(item_id, chosen),
    )  # fmt: skip


def go_next(item_id: int, chosen: QueueFilter) -> None:
    following = care_queue.next_item_id(data.store(), item_id, chosen)
    if following is None:
        st.session_state[data.FLASH_KEY] = "Nothing else is waiting in this view"
        back_to_queue()
    else:
        open_item(following)


def presence(item_id: int, me: str, now: datetime) -> None:
    """ "Ana has had it open since 10:02" when someone else is on the same item."""
    others = data.store().viewers(item_id, besides=me, now=now)
    if not others:
        return
    zone = data.viewer_timezone()
    names = ", ".join(
        f"{inert.escape(name)} (since {pd.Timestamp(since).tz_convert(zone):%H:%M})" for name, since in others
    )
    st.warning(f"Also open for {names}: agree who answers before a second reply goes out.", icon=":material/group:")


def message(item: Mapping[str, Any]) -> None:
    """The customer's words in full, who wrote them and where, priority, why and the clock."""
    st.markdown(
        f"{who(item)} · {inert.escape(widgets.item_channel_name(item.get('channel')))} · "
        f"{inert.escape(widgets.language_name(item.get('language')))} · "
        f"{_posted(item)} · {status_label(str(item['triage_status']))}"
        + (f" · :material/person: {inert.escape(item['assignee'])}" if item.get("assignee") else " · unassigned")
    )
    with st.container(border=True):
        st.markdown(_words(item))
    state = STATE_ICONS.get(str(item["sla_state"]), inert.escape(item["sla_state"]))
    st.markdown(
        f"**Priority {float(item['priority']):.0f}** ({item['tier']}) · {state} {_left(str(item['sla_left']))} · "
        f"source latency {inert.escape(item['source_latency'])}"
    )
    reasons = item.get("priority_reasons") or []
    if reasons:
        st.caption("Why: " + " · ".join(inert.escape(r) for r in reasons))


def context_tabs(item: Mapping[str, Any]) -> None:
    """The customer, the survey response or conversation, themes, and the history with notes."""
    survey = bool(item.get("survey"))
    names = ["Customer", "Survey response" if survey else "Conversation", "History and notes"]
    customer_tab, thread_tab, history_tab = st.tabs(names)
    with customer_tab:
        customer(item)
    with thread_tab:
        survey_response(item) if survey else conversation(item)
    with history_tab:
        history(int(item["id"]))


def customer(item: Mapping[str, Any]) -> None:
    facts = [who(item)]
    if item.get("themes"):
        facts.append("Themes: " + inert.escape(", ".join(item["themes"])))
    if item.get("tags"):
        facts.append("Tags: " + inert.escape(", ".join(item["tags"])))
    st.markdown(" · ".join(facts))
    earlier = care_queue.author_history(data.store(), item)
    if earlier.empty:
        st.caption("No earlier items from this customer here.")
        return
    st.markdown(f"**Earlier here** ({len(earlier)}, newest first)")
    shown = pd.DataFrame({
        "Posted": pd.to_datetime(earlier["posted_at"], utc=True).dt.tz_convert(data.viewer_timezone()).dt.strftime("%d %b %Y %H:%M"),
        "Channel": earlier["channel"].map(widgets.item_channel_name),
        "Words": [inert.escape(t, limit=90) for t in earlier["text"]],
        "What became of it": [_outcome(r) for r in earlier.to_dict("records")],
    })  # fmt: skip
    st.table(shown.set_index("Posted"))


def survey_response(item: Mapping[str, Any]) -> None:
    scores = [f"{name} {int(item[key])}" for key, name in (("nps", "NPS"), ("csat", "CSAT"), ("ces", "CES"))
              if item.get(key) is not None and item[key] == item[key]]  # fmt: skip
    st.markdown(
        f"Survey **{inert.escape(item['survey'])}**, response {inert.escape(item.get('response_id') or '')}"
        + (f" · {' · '.join(scores)}" if scores else " · no scores")
        + (f" · answer to “{inert.escape(item['survey_field'])}”" if item.get("survey_field") else "")
    )
    others = care_queue.same_response(data.store(), item)
    if others.empty:
        st.caption("No other answers in this response.")
        return
    st.table(
        pd.DataFrame(
            {
                "Question": [inert.escape(q or "") for q in others["survey_field"]],
                "Answer": [inert.escape(t) for t in others["text"]],
            }
        ).set_index("Question")
    )


THREAD_SENTENCES: Final = {
    ThreadState.SURVEY: "A survey answer has no thread: the other answers of the response are its context.",
    ThreadState.NOT_GIVEN: (
        "No conversation to show: this source does not say which post this answers (feeds and store "
        "reviews never do, and posts collected before the app kept conversations have none). Open the "
        "original to read it in context."
    ),
    ThreadState.STARTS: "This post starts its conversation: it answers no other post.",
    ThreadState.PARENT_NOT_COLLECTED: (
        "It answers a post no source here collected: open the original to read the post it answers."
    ),
}


def conversation(item: Mapping[str, Any]) -> None:
    """The post the item answers and the thread's earlier messages, or why there are none."""
    found = care_queue.conversation(data.store(), item)
    if found.parent is not None:
        st.markdown("**The post it answers**")
        _thread_message(found.parent)
    else:
        st.caption(THREAD_SENTENCES[found.state])
    if found.earlier:
        st.markdown(f"**Earlier in this thread** ({len(found.earlier)}, oldest first)")
        for message in found.earlier:
            _thread_message(message)


def _thread_message(row: Mapping[str, Any]) -> None:
    label = str(row.get("sentiment_label") or "")
    with st.container(border=True):
        st.caption(f"{who(row)} · {_posted(row)} · {sentiment_ui.SENTIMENT_LABELS.get(label, inert.escape(label))}")
        st.markdown(inert.quote(row.get("text") or "", limit=400) if row.get("text") else "_(no words)_")


def history(item_id: int) -> None:
    store = data.store()
    events = store.triage_history(item_id)
    if not events:
        st.caption("Nothing done to this item yet.")
        return
    zone = data.viewer_timezone()
    frame = pd.DataFrame({
        "When": [pd.Timestamp(e["at"]).tz_convert(zone).strftime("%d %b %H:%M") for e in events],
        "Who": [inert.escape(e["actor"]) for e in events],
        "What": [inert.escape(_event(e)) for e in events],
    })  # fmt: skip
    st.table(frame.set_index("When"))


def actions(item: Mapping[str, Any], chosen: QueueFilter) -> None:
    """Every action on the item; none preselected, resolving and closing offer Undo."""
    if not data.may(Permission.TRIAGE):
        needs_role("this item", Permission.TRIAGE)
        return
    item_id = int(item["id"])
    me = data.current_actor()
    st.markdown("**Owner**")
    members = team()
    # The buttons and forms below write in their callbacks (a form's callback reads its fields from the
    # session state): a click runs the page once, as it now is.
    st.button(
        "Assign to me", key="inbox.assign_me", disabled=item.get("assignee") == me.name,
        on_click=_assign, args=(item_id, me.name),
    )  # fmt: skip
    with st.form("inbox.assign", border=False, enter_to_submit=False):
        name_col, go_col = st.columns([3, 1], vertical_alignment="bottom")
        name_col.selectbox(
            "Assign to", [m.name for m in members], index=None, format_func=_member_label(members),
            key="inbox.assignee", placeholder="Choose a teammate",
        )  # fmt: skip
        go_col.form_submit_button("Assign", width="stretch", on_click=_assign_chosen, args=(item_id,))
    st.markdown("**Status**")
    status = str(item["triage_status"])
    wait_col, responded_col = st.columns(2)
    wait_col.button(
        "Waiting on customer", key="inbox.waiting", disabled=status == TriageStatus.WAITING_ON_CUSTOMER,
        on_click=_set_status, args=(item, str(TriageStatus.WAITING_ON_CUSTOMER), chosen),
    )  # fmt: skip
    responded_col.button(
        "Answered elsewhere", key="inbox.responded", disabled=item.get("first_response_at") is not None and
        item["first_response_at"] == item["first_response_at"], help="Answered outside the app (a phone call, an e-mail): records the first response now and stops the SLA clock",
        on_click=_mark_responded, args=(item_id,),
    )  # fmt: skip
    close_cols = st.columns(len(CLOSING))
    for col, (value, (label, icon)) in zip(close_cols, CLOSING.items(), strict=True):
        col.button(
            label, key=f"inbox.{value}", icon=icon, disabled=status == value,
            on_click=_set_status, args=(item, value, chosen),
        )  # fmt: skip
    if status not in OPEN_STATUSES:
        reopened = str(TriageStatus.ASSIGNED if item.get("assignee") else TriageStatus.NEW)
        st.button(
            "Reopen", key="inbox.reopen", icon=":material/undo:", on_click=_set_status, args=(item, reopened, chosen)
        )
    with st.form("inbox.note", clear_on_submit=True, border=False):
        st.text_area("Internal note (never sent to the customer)", height=80, key="inbox.note_text")
        st.form_submit_button("Add note", on_click=_add_note, args=(item_id,))
    sentiment(item)
    with st.form("inbox.tags", border=False):
        shown = ", ".join(item.get("tags") or [])
        # Keyed by the stored tags too, so that the field shows them as they now are (after a save, or a colleague's).
        tags_key = f"inbox.tags.{item_id}.{shown}"
        st.text_input("Tags (comma-separated)", value=shown, key=tags_key)
        st.form_submit_button("Save tags", on_click=_save_tags, args=(item_id, tags_key))


def sentiment(item: Mapping[str, Any]) -> None:
    """The score, how sure, and a correction (which teaches the next retrain)."""
    label = str(item["sentiment_label"])
    live_sentiment_line(item)
    with st.form("inbox.sentiment", border=False, enter_to_submit=False):
        pick_col, go_col = st.columns([3, 1], vertical_alignment="bottom")
        pick_col.selectbox(
            "Sentiment is", [s for s in sentiment_ui.SENTIMENT_LABELS if s != label], index=None,
            format_func=lambda v: sentiment_ui.SENTIMENT_LABELS[v], key="inbox.correct", placeholder="Correct it to…",
        )  # fmt: skip
        go_col.form_submit_button("Correct", on_click=_correct_sentiment, args=(int(item["id"]),))


def sentiment_line(item: Mapping[str, Any]) -> None:
    """ "Sentiment: Negative (precise model, 60% likely right) · needs review"."""
    label = str(item["sentiment_label"])
    flag = " · :orange-badge[needs review]" if item.get("needs_review") else ""
    by = how_sure(item.get("scorer"), float(item["sentiment_confidence"]))
    st.markdown(f"**Sentiment:** {sentiment_ui.SENTIMENT_LABELS.get(label, label)} ({by}){flag}")


def live_sentiment_line(item: Mapping[str, Any]) -> None:
    """The sentiment line; while the listener's precise pass has yet to reach the item, re-read
    every few seconds, so its precise label shows as soon as it is stored."""
    scorer = item.get("scorer")
    if data.settings().precise_pass_batch <= 0 or scorer == "correction" or is_precise_scorer(scorer):
        sentiment_line(item)
        return
    item_id = int(item["id"])

    @st.fragment(run_every="5s")
    def refreshed() -> None:
        current = data.store().item(item_id)
        if current is None:
            sentiment_line(item)
            return
        row = {**item, **{column: current[column] for column in SENTIMENT_COLUMNS}}
        row["needs_review"] = needs_review(
            str(row.get("language") or ""), float(row["sentiment_confidence"]), row["scorer"]
        )
        sentiment_line(row)

    refreshed()


SENTIMENT_COLUMNS: Final = ("sentiment_label", "sentiment_confidence", "scorer")


def team() -> list[TeamMember]:
    return care_queue.team(data.store(), data.current_actor().name)


def _member_label(members: Sequence[TeamMember]) -> Any:
    counts = {m.name: m.open_items for m in members}
    me = data.current_actor().name
    return lambda name: f"{name}{' (you)' if name == me else ''} · {counts.get(name, 0)} open"


def _assign(item_id: int, person: str) -> None:
    changes = [TriageChange(item_id, "assignee", person)]
    item = data.store().item(item_id)
    if item is not None and item["triage_status"] == TriageStatus.NEW:
        changes.append(TriageChange(item_id, "triage_status", str(TriageStatus.ASSIGNED)))
    data.store().apply_triage(changes, actor=data.current_actor(), now=data.utcnow())
    st.session_state[data.FLASH_KEY] = f"Assigned to {person}"


def _assign_chosen(item_id: int) -> None:
    if person := st.session_state.get("inbox.assignee"):
        _assign(item_id, person)


def _add_note(item_id: int) -> None:
    note = st.session_state.get("inbox.note_text") or ""
    if note.strip():
        data.store().add_note(item_id, note, actor=data.current_actor(), now=data.utcnow())
        st.session_state[data.FLASH_KEY] = "Note added"


def _save_tags(item_id: int, key: str) -> None:
    tags = str(st.session_state.get(key) or "").split(",")
    data.store().set_tags([item_id], tags, actor=data.current_actor(), now=data.utcnow(), mode="replace")
    st.session_state[data.FLASH_KEY] = "Tags saved"


def _correct_sentiment(item_id: int) -> None:
    if corrected := st.session_state.get("inbox.correct"):
        sentiment_ui.save_corrections({corrected: [item_id]})


def _mark_responded(item_id: int) -> None:
    data.store().mark_responded([item_id], actor=data.current_actor(), now=data.utcnow())
    st.session_state[data.FLASH_KEY] = "First response recorded"


def _set_status(item: Mapping[str, Any], status: str, chosen: QueueFilter) -> None:
    """Change the status (a button's callback); resolving or closing moves on to the next item
    and offers Undo."""
    before = _undo_entry(item)
    data.store().apply_triage(
        [TriageChange(int(item["id"]), "triage_status", status)], actor=data.current_actor(), now=data.utcnow()
    )
    if status in CLOSING:
        _offer_undo([before], f"{status_label(status)}: “{_plain(item, 60)}”")
        st.session_state[data.FLASH_KEY] = f"{status_label(status)}"
        go_next(int(item["id"]), chosen)  # may say instead that nothing else is waiting
        return
    st.session_state[data.FLASH_KEY] = f"Marked {status_label(status).lower()}"


# ---- undo ----------------------------------------------------------------------------------------


def _undo_entry(item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "item_id": int(item["id"]),
        "status": str(item["triage_status"]),
        "first_response_at": _time(item.get("first_response_at")),
        "resolved_at": _time(item.get("resolved_at")),
    }


def _offer_undo(entries: list[dict[str, Any]], what: str) -> None:
    st.session_state[UNDO_KEY] = {"entries": entries, "what": what, "at": data.utcnow()}


def undo_banner() -> None:
    """ "Resolved: “my order…” · Undo" for ten seconds after resolving or closing."""
    pending = st.session_state.get(UNDO_KEY)
    if not pending:
        return

    @st.fragment(run_every="2s")
    def banner() -> None:
        offer = st.session_state.get(UNDO_KEY)
        if not offer or data.utcnow() - offer["at"] > UNDO_FOR:
            st.session_state.pop(UNDO_KEY, None)
            return
        text_col, button_col = st.columns([6, 1], vertical_alignment="center")
        text_col.success(inert.escape(offer["what"]), icon=":material/task_alt:")
        if button_col.button("Undo", key="inbox.undo", icon=":material/undo:", type="primary"):
            undo(offer["entries"])

    banner()


def undo(entries: Sequence[Mapping[str, Any]]) -> None:
    store, me, now = data.store(), data.current_actor(), data.utcnow()
    for entry in entries:
        store.undo_status(
            entry["item_id"], status=entry["status"], first_response_at=entry["first_response_at"],
            resolved_at=entry["resolved_at"], actor=me, now=now,
        )  # fmt: skip
    st.session_state.pop(UNDO_KEY, None)
    if len(entries) == 1:
        st.query_params[LINKED_ITEM_PARAM] = str(entries[0]["item_id"])  # back to the item undone
    _done("Undone")


# ---- team metrics --------------------------------------------------------------------------------


def metrics_row() -> None:
    """Median first response, share within SLA, open breaches, alerts acked in time (last 14 days)."""
    metrics = team_metrics(data.store(), now=data.utcnow(), tz=data.viewer_timezone())
    median = metrics.median_first_response_min
    share = metrics.answered_within_sla
    acked = metrics.alerts_acked_within_target
    cols = st.columns(5)
    cols[0].metric("Answered (14 days)", metrics.answered, border=True)
    cols[1].metric(
        "Median first response",
        "—" if median is None else format_duration(timedelta(minutes=float(median))),
        border=True,
    )
    cols[2].metric("Answered within SLA", "—" if share is None else f"{share:.0%}", border=True)
    cols[3].metric("Open and breached", metrics.breached_open, border=True)
    cols[4].metric("Alerts acked in time", "—" if acked is None else f"{acked:.0%}", border=True)
    if not metrics.daily.empty:
        with st.expander("Team metrics over time, breaches by source and language"):
            st.line_chart(metrics.daily.set_index("day")[["median_first_response_min"]], height=160)
            st.table(inert.escape_frame(metrics.daily.set_index("day")))
            if not metrics.breaches.empty:
                st.table(inert.escape_frame(metrics.breaches.set_index(["dimension", "value"])))


# ---- helpers ---------------------------------------------------------------------------------------


def _words(row: Mapping[str, Any], limit: int | None = None) -> str:
    """The customer's words as escaped Markdown, the phrases behind the sentiment highlighted."""
    text = str(row.get("text") or "")
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    if not text.strip():
        return "_(no words: a score without a comment)_"
    return sentiment_ui.marked(text, list(row.get("sentiment_reasons") or []))


def _plain(row: Mapping[str, Any], limit: int) -> str:
    """The words as plain text for options and messages (selectbox options are not Markdown)."""
    text = " ".join(str(row.get("text") or "").split()) or "(no words)"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _left(left: str) -> str:
    """ "-1 h 05 min" reads "overdue by 1 h 05 min"."""
    return f"overdue by {left[1:]}" if left.startswith("-") else f"{left} left"


def _posted(item: Mapping[str, Any]) -> str:
    posted = pd.Timestamp(item["posted_at"]).tz_convert(data.viewer_timezone())
    return f"posted {posted:%d %b %H:%M}"


def _outcome(row: Mapping[str, Any]) -> str:
    status = status_label(str(row["triage_status"]))
    if _time(row.get("first_response_at")) is not None:
        return f"{status}, answered"
    return status


def _event(event: Mapping[str, Any]) -> str:
    field, old, new = event["field"], event["old_value"], event["new_value"]
    if field == "triage_status":
        return f"status: {status_label(str(old)) if old else '—'} → {status_label(str(new))}"
    if field == "assignee":
        return f"assigned to {new}" if new else "unassigned"
    if field == "undo":
        return f"undone: back to {status_label(str(new))}"
    if field == "note":
        return f"note: {new}"
    if field == "first_response_at":
        return "marked responded"
    return f"{field.replace('_', ' ')}: {new or '—'}"


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime) and value == value:
        return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
    return None


def _done(message: str) -> None:
    st.session_state[data.FLASH_KEY] = message
    st.rerun()
