"""The Trends page (viewers' landing page), rendered by AppTest over a real store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pandas as pd
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from tests.app.conftest import OWN, RIVAL, social_items
from voc.alerts.service import raise_alert
from voc.models import RawItem
from voc.sources.ingest import build_item
from voc.store.facade import Store
from voc.trends.spikes import VOLUME


def charts(at: AppTest) -> list[tuple[dict, pd.DataFrame]]:
    """Each vega-lite chart on the page: its spec and the rows of its first (main) layer."""
    found = []
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        frames = [convert_arrow_bytes_to_pandas_df(ds.data.data) for ds in element.proto.datasets]
        found.append((spec, frames[0] if frames else pd.DataFrame()))
    return found


def open_trends(app: AppTest) -> AppTest:
    """As a browser opening /trends (with `app.query_params` as its query); local mode lands on the Inbox."""
    app.switch_page("pages/trends.py")
    return app.run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_trends_shows_stored_counts(app: AppTest, store_with_items: Store) -> None:
    at = open_trends(app)

    assert not at.exception
    assert at.title[0].value == "Trends"
    # Our brand (the default brand filter): nine items, three of them negative, NPS of 10, 9, 3.
    assert metric(at, "Items") == "9"
    assert metric(at, "Negative share") == "33.3 %"
    assert metric(at, "NPS") == "+33"


def test_the_volume_chart_is_built_from_the_stored_items(app: AppTest, store_with_items: Store) -> None:
    at = open_trends(app)

    found = charts(at)
    titles = [spec["title"] for spec, _ in found]
    assert titles == ["Volume by sentiment, per hour", "Share of voice, per day", "By language", "By channel"]
    spec, volume = found[0]
    assert spec["mark"]["type"] == "bar"
    assert volume["items"].sum() == 9
    assert volume.groupby("sentiment")["items"].sum().to_dict() == {"negative": 3, "neutral": 4, "positive": 2}
    _, share = found[1]
    assert share.groupby("brand")["items"].sum().to_dict() == {"Northwind Mobile": 6, "Contoso Telecom": 1}


def test_a_channel_in_the_url_filters_the_view(app: AppTest, store_with_items: Store) -> None:
    app.query_params["channel"] = "Instagram"  # the URL keeps a channel's name, as the filter shows it

    at = open_trends(app)

    assert at.selectbox(key="channel").value == "instagram"
    assert metric(at, "Items") == "2"
    assert metric(at, "Negative share") == "0.0 %"
    assert metric(at, "NPS") == "—"


def test_all_brands_adds_the_competitors_mentions(app: AppTest, store_with_items: Store) -> None:
    at = open_trends(app)

    at.selectbox(key="brand").select("all").run()

    assert metric(at, "Items") == "10"
    assert metric(at, "Negative share") == "30.0 %"


def test_a_shorter_range_drops_older_items(app: AppTest, store_with_items: Store) -> None:
    at = open_trends(app)

    at.segmented_control(key="range").set_value("24h").run()

    assert metric(at, "Items") == "8"  # the 30-hour-old complaint is out
    spec, volume = charts(at)[0]
    assert volume["bucket"].nunique() in {24, 25}  # 24 when the range starts on the hour


def test_a_range_preset_in_the_url_switches_to_daily_buckets(app: AppTest, store_with_items: Store) -> None:
    app.query_params["range"] = "30d"

    at = open_trends(app)

    spec, volume = charts(at)[0]
    assert spec["title"] == "Volume by sentiment, per day"
    assert volume["bucket"].nunique() in {30, 31}  # 30 when the range starts at midnight


def test_filters_that_match_nothing_say_so(app: AppTest, store_with_items: Store) -> None:
    app.query_params["channel"] = "Reddit"
    app.query_params["brand"] = "Contoso Telecom"

    at = open_trends(app)

    assert metric(at, "Items") == "0"
    assert "No items match these filters" in at.info[0].value
    assert not at.get("vega_lite_chart")


def test_an_empty_store_says_the_listeners_are_starting(app: AppTest, empty_store: Store) -> None:
    at = open_trends(app)

    assert not at.exception
    assert "No items yet — the listeners are starting" in at.info[0].value
    assert not at.metric
    assert not at.get("vega_lite_chart")


def test_the_empty_state_gives_way_to_charts_when_the_first_items_land(app: AppTest, empty_store: Store) -> None:
    at = open_trends(app)
    assert "No items yet" in at.info[0].value

    now = datetime.now(UTC)
    empty_store.add_items([build_item("social", raw, now) for raw in social_items(now)])
    at.run()  # in the browser, the empty state's 5-second fragment triggers this rerun itself

    assert not at.info
    assert metric(at, "Items") == "6"
    assert len(at.get("vega_lite_chart")) == 4


def copy_of_a_complaint(now: datetime, n: int = 1) -> list[RawItem]:
    """Reposts of the newest complaint: new ids and authors, the same words."""
    return [
        RawItem(
            external_id=f"repost-{k}",
            text="RT @angry1: Terrible outage again, worst network ever, awful.",
            posted_at=now - timedelta(minutes=30),
            channel="x",
            brand=OWN,
            author=f"echo{k}",
        )
        for k in range(n)
    ]


def test_reposts_count_once_with_the_number_left_out_beside_and_a_toggle(app: AppTest, store_with_items: Store) -> None:
    now = datetime.now(UTC)
    store_with_items.add_items([build_item("social", raw, now) for raw in copy_of_a_complaint(now, 2)])

    at = open_trends(app)
    assert metric(at, "Items") == "9"  # the two reposts are the same customer voice as the original
    assert any("2 duplicates not counted" in caption.value for caption in at.caption)

    at.toggle(key="copies").set_value(True).run()
    assert metric(at, "Items") == "11"
    assert any("2 duplicates counted" in caption.value for caption in at.caption)


def test_the_headline_compares_with_the_previous_period(app: AppTest, store_with_items: Store) -> None:
    now = datetime.now(UTC)
    earlier = [
        RawItem(external_id=f"old-{n}", text=f"Great coverage on the train today, line {n}.",
                posted_at=now - timedelta(days=4, hours=n), channel="x", brand=OWN)
        for n in range(3)
    ]  # fmt: skip
    store_with_items.add_items([build_item("social", raw, now) for raw in earlier])

    at = open_trends(app)

    items = next(m for m in at.metric if m.label == "Items")
    assert items.value == "9" and items.delta == "+6 on previous"  # 9 now against 3 in the 3 days before
    assert "points on previous" in next(m for m in at.metric if m.label == "Negative share").delta
    assert any("Against the previous 3 days" in text.value for text in at.markdown)


def test_share_of_voice_shows_its_numbers_in_a_table(app: AppTest, store_with_items: Store) -> None:
    at = open_trends(app)

    table = next(frame.value for frame in at.dataframe if "Share of voice" in frame.value.columns)
    rows = table.set_index("Brand")
    assert rows.loc[OWN, "Mentions"] == 6 and rows.loc[RIVAL, "Mentions"] == 1
    assert rows.loc[OWN, "Share of voice"] == "85.7 %"


def test_a_spike_is_marked_on_the_chart_and_explained_in_a_table(app: AppTest, store_with_items: Store) -> None:
    now = datetime.now(UTC)
    hour = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    raise_alert(
        store_with_items, rule=VOLUME, dedupe_key=f"{VOLUME}:{hour.isoformat()}", title="Volume spike", now=now,
        details={"hour": hour.isoformat(), "observed": 40.0, "expected": 8.0, "summary": "40 items in the hour vs 8 expected (×5.0)",
                 "drivers": {"themes": ["Network outage (12)"], "words": ["outage (20)", "signal (9)"]}},
    )  # fmt: skip

    at = open_trends(app)

    spec, _ = charts(at)[0]
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "rule", "point", "text"]
    table = next(frame.value for frame in at.dataframe if "Observed against expected" in frame.value.columns)
    assert table["Observed against expected"].tolist() == ["40 items in the hour vs 8 expected (×5.0)"]
    assert table["Top themes"].tolist() == ["Network outage (12)"]
    assert table["Top words"].tolist() == ["outage (20), signal (9)"]


def test_ninety_days_are_drawn_in_weeks(app: AppTest, store_with_items: Store) -> None:
    app.query_params["range"] = "90d"

    at = open_trends(app)

    spec, volume = charts(at)[0]
    assert spec["title"] == "Volume by sentiment, per week"
    assert volume["bucket"].nunique() in {13, 14}
    assert (pd.to_datetime(volume["bucket"]).dt.day_of_week == 0).all()  # weeks start on Monday


def test_without_history_before_the_range_nothing_is_compared(app: AppTest, store_with_items: Store) -> None:
    at = open_trends(app)

    assert not next(m for m in at.metric if m.label == "Items").delta  # not "+9 on previous"
    assert any("nothing to compare with yet" in caption.value for caption in at.caption)
