"""Cached access to the store for the pages: one shared `Store`, short-lived cached reads.

`st.cache_resource` holds one `Store` per database URL for the whole server (its engine is
thread-safe). `st.cache_data` readers are keyed by frozen filter values plus the URL, so a test
or a deployment that points elsewhere never sees another database's rows. Every write goes
through a function here that clears the readers it affects.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from ui import inert
from voc.access import users
from voc.access.roles import LOCAL_ACTOR, Actor, Permission, can
from voc.alerts import service
from voc.clock import utcnow
from voc.inbox import queue as care_queue
from voc.inbox.sla import SlaSettings
from voc.inbox.vip import VipList
from voc.models import SourceState, TriageChange
from voc.privacy import masking
from voc.privacy.settings import PrivacySettings, load_privacy
from voc.settings import Settings
from voc.sources.costs import Usage, utc_day
from voc.sources.forms import SourceForm
from voc.store.facade import Store
from voc.trends import queries as trends
from voc.trends.queries import FilterOptions, TrendFilters, TrendReport

if TYPE_CHECKING:
    from listeners.registry import ConnectionCheck

LOCAL_USER = LOCAL_ACTOR.name
FLASH_KEY = "flash"


def settings() -> Settings:
    """Settings as of this run (environment and secrets.toml; cheap to read)."""
    return Settings.load()


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return Store.from_url(url)


def store() -> Store:
    """The shared store for the configured database (opened and migrated once per URL)."""
    return _store(settings().database_url)


def current_actor() -> Actor:
    """The acting person with their role: the one local user (an admin) in local mode.

    In team mode `app.py`'s sign-in gate has already stopped anyone without a role, so a page
    that gets here has a signed-in person; the domain checks the role again on every write.
    """
    if local_mode():
        return LOCAL_ACTOR
    actor = users.actor_for(store(), signed_in_email(), first_admin=settings().first_admin)
    if actor is None:
        st.error("You have no role in this workspace.", icon=":material/block:")
        st.stop()
    return actor


def may(permission: Permission) -> bool:
    """True when the acting person's role allows `permission`: pages hide what the domain would refuse."""
    return can(current_actor(), permission)


def signed_in_email() -> str | None:
    """The e-mail the OpenID Connect provider vouched for (None when nobody is signed in)."""
    try:
        if not st.user.is_logged_in:
            return None
    except Exception:  # no [auth] section: nobody can be signed in
        return None
    email = st.user.get("email")
    return str(email).strip().lower() if email else None


def local_mode() -> bool:
    """True in local mode (the default of `make run`): one user, no sign-in, everyone an admin."""
    return settings().mode == "local"


def viewer_timezone() -> str:
    """The browser's IANA zone when it sent one, else UTC."""
    return trends.valid_timezone(st.context.timezone)


# ---- cached readers ---------------------------------------------------------------------------


@st.cache_data(ttl="60s", max_entries=200, show_spinner=False)
def _trend_report(url: str, filters: TrendFilters) -> TrendReport:
    return trends.report(_store(url), filters)


def trend_report(filters: TrendFilters) -> TrendReport:
    """Every frame of the Trends page for `filters` (cached for a minute)."""
    return _trend_report(settings().database_url, filters)


@st.cache_data(ttl="15s", show_spinner=False)
def _filter_options(url: str, own_brand: str) -> FilterOptions:
    return trends.filter_options(_store(url), own_brand)


def filter_options() -> FilterOptions:
    """Channels, languages and brands present in the store, for the filter bars."""
    current = settings()
    return _filter_options(current.database_url, current.brand)


# ---- privacy: what the current person may see of authors (docs/privacy.md) --------------------


def privacy_settings() -> PrivacySettings:
    """Retention and handle visibility as stored; read on every run (two small rows), never
    cached, so switching handles off takes effect on the viewers' next rerun."""
    return load_privacy(store())


