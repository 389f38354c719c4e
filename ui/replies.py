"""Replying from the item workspace, and the Settings sections for saved replies and translation.

`reply_section(item, on_change)` is the composer: what can be done for this customer (reply on
their network, record a call-back, or open the original), a saved-reply picker, a counter in the
network's own units, the payment-data guard's refusal as you type, and the draft's state (failed
with the network's words and a retry; unconfirmed with a check). The domain is
`voc.inbox.replies`; this module only reads widgets and calls it. `on_change` is the caller's way
to refresh after a write (it drops cached queues and reruns).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from listeners.errors import install_log_scrubber, remember_secrets
from ui import data, inert, widgets
from voc.access.roles import AccessDenied, Permission
from voc.inbox.replies import service
from voc.inbox.replies.guard import refusal
from voc.inbox.replies.networks import NETWORKS, Network, Route, route_for
from voc.inbox.replies.repository import CALL_BACK_OUTCOMES, ReplyStatus
from voc.inbox.replies.saved import PLACEHOLDERS, SavedReply, check_saved_reply, fill, suggest
from voc.inbox.replies.senders import SenderFactory, senders_from_settings
from voc.inbox.replies.translation import (
    TRANSLATION_KEY,
    TranslationError,
    TranslationSettings,
    check_url,
    translate,
)
from voc.settings import SECRET_KEYS
from voc.themes.repository import load_taxonomy
from voc.themes.taxonomy import ThemeStatus

LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "nl", "ar")


@st.cache_resource(show_spinner=False)
def _senders(url: str) -> SenderFactory:
    settings = data.settings()
    # tweepy and urllib3 log request headers at DEBUG (OAuth's consumer key and token among them):
    # every log record of this process is scrubbed of the write credentials, as in the listeners.
    install_log_scrubber()
    remember_secrets(getattr(settings, key, None) for key in SECRET_KEYS)
    return senders_from_settings(settings)


def senders() -> SenderFactory:
    """One sender per network for the whole server (their sessions and sign-ins are reused)."""
    return _senders(data.settings().database_url)


@st.cache_resource(show_spinner=False)
def _reconciled(url: str) -> int:
    """Settle, once per server start, every reply attempt whose outcome was never recorded."""
    return len(service.reconcile_pending(data.store(), senders=senders(), now=data.utcnow()))


def translation_settings() -> TranslationSettings:
    return TranslationSettings.from_stored(data.store().get_setting(TRANSLATION_KEY))


def reply_section(item: dict[str, Any], on_change: Callable[[], None]) -> None:
    """The reply composer for one item (a row of the queue or the stored item: it needs `id`)."""
    store = data.store()
    _reconciled(data.settings().database_url)
    context = store.reply_context(int(item["id"]))
    if context is None:
        return
    route = route_for(context, context.get("source_kind"))
    replies = store.replies_of(int(context["id"]))
    st.markdown("**Answer the customer**")
    _history(replies)
    if route.route is Route.OPEN_ORIGINAL:
        st.info(route.why, icon=":material/open_in_new:")
        link = inert.web_link(context.get("link"))
        if link:
            st.link_button("Open the original", link, icon=":material/open_in_new:")
        return
    if route.route is Route.CALL_BACK:
        _call_back(context, on_change)
        return
    assert route.network is not None
    _composer(context, route.network, replies, on_change)


def _history(replies: list[dict[str, Any]]) -> None:
    for reply in replies:
        if reply["status"] == ReplyStatus.POSTED:
            at = pd.Timestamp(reply["posted_at"]).tz_convert(data.viewer_timezone())
            remote = inert.web_link(reply.get("remote_url"))
            link = f" · [open]({remote})" if remote else ""
            st.success(
                f"Answered on {_network_name(reply['network'])} at {at:%d %b %H:%M} by "
                f"{inert.escape(str(reply['sent_by']))}{link}: “{inert.escape(reply['text'])}”",
                icon=":material/mark_chat_read:",
            )
        elif reply["status"] == ReplyStatus.RECORDED:
            at = pd.Timestamp(reply["posted_at"]).tz_convert(data.viewer_timezone())
            outcome = CALL_BACK_OUTCOMES.get(str(reply["outcome"]), str(reply["outcome"]))
            st.success(
                f"Called back at {at:%d %b %H:%M} by {inert.escape(str(reply['sent_by']))}: {outcome}",
                icon=":material/call:",
            )


def _network_name(key: str) -> str:
    return NETWORKS[key].name if key in NETWORKS else key


def _composer(
    context: dict[str, Any], network: Network, replies: list[dict[str, Any]], on_change: Callable[[], None]
) -> None:
    item_id = int(context["id"])
    store, me = data.store(), data.current_actor()
    draft = store.open_reply_draft(item_id)
    if draft is not None and _draft_state(draft, network, on_change):
        return
    if not data.may(Permission.TRIAGE):
        st.caption(f"Replies on {network.name} are written by agents.")
        return
    text_key = f"reply.text.{item_id}"
    if text_key not in st.session_state:
        st.session_state[text_key] = draft["text"] if draft else ""
    language = context.get("language")
    saved = suggest(store.list_saved_replies(), language=language, theme_ids=context.get("theme_ids") or [])
    if saved:
        by_id = {r.id: r for r in saved}
        st.selectbox(
            "Start from a saved reply",
            list(by_id),
            index=None,
            format_func=lambda i: f"{by_id[i].title} ({widgets.language_name(by_id[i].language)})",
            placeholder="Choose a saved reply (suggested for this language and theme first)",
            key=f"reply.saved.{item_id}",
            on_change=_use_saved,
            args=(item_id, by_id, context.get("author")),
        )
    text = st.text_area(
        f"Reply on {network.name}",
        key=text_key,
        height=110,
        placeholder=f"Write to {context.get('author') or 'the customer'}: it is posted publicly on {network.name}.",
    )
    posted_text = service.final_text(network, text, context, senders()) if text.strip() else ""
    count = network.length(posted_text)
    over = count > network.limit
    st.caption(
        f"{'🔴 ' if over else ''}{count:,} / {network.limit:,} {network.unit}"
        + (f" · over by {count - network.limit:,}" if over else f" · {network.limit - count:,} left")
        + (
            " · starts with the customer's handle so they are told"
            if posted_text != text.strip() and text.strip()
            else ""
        )
    )
    guarded = refusal(posted_text) if posted_text else None
    if guarded:
        st.error(guarded, icon=":material/credit_card_off:")
    _translation(context, text, item_id)
    confirmed = _second_reply_confirmed(item_id, replies, me.name)
    send = st.button(
        f"Send on {network.name}",
        type="primary",
        icon=":material/send:",
        key=f"reply.send.{item_id}",
        disabled=not text.strip() or over or bool(guarded) or not confirmed,
    )
    if send:
        saved_id = st.session_state.get(f"reply.saved.{item_id}")
        try:
            stored = service.prepare(
                store, item_id, text, senders=senders(), actor=me, now=data.utcnow(), saved_reply_id=saved_id
            )
            with st.spinner(f"Sending on {network.name}…"):
                outcome = service.send(store, int(stored["id"]), senders=senders(), actor=me, now=data.utcnow())
        except service.ReplyRefused as refused:
            st.error(str(refused), icon=":material/block:")
            return
        _after(outcome, text_key, on_change)


def _second_reply_confirmed(item_id: int, replies: list[dict[str, Any]], me: str) -> bool:
    """Ask before a second answer goes out: the customer was answered already, or a colleague has
    the item open right now (they may be writing to them). True when nothing stands in the way or
    the agent has said to send anyway."""
    reasons = []
    posted = sum(r["status"] == ReplyStatus.POSTED for r in replies)
    if posted:
        reasons.append("this customer has been answered here already")
    others = data.store().viewers(item_id, besides=me, now=data.utcnow())
    if others:
        reasons.append(f"{', '.join(inert.escape(name) for name, _ in others)} also has it open")
    if not reasons:
        return True
    return st.checkbox(
        f"Send a second answer anyway ({'; '.join(reasons)})",
        value=False,
        key=f"reply.second.{item_id}.{posted}",  # each answer posted asks afresh
    )


def _draft_state(draft: dict[str, Any], network: Network, on_change: Callable[[], None]) -> bool:
    """Say where the open draft stands; True when the composer must not be shown under it."""
    me, store = data.current_actor(), data.store()
    draft_id = int(draft["id"])
    if draft["status"] == ReplyStatus.FAILED:
        st.error(f"Not sent. {draft['error']}", icon=":material/error:")
        left, right = st.columns(2)
        if left.button("Retry", key=f"reply.retry.{draft_id}", icon=":material/refresh:", type="primary"):
            outcome = service.send(store, draft_id, senders=senders(), actor=me, now=data.utcnow())
            _after(outcome, f"reply.text.{draft['item_id']}", on_change)
        if right.button("Discard this draft", key=f"reply.discard.{draft_id}", icon=":material/delete:"):
            store.discard_reply_draft(draft_id, actor=me, now=data.utcnow())
            st.session_state.pop(f"reply.text.{draft['item_id']}", None)
            on_change()
        st.caption("Or edit the text below and send it again.")
        return False
    if draft["status"] in (ReplyStatus.SENDING, ReplyStatus.UNKNOWN):
        st.warning(
            f"{network.name} has not confirmed this reply yet"
            + (f": {draft['error']}" if draft.get("error") else ".")
            + f" Checking looks on {network.name} first and records it if it is there; it is never posted twice.",
            icon=":material/hourglass_top:",
        )
        st.markdown(f"> {inert.escape(draft['text'])}")
        if st.button(f"Check on {network.name} now", key=f"reply.check.{draft_id}", icon=":material/sync:"):
            outcome = service.send(store, draft_id, senders=senders(), actor=me, now=data.utcnow())
            _after(outcome, f"reply.text.{draft['item_id']}", on_change)
        return True
    return False


def _after(outcome: service.Outcome, text_key: str, on_change: Callable[[], None]) -> None:
    if outcome.status == ReplyStatus.POSTED:
        st.session_state.pop(text_key, None)
        st.session_state[data.FLASH_KEY] = outcome.message
        on_change()
    else:
        on_change()  # the draft's state (failed, unconfirmed) is shown after the rerun


def _use_saved(item_id: int, by_id: dict[int, SavedReply], author: str | None) -> None:
    chosen = st.session_state.get(f"reply.saved.{item_id}")
    if chosen in by_id:
        st.session_state[f"reply.text.{item_id}"] = fill(
            by_id[chosen].text,
            author=author,
            brand=data.settings().brand,
            agent_name="" if data.local_mode() else data.current_actor().name,  # "local user" is nobody's name
        )


def _translation(context: dict[str, Any], text: str, item_id: int) -> None:
    settings = translation_settings()
    if not settings.enabled:
        return
    customer = str(context.get("language") or "") if context.get("language") not in (None, "", "unknown") else ""
    with st.expander("Translate", icon=":material/translate:"):
        if st.button(f"Show the message in {settings.agent_language}", key=f"reply.tr.in.{item_id}"):
            try:
                shown = translate(
                    context["text"],
                    target=settings.agent_language,
                    settings=settings,
                    api_key=data.settings().libretranslate_api_key,
                )
                st.markdown(f"> {inert.escape(shown.text)}")
            except TranslationError as error:
                st.error(str(error))
        wanted = customer and customer != settings.agent_language and text.strip()
        if wanted and st.button(f"Translate my reply into {customer}", key=f"reply.tr.out.{item_id}"):
            try:
                result = translate(
                    text,
                    source=settings.agent_language,
                    target=customer,
                    settings=settings,
                    api_key=data.settings().libretranslate_api_key,
                )
            except TranslationError as error:
                st.error(str(error))
                return
            mine, theirs = st.columns(2)
            mine.caption("Your words")
            mine.markdown(inert.escape(text))
            theirs.caption(f"In {customer}")
            theirs.markdown(inert.escape(result.text))
            st.session_state[f"reply.translated.{item_id}"] = result.text
        translated = st.session_state.get(f"reply.translated.{item_id}")
        if translated:
            st.button(
                "Use the translation as the reply",
                key=f"reply.tr.use.{item_id}",
                on_click=_use_translation,  # before the composer is drawn: a drawn widget's value is fixed
                args=(item_id, translated),
            )


def _use_translation(item_id: int, translated: str) -> None:
    st.session_state[f"reply.text.{item_id}"] = translated
    st.session_state.pop(f"reply.translated.{item_id}", None)


def _call_back(context: dict[str, Any], on_change: Callable[[], None]) -> None:
    st.info(
        "A survey respondent is answered by a call-back: call them, then record it here with how it went.",
        icon=":material/call:",
    )
    if not data.may(Permission.TRIAGE):
        return
    item_id = int(context["id"])
    with st.form(f"reply.callback.{item_id}", border=True):
        outcome = st.selectbox(
            "How did the call go?",
            list(CALL_BACK_OUTCOMES),
            index=None,
            format_func=lambda key: CALL_BACK_OUTCOMES[key],
            placeholder="Choose the outcome",
        )
        note = st.text_input("Note (internal, optional)", placeholder="Refund agreed; follow up Friday")
        if not st.form_submit_button("Record call-back", icon=":material/call:"):
            return
    if outcome is None:
        st.error("Choose how the call went first.")
        return
    try:
        service.record_call_back(
            data.store(), item_id, outcome=outcome, note=note, actor=data.current_actor(), now=data.utcnow()
        )
    except service.ReplyRefused as refused:
        st.error(str(refused))
        return
    st.session_state[data.FLASH_KEY] = "Call-back recorded"
    on_change()


# ---- Settings page -----------------------------------------------------------------------------------


def saved_replies_section() -> None:
    """The team's saved replies: everyone sees them; admins add, change and delete."""
    store = data.store()
    replies = store.list_saved_replies()
    themes = {t.id: t.name for t in load_taxonomy(store).themes if t.status == ThemeStatus.ACTIVE and not t.alias_of}
    st.caption(
        "Agents start a reply from these: the item's language first, then replies for one of its themes. Placeholders: "
        + ", ".join(f"`{{{k}}}` ({v})" for k, v in PLACEHOLDERS.items())
        + "."
    )
    if replies:
        table = pd.DataFrame(
            [
                {
                    "Title": r.title,
                    "Language": r.language,
                    "Theme": themes.get(r.theme_id or "", "any"),
                    "Text": r.text,
                    "Used": r.use_count,
                }
                for r in replies
            ]
        )
        st.table(inert.escape_frame(table.set_index("Title")))
    else:
        st.info("No saved replies yet.", icon=":material/chat:")
    if not data.may(Permission.CONFIGURE_CARE):
        st.caption("Read-only: only an admin can change saved replies.")
        return
    by_id = {r.id: r for r in replies}
    chosen = st.selectbox(
        "Saved reply to change",
        [0, *by_id],
        format_func=lambda i: (
            "+ New saved reply" if i == 0 else f"{by_id[i].title} ({widgets.language_name(by_id[i].language)})"
        ),
        key="settings.saved.choice",
    )
    current = by_id.get(chosen or 0)
    key = f"settings.saved.{chosen or 'new'}"
    with st.form("settings.saved.form", border=True):
        title = st.text_input(
            "Title", value=current.title if current else "", key=f"{key}.title", placeholder="Refund on its way"
        )
        language = st.selectbox(
            "Language",
            LANGUAGES,
            index=LANGUAGES.index(current.language) if current and current.language in LANGUAGES else 0,
            format_func=widgets.language_name,
            key=f"{key}.language",
        )
        theme_ids: list[str | None] = [None, *sorted(themes, key=lambda i: themes[i].casefold())]
        theme_id = st.selectbox(
            "Suggested first for the theme",
            theme_ids,
            index=theme_ids.index(current.theme_id) if current and current.theme_id in theme_ids else 0,
            format_func=lambda i: "Any theme" if i is None else themes[i],
            key=f"{key}.theme",
        )
        text = st.text_area(
            "Text",
            value=current.text if current else "",
            key=f"{key}.text",
            placeholder="Hi {author}, {agent} from {brand} here. ...",
        )
        save = st.form_submit_button("Save saved reply", type="primary", icon=":material/save:")
        delete = current is not None and st.form_submit_button("Delete this saved reply", icon=":material/delete:")
    if save:
        problems = check_saved_reply(title, language, text) + ([] if not refusal(text) else [str(refusal(text))])
        if problems:
            for problem in problems:
                st.error(problem)
            return
        try:
            store.save_saved_reply(
                title=title,
                language=language,
                text=text,
                theme_id=theme_id,
                actor=data.current_actor(),
                now=data.utcnow(),
                reply_id=current.id if current else None,
            )
        except (ValueError, AccessDenied) as error:
            st.error(str(error))
            return
        st.session_state[data.FLASH_KEY] = f"Saved reply “{title.strip()}” saved"
        st.rerun()
    if delete and current is not None:
        store.delete_saved_reply(current.id, actor=data.current_actor(), now=data.utcnow())
        st.session_state[data.FLASH_KEY] = f"Saved reply “{current.title}” deleted"
        st.rerun()


