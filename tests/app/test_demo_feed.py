"""Every page over the bundled demo feed: what a fresh `make run` shows within a minute."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from voc.store.facade import Store


def test_every_page_renders_the_demo_feed(app: AppTest, store_with_demo_feed: Store) -> None:
    at = app.run().switch_page("pages/trends.py").run()
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == 4
    assert int(next(m.value for m in at.metric if m.label == "Items").replace(",", "")) > 100
    assert len(at.selectbox(key="lang").options) > 3  # a multilingual feed

    at.switch_page("pages/inbox.py").run()
    assert not at.exception
    queue = at.data_editor[0].value
    assert len(queue) > 10
    # Highest priority first (very unhappy respondents are urgent; clocks running down raise the rest).
    assert queue["priority"].is_monotonic_decreasing

    at.switch_page("pages/sources.py").run()
    assert not at.exception
    assert {"demo-social", "demo-survey"} <= {m.value.split("**")[1] for m in at.markdown if m.value.startswith("**")}
