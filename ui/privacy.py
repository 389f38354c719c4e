"""The Privacy page's pieces: retention per source, erasure on request, hiding handles from viewers.

Streamlit-aware; the work is `voc.privacy` (docs/privacy.md), which checks the admin's role again
on every call. Nothing here keeps a person's handle or e-mail beyond the session that typed it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import pandas as pd
import streamlit as st

from ui import data, inert, widgets
from voc.access.roles import AccessDenied, Actor, Permission
from voc.privacy import policy, raw_files
from voc.privacy.erasure import ErasurePreview, Subject, erase, preview_erasure
from voc.privacy.purge import count_name
from voc.privacy.retention import RetentionPreview, preview_retention, sweep

CONFIRM_WORD: Final = "ERASE"
AUTHOR, RESPONDENT = "Author handle", "Survey respondent"
PREVIEW_KEY: Final = "privacy.preview"
RESULT_KEY: Final = "privacy.result"


def admin_only() -> Actor:
    """The current person, when they may manage privacy; otherwise the page stops saying why."""
    actor = data.current_actor()
    if not actor.can(Permission.MANAGE_PRIVACY):
        st.warning(
            f"Privacy controls are for admins; you are signed in as a {actor.role_label}.", icon=":material/lock:"
        )
        st.stop()
    return actor


def _exports_dir() -> Any:
    return data.settings().data_dir / "exports"


def _survey_folders() -> list[Path]:
    return raw_files.survey_folders(data.store(), data.settings().data_dir)


# ---- retention ------------------------------------------------------------------------------------


def retention_previews(actor: Actor) -> list[RetentionPreview]:
    return preview_retention(data.store(), now=data.utcnow(), actor=actor, settings=data.privacy_settings())


def retention_form(previews: list[RetentionPreview]) -> dict[str, int] | None:
    """A number of days per source (0: keep for ever); the new policy when saved."""
    if not previews:
        st.info("No sources yet: retention is set per source once one is registered.", icon=":material/sensors_off:")
        return None
    shown = previews
    if len(previews) > widgets.SOURCE_CARDS_AT_MOST:  # one input, not one a source (the page grew a row each)
        by_name = {p.source: p for p in previews}
        chosen = st.selectbox("Source", sorted(by_name), index=None, placeholder="Choose a source to change",
                              key="privacy.retention.source")  # fmt: skip
        if chosen is None:
            return None
        shown = [by_name[chosen]]
    with st.form("privacy.retention"):
        days = {p.source: p.days or 0 for p in previews}  # the sources not shown keep theirs
        for p in shown:
            days[p.source] = st.number_input(
                f"{inert.escape(p.source)}: delete items older than (days; 0 keeps them)", min_value=0, max_value=36_500,
                value=p.days or 0, step=1, key=f"privacy.days.{p.source}",
                help="0 keeps this source's items for ever (the default)",
            )  # fmt: skip
        if not st.form_submit_button("Save retention", type="primary", icon=":material/save:"):
            return None
    return {source: int(n) for source, n in days.items()}


def save_retention(actor: Actor, days: dict[str, int]) -> None:
    try:
        policy.save_retention(data.store(), days, actor=actor, now=data.utcnow())
    except (ValueError, AccessDenied) as error:
        st.error(str(error), icon=":material/error:")
        return
    on = sum(1 for n in days.values() if n)
    st.session_state[data.FLASH_KEY] = f"Retention saved: {on} source{'s' if on != 1 else ''} with a limit"
    st.rerun()


def survey_files_form(actor: Actor) -> None:
    """How long the watched survey folder keeps imported exports (the vendor's file, addresses in clear)."""
    current = data.privacy_settings().survey_files_days
    with st.form("privacy.survey_files"):
        days = st.number_input("Survey exports imported from the watched folder: delete after (days; 0 keeps them)",
                               min_value=0,
                               max_value=36_500, value=current or 0, step=1, key="privacy.survey_files.days",
                               help="The folder's done/ holds each imported export with addresses in clear; "
                                    "the database keeps the items, redacted. 0 keeps the files for ever.")  # fmt: skip
        saved = st.form_submit_button("Save", icon=":material/save:")
    st.caption("The report beside each file stays and says when the file went; files in failed/ stay until "
               "someone fixes and re-drops them.")  # fmt: skip
    if not saved:
        return
    try:
        policy.save_survey_files_days(data.store(), int(days), actor=actor, now=data.utcnow())
    except (ValueError, AccessDenied) as error:
        st.error(str(error), icon=":material/error:")
        return
    st.session_state[data.FLASH_KEY] = (
        f"Imported survey exports are deleted after {int(days)} days" if days else "Imported survey exports are kept"
    )
    st.rerun()


def next_sweep_table(previews: list[RetentionPreview]) -> None:
    """What the next sweep (hourly, in the listener process) would delete, source by source."""
    limited = [p for p in previews if p.days]
    if not limited:
        st.caption("Retention is off for every source: nothing is ever deleted by age.")
        return
    rows = [{"Source": p.source, "Keeps (days)": p.days, "Items the next sweep deletes": p.items,
             "Related rows": sum(n for name, n in p.counts.items() if name != "items")} for p in limited]  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption("The listener process sweeps hourly; notes, labels, embeddings, alerts and exports go with the items.")


def sweep_now(actor: Actor) -> None:
    report = sweep(data.store(), now=data.utcnow(), actor=actor, exports_dir=_exports_dir())
    st.cache_data.clear()  # no cached read may keep showing deleted items
    st.session_state[data.FLASH_KEY] = f"Sweep done: {report.items} items deleted"
    st.rerun()


# ---- erasure --------------------------------------------------------------------------------------


def _subject(kind: str, value: str) -> Subject:
    return Subject.author(value) if kind == AUTHOR else Subject.respondent(value)


def erasure_form() -> tuple[str, str]:
    """Whom to erase: (kind, what was typed)."""
    kind = st.radio("Whose data", [AUTHOR, RESPONDENT], horizontal=True, key="privacy.kind")
    label, hint = (
        ("Handle", "@name or @name@instance.example") if kind == AUTHOR else ("E-mail or customer id", "jo@example.com")
    )
    value = st.text_input(label, key="privacy.who", placeholder=hint)
    return str(kind), value.strip()


def preview(actor: Actor, kind: str, value: str) -> ErasurePreview | None:
    """The preview for (kind, value): computed on "Preview", kept while the input is unchanged."""
    if st.button("Preview", key="privacy.preview_button", disabled=not value, icon=":material/search:"):
        try:
            found = preview_erasure(
                data.store(), _subject(kind, value), actor=actor, exports_dir=_exports_dir(),
                survey_folders=_survey_folders(),
            )  # fmt: skip
        except ValueError as error:
            st.error(str(error), icon=":material/error:")
            return None
        st.session_state[PREVIEW_KEY] = (kind, value, found)
    shown = st.session_state.get(PREVIEW_KEY)
    if not shown or shown[:2] != (kind, value):
        return None  # typed something else since: preview again
    return shown[2]  # type: ignore[no-any-return]


def preview_tables(found: ErasurePreview) -> None:
    counts = [(count_name(name), n) for name, n in found.counts.items()]
    st.dataframe(pd.DataFrame(counts, columns=["What", "Rows"]), hide_index=True)
    if found.samples:
        st.caption(f"Their newest items (of {found.counts.get('items', 0)}):")
        samples = [
            {"Item": s.id, "Posted": s.posted_at, "Source": s.source, "Channel": widgets.channel_name(s.channel),
             "Text": s.text}
            for s in found.samples
        ]  # fmt: skip
        st.dataframe(
            widgets.in_timezone(pd.DataFrame(samples), "Posted", data.viewer_timezone()),
            hide_index=True,
            width="stretch",
            column_config={"Posted": st.column_config.DatetimeColumn("Posted", format="D MMM YYYY HH:mm")},
        )
    if found.exports:
        st.caption("Regenerated without them: " + inert.escape(", ".join(found.exports)))
    if found.raw_files:
        st.caption("Raw survey exports that name them, deleted whole (their other respondents' items stay in "
                   "the database): " + inert.escape(", ".join(found.raw_files)))  # fmt: skip
    st.warning("Erasure cannot be undone. Copies already sent or downloaded (e-mailed exports) are out of reach.",
               icon=":material/warning:")  # fmt: skip


def confirm_and_erase(actor: Actor, kind: str, value: str) -> None:
    typed = st.text_input(f"Type {CONFIRM_WORD} to confirm", key="privacy.confirm")
    st.button("Erase", type="primary", icon=":material/delete_forever:", key="privacy.erase",
              disabled=typed.strip() != CONFIRM_WORD, on_click=_erase, args=(actor, kind, value))  # fmt: skip


def _erase(actor: Actor, kind: str, value: str) -> None:
    """Erase (a button callback, so the form can be cleared before the rerun draws it)."""
    try:
        result = erase(
            data.store(), _subject(kind, value), actor=actor, now=data.utcnow(), exports_dir=_exports_dir(),
            survey_folders=_survey_folders(),
        )  # fmt: skip
    except (ValueError, AccessDenied) as error:
        st.session_state[RESULT_KEY] = ("error", str(error))
        return
    st.cache_data.clear()  # no cached read may keep showing what was erased
    st.session_state[RESULT_KEY] = ("success", f"Erased {result.masked}: " + "; ".join(result.lines()))
    for key in (PREVIEW_KEY, "privacy.who", "privacy.confirm"):
        st.session_state.pop(key, None)


def last_result() -> None:
    outcome = st.session_state.pop(RESULT_KEY, None)
    if outcome:
        (st.success if outcome[0] == "success" else st.error)(outcome[1])


# ---- handles --------------------------------------------------------------------------------------


def handles_toggle(actor: Actor) -> None:
    """Hide author handles (and links) from viewers on every page and in new exports."""
    current = data.privacy_settings().hide_handles_from_viewers
    wanted = st.toggle("Hide author handles from viewers", value=current, key="privacy.hide_handles",
                       help="Viewers see “(hidden)” instead of a handle, and no links; agents and admins still see them")  # fmt: skip
    if wanted != current:
        policy.set_hide_handles(data.store(), wanted, actor=actor, now=data.utcnow(), exports_dir=_exports_dir())
        st.cache_data.clear()
        st.session_state[data.FLASH_KEY] = "Handles hidden from viewers" if wanted else "Viewers see handles again"
        st.rerun()
    st.caption("On: the inbox, alerts and exports show viewers “(hidden)” for authors. Exports made before are "
               "rebuilt without links by the next sweep; viewers cannot download them until then.")  # fmt: skip