def mask_people(frame: pd.DataFrame, *, text_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """`frame` with authors (and links, and handles in `text_columns`) hidden when the current
    person is a viewer and the workspace hides handles from viewers, and links that are not web
    addresses dropped. Cached frames are shared by every user, so this runs after the cache, per
    person."""
    # Links come from the source: only http(s) ones reach a LinkColumn (`ui.inert.web_link`).
    return inert.web_links(masking.mask_people(frame, current_actor(), privacy_settings(), text_columns=text_columns))


def sources() -> list[SourceState]:
    """Every source's stored state; not cached, the health badge must not lag."""
    return store().sources()


def item_count() -> int:
    return store().count_items()


def source_item_count(name: str) -> int:
    """How many items one source brought (they stay when it is deleted)."""
    return store().count_items(name)


def usage_today() -> dict[str, Usage]:
    """Each source's reads and estimated cost so far this UTC day (the cost meter; not cached)."""
    return store().usage_by_source(utc_day(utcnow()))


def usage_history(days: int = 7) -> pd.DataFrame:
    """Reads and estimated cost per source per UTC day over the last `days` days."""
    return store().usage_frame(utc_day(utcnow()) - timedelta(days=days - 1))


def skipped_entries() -> dict[str, dict[str, int]]:
    """Entries each source sent but could not store, by reason (not cached, like the health)."""
    return store().skipped_entries()


def coverage_gaps() -> list[dict[str, Any]]:
    """Recorded coverage gaps, newest first."""
    return store().coverage_gaps()


# ---- writes -----------------------------------------------------------------------------------


def save_triage(changes: list[TriageChange]) -> int:
    """Apply inbox changes as the current user, clear the inbox cache, and queue a toast."""
    applied = store().apply_triage(changes, actor=current_actor(), now=utcnow())
    st.session_state[FLASH_KEY] = f"Saved {applied} change{'s' if applied != 1 else ''}"
    return applied


def add_source(form: SourceForm, *, test_failure: str | None = None) -> None:
    """Store a new source from the Sources page; the listeners pick it up within seconds.

    `test_failure`: its connection test failed and it was added anyway; its card says so.
    """
    store().add_source(
        form.name, form.kind, form.config(), poll_interval_s=form.poll_interval_s, enabled=form.enabled,
        actor=current_actor(), now=utcnow(), test_failure=test_failure,
    )  # fmt: skip


def delete_source(name: str) -> int:
    """Delete a source (admins; audited); its items stay. Returns how many items it leaves."""
    return store().delete_source(name, actor=current_actor(), now=utcnow())


def save_source(form: SourceForm, previous: SourceState) -> None:
    """Store an edited source and poll it on the next tick (a fixed query need not wait a day)."""
    actor, now = current_actor(), utcnow()
    store().update_source(
        form.name, actor=actor, now=now, config=form.config(previous.config), poll_interval_s=form.poll_interval_s,
        enabled=form.enabled,
    )  # fmt: skip
    store().resume_source(form.name, actor=actor, now=now)


def check_source(form: SourceForm) -> ConnectionCheck:
    """One cheap real call with the form's settings (saved or not): a `ConnectionCheck` verdict."""
    from listeners.registry import check_source as check  # loads the source's client only when asked

    return check(form.kind, form.name, form.config(), settings())


def resume_source(name: str) -> None:
    """Lift a source's pause or backoff wait (the Sources page's Resume button)."""
    store().resume_source(name, actor=current_actor(), now=utcnow())


def forget_reads() -> None:
    """Drop every cached read (e.g. when the first items arrive in an empty store)."""
    _filter_options.clear()
    _trend_report.clear()


# ---- alerts (pages/alerts.py) -----------------------------------------------------------------


def alert_history() -> pd.DataFrame:
    """Alerts newest first with acknowledgement and delivery (not cached: acks must show at once)."""
    return mask_people(service.history(store()), text_columns=("title",))  # titles name authors


def open_alerts(
    *, offset: int, limit: int, older_than: int | None = None, newer_than: int | None = None
) -> pd.DataFrame:
    """One page of the open alerts, newest first (not cached, like `alert_history`); by key from
    the page shown when given (`service.history`)."""
    found = service.history(
        store(), open_only=True, offset=offset, limit=limit, older_than=older_than, newer_than=newer_than
    )
    return mask_people(found, text_columns=("title",))


def alert_counts() -> tuple[int, int]:
    """(open alerts, all alerts): the totals the Alerts page pages through."""
    return service.count_alerts(store(), open_only=True), service.count_alerts(store())


def alert_channels() -> list[Any]:
    return service.load_channels(store())


def alert_policy() -> Any:
    return service.load_policy(store())


def save_alert_channels(channels: list[Any]) -> None:
    service.save_channels(store(), channels, actor=current_actor(), now=utcnow())
    st.session_state[FLASH_KEY] = "Channels saved"


def save_alert_policy(policy: Any) -> None:
    service.save_policy(store(), policy, actor=current_actor(), now=utcnow())
    st.session_state[FLASH_KEY] = "Alert rules saved"


def acknowledge_alert(alert_id: int) -> None:
    service.acknowledge(store(), alert_id, actor=current_actor(), now=utcnow())
    st.session_state[FLASH_KEY] = "Alert acknowledged"


# ---- care settings (pages/settings.py) ------------------------------------------------------


def care_sla() -> SlaSettings:
    """The SLA teams and channel routing the inbox's clocks use (not cached: a save shows at once)."""
    return care_queue.load_sla(store())


def care_vip() -> VipList:
    """The VIP list the inbox's priorities use (not cached, like `care_sla`)."""
    return care_queue.load_vip(store())
