"""Which listener class serves each source kind, built from the source's stored config.

No Streamlit import here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from listeners.base import Listener
from listeners.replay import ReplayListener
from voc.models import SourceState
from voc.settings import Settings
from voc.store import Store

DEMO_SOURCES = {"demo-social": "social", "demo-survey": "survey"}


def _replay(source: SourceState, settings: Settings) -> Listener:
    return ReplayListener(
        source.name,
        str(source.config.get("part", "social")),
        brand=str(source.config.get("brand", settings.brand)),
        speed=float(source.config.get("speed", settings.replay_speed)),
        backfill_share=float(source.config.get("backfill_share", settings.replay_backfill_share)),
    )


FACTORIES: dict[str, Callable[[SourceState, Settings], Listener]] = {"replay": _replay}


def build_listener(source: SourceState, settings: Settings) -> Listener:
    """The listener for a stored source; an unknown kind is a clear error, not a crash."""
    try:
        factory = FACTORIES[source.kind]
    except KeyError:
        raise ValueError(f"source {source.name!r} has unknown kind {source.kind!r}; known: {', '.join(FACTORIES)}") from None
    return factory(source, settings)


def register_demo_sources(store: Store, settings: Settings) -> bool:
    """Register the demo feed when asked to, or (auto) when no real source is configured."""
    mode = settings.demo_feed.lower()
    if mode == "off":
        return False
    real = [s for s in store.sources() if s.kind != "replay"]
    if mode == "auto" and real:
        return False
    config: dict[str, Any]
    for name, part in DEMO_SOURCES.items():
        config = {"part": part, "brand": settings.brand}
        store.ensure_source(name, "replay", config, poll_interval_s=settings.replay_poll_seconds)
    return True
