"""The Sources page's forms for every kind: credential notices, add and edit forms, test connection.

One mechanism for all kinds: each `voc.sources.forms.SourceFamily` (X, Mastodon, Bluesky, Reddit,
feeds, app reviews) gets an add form and one edit form per source, built from its `FormField`s.
Widgets are keyed `<family>-add.<field>` and `<family>-edit.<source>.<field>`. Credentials are never
widgets: they come from the environment or `.streamlit/secrets.toml`, and only their absence is shown.
A source added right after its connection test failed (same settings) is stored with what the test
said, and its card says so. `delete_form` deletes a source after a confirmation; its items stay.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import streamlit as st

from ui import data, inert, widgets
from voc.models import SourceState
from voc.sources.forms import FAMILIES, FAMILY_OF, SourceFamily, SourceForm, credential_problems

if TYPE_CHECKING:
    from listeners.registry import ConnectionCheck

BUDGET_HELP = "Paused until the next UTC midnight once today's estimated cost reaches this (0: no budget)."
TEST_HELP = "One cheap real call with these settings (not saved): does the source work, and if not, why."


def configurable(sources: list[SourceState]) -> list[SourceState]:
    """The sources the page can edit (not the demo feed or the survey folder)."""
    return [source for source in sources if source.kind in FAMILY_OF]


def credential_notices(sources: list[SourceState]) -> None:
    """Say plainly which credentials the configured sources lack (never the credentials themselves)."""
    for problem in credential_problems(data.settings(), {source.kind for source in sources}):
        st.error(f"{problem}, then restart the listeners.", icon=":material/key_off:")


def add_forms(sources: list[SourceState]) -> None:
    """One "Add" form per family of kinds."""
    taken = frozenset(source.name for source in sources)
    for family in FAMILIES:
        prefix = f"{family.key}-add"
        with st.expander(f"Add {family.title} source", icon=":material/add:"):
            st.caption(family.credentials_note)
            with st.form(prefix):
                kinds = list(family.kinds)
                kind = kinds[0]
                if len(kinds) > 1:
                    kind = st.selectbox("Kind", kinds, format_func=family.kinds.__getitem__, key=f"{prefix}.kind")
                name = st.text_input("Name", placeholder=f"{family.key}-brand", key=f"{prefix}.name")
                blank = SourceForm(
                    name="", kind=kind, brand=data.settings().brand, poll_interval_s=family.default_poll_s
                )
                form = _fields(family, blank, prefix, name=name, kind=kind)
                add, test = _buttons(family, prefix, "Add source", type="primary")
            if test:
                _remember_check(prefix, form, _show_check(form))
            elif add and _accepted(form, taken):
                failure = _failed_check(prefix, form)
                data.add_source(form, test_failure=failure)
                _rerun_with(
                    f"Added {form.name} although its connection test failed; its card says so"
                    if failure
                    else f"Added {form.name}; the listeners pick it up within seconds"
                )


def edit_forms(sources: list[SourceState]) -> None:
    """One form per configured source: its fields, brand, competitor tag, interval, budget, enabled.
    Each in its own expander for a few sources; past `widgets.SOURCE_CARDS_AT_MOST`, one expander
    where the source is chosen first (nothing preselected), so the page does not grow a row a source."""
    editable = configurable(sources)
    if len(editable) <= widgets.SOURCE_CARDS_AT_MOST:
        for source in editable:
            with st.expander(f"Edit {inert.escape(source.name)}", icon=":material/edit:"):
                _edit_form(source)
        return
    with st.expander("Edit a source", icon=":material/edit:"):
        by_name = {source.name: source for source in editable}
        name = st.selectbox("Source", sorted(by_name), index=None, placeholder="Choose a source", key="edit.source")
        if name is not None:
            _edit_form(by_name[name])


def _edit_form(source: SourceState) -> None:
    family = FAMILY_OF[source.kind]
    prefix = f"{family.key}-edit.{source.name}"
    with st.form(prefix):
        form = _fields(family, SourceForm.from_source(source), prefix)
        save, test = _buttons(family, prefix, "Save changes")
    if test:
        _show_check(form)
    elif save and _accepted(form):
        data.save_source(form, source)
        _rerun_with(f"Saved {source.name}; it is polled on the listeners' next tick")


def _fields(family: SourceFamily, current: SourceForm, prefix: str, **fixed: str) -> SourceForm:
    """The family's inputs; an add form shows every kind's fields, labelled with their kind."""
    kind = fixed.get("kind", current.kind)
    shown = family.fields if "kind" in fixed else family.fields_for(kind)
    values = {}
    for form_field in shown:
        value = current.values.get(form_field.key) or form_field.default
        key = f"{prefix}.{form_field.key}"
        if form_field.widget == "area":
            typed = st.text_area(
                form_field.label, value=value, max_chars=form_field.max_chars, help=form_field.help or None, key=key
            )
        else:
            typed = st.text_input(
                form_field.label,
                value=value,
                placeholder=form_field.placeholder,
                max_chars=form_field.max_chars,
                help=form_field.help or None,
                key=key,
            )
        values[form_field.key] = typed or ""
    left, right = st.columns(2)
    brand = left.text_input("Brand", value=current.brand, key=f"{prefix}.brand")
    competitor = right.checkbox(
        "Competitor",
        value=current.competitor,
        help="Share of voice on Trends; kept out of the Inbox.",
        key=f"{prefix}.competitor",
    )
    interval = left.number_input(
        "Poll interval (s)",
        min_value=float(family.min_poll_s),
        value=max(float(current.poll_interval_s), float(family.min_poll_s)),
        step=30.0,
        key=f"{prefix}.interval",
    )
    budget = current.daily_budget_usd
    if family.paid:
        budget = right.number_input(
            "Daily budget (USD)", min_value=0.0, value=float(budget), step=1.0, help=BUDGET_HELP, key=f"{prefix}.budget"
        )
    enabled = st.checkbox("Enabled", value=current.enabled, key=f"{prefix}.enabled")
    return SourceForm(
        name=str(fixed.get("name", current.name)).strip(),
        kind=kind,
        values=values,
        brand=brand or "",
        competitor=competitor,
        poll_interval_s=float(interval),
        daily_budget_usd=float(budget),
        enabled=enabled,
    )


def _buttons(family: SourceFamily, prefix: str, label: str, **kwargs: str) -> tuple[bool, bool]:
    """The form's submit button, and "Test connection" where the family has a test."""
    left, right = st.columns(2)
    submitted = left.form_submit_button(label, key=f"{prefix}.submit", **kwargs)  # type: ignore[arg-type]
    if not family.testable:
        return submitted, False
    test = right.form_submit_button(
        "Test connection", key=f"{prefix}.test", icon=":material/network_check:", help=TEST_HELP
    )
    return submitted, test