def translation_section() -> None:
    """Where translations come from: off until an admin names a self-hosted LibreTranslate server."""
    current = translation_settings()
    st.caption(
        "With a self-hosted LibreTranslate server, agents can read a message in their language and translate "
        "a reply into the customer's before posting. Without one, nothing is translated and nothing is sent anywhere."
    )
    st.markdown(f"**Translation:** {'on, through ' + inert.escape(current.url) if current.enabled else 'off'}")
    if not data.may(Permission.CONFIGURE_CARE):
        st.caption("Read-only: only an admin can change where translations come from.")
        return
    with st.form("settings.translation", border=True):
        url = st.text_input(
            "LibreTranslate server", value=current.url, placeholder="http://translate.internal:5000 (empty: off)"
        )
        agent_language = st.selectbox(
            "Agents read messages in",
            LANGUAGES,
            index=LANGUAGES.index(current.agent_language) if current.agent_language in LANGUAGES else 0,
            format_func=widgets.language_name,
        )
        if not st.form_submit_button("Save translation settings", icon=":material/save:"):
            return
    problem = check_url(url)
    if problem:
        st.error(problem)
        return
    data.store().put_setting(
        TRANSLATION_KEY,
        TranslationSettings(url=url.strip(), agent_language=agent_language).to_stored(),
        actor=data.current_actor(),
        permission=Permission.CONFIGURE_CARE,
        now=data.utcnow(),
    )
    st.session_state[data.FLASH_KEY] = "Translation settings saved"
    st.rerun()
