"""Every page over the bundled demo feed: what a fresh `make run` shows within a minute."""

from __future__ import annotations

from datetime import UTC, datetime

from streamlit.testing.v1 import AppTest

from voc.inbox.queue import QueueFilter, open_queue
from voc.store.facade import Store


def test_every_page_renders_the_demo_feed(app: AppTest, store_with_demo_feed: Store) -> None:
    at = app.run().switch_page("pages/trends.py").run()
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == 4
    assert int(next(m.value for m in at.metric if m.label == "Items").replace(",", "")) > 100
    assert len(at.selectbox(key="lang").options) > 3  # a multilingual feed

    at.switch_page("pages/inbox.py").run()
    assert not at.exception
    entries = [b for b in at.button if b.key and b.key.startswith("inbox.open.")]
    assert len(entries) == 12  # a full first page, the rest a click away
    assert int(at.button_group[0].options[-1].split("·")[1]) > 12  # "All open · N"
    top = open_queue(store_with_demo_feed, QueueFilter(), now=datetime.now(UTC)).rows
    assert top["priority"].is_monotonic_decreasing  # the one to answer first on top
    assert [int(b.key.rsplit(".", 1)[1]) for b in entries] == [int(i) for i in top["id"]]

    at.switch_page("pages/sources.py").run()
    assert not at.exception
    assert {"demo-social", "demo-survey"} <= {m.value.split("**")[1] for m in at.markdown if m.value.startswith("**")}