def delete_form(sources: list[SourceState]) -> None:
    """Delete a source: choose it (nothing is preselected), then confirm. Its items stay."""
    with st.expander("Delete a source", icon=":material/delete:"):
        st.caption(
            "A deleted source is no longer polled; the items it brought stay in the Inbox and on Trends "
            "(erase them on the Privacy page if they must go)."
        )
        names = [source.name for source in sources]
        name = st.selectbox("Source", names, index=None, placeholder="Choose a source", key="delete.source")
        if name is None:
            return
        if st.session_state.get("delete.pending") != name:
            st.button("Delete source…", icon=":material/delete:", key="delete.ask", on_click=_ask_delete, args=(name,))
            return
        kept = data.source_item_count(name)
        st.warning(
            f"Delete {name}? It is no longer polled. Its {kept:,} item{'s' if kept != 1 else ''} stay.",
            icon=":material/warning:",
        )
        yes, no = st.columns(2)
        yes.button(f"Yes, delete {name}", type="primary", key="delete.confirm", on_click=_delete, args=(name,))
        no.button("Cancel", key="delete.cancel", on_click=_cancel_delete)


def _ask_delete(name: str) -> None:
    st.session_state["delete.pending"] = name


def _cancel_delete() -> None:
    st.session_state.pop("delete.pending", None)


def _delete(name: str) -> None:
    kept = data.delete_source(name)
    st.session_state.pop("delete.pending", None)
    st.session_state["delete.source"] = None  # nothing chosen after a deletion either
    st.session_state[data.FLASH_KEY] = f"Deleted {name}; its {kept:,} item{'s' if kept != 1 else ''} stay"


def _check_key(form: SourceForm) -> str:
    """What a connection test tested: the kind and the settings it would store."""
    return json.dumps([form.kind, form.config()], sort_keys=True, default=str)


def _remember_check(prefix: str, form: SourceForm, verdict: ConnectionCheck | None) -> None:
    if verdict is not None:
        st.session_state[f"{prefix}.last-test"] = (_check_key(form), verdict.ok, verdict.message)


def _failed_check(prefix: str, form: SourceForm) -> str | None:
    """What the connection test said if it failed for exactly these settings, else None."""
    remembered = st.session_state.get(f"{prefix}.last-test")
    if not remembered:
        return None
    key, ok, message = remembered
    return None if ok or key != _check_key(form) else str(message)


def _show_check(form: SourceForm) -> ConnectionCheck | None:
    problems = [p for p in form.problems() if not p.startswith("Name:")]  # a test needs no name yet
    if problems:
        st.error("\n".join(f"- {inert.escape(problem)}" for problem in problems), icon=":material/error:")
        return None
    with st.spinner("Testing the connection…"):
        verdict = data.check_source(form)
    if verdict.ok:  # the message may quote the remote server: shown as written
        st.success(inert.escape(verdict.message), icon=":material/check_circle:")
    else:
        st.error(inert.escape(verdict.message), icon=":material/error:")
    return verdict


def _rerun_with(message: str) -> None:
    """Show the page again with the change in it, and the message as a toast (`widgets.show_flash`)."""
    st.session_state[data.FLASH_KEY] = message
    st.rerun()


def _accepted(form: SourceForm, taken: frozenset[str] = frozenset()) -> bool:
    problems = form.problems(taken)
    if problems:
        st.error("\n".join(f"- {inert.escape(problem)}" for problem in problems), icon=":material/error:")
    return not problems
