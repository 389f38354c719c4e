"""The spike detector: quiet on steady noise, firing on a 3× surge with an explanation."""

from __future__ import annotations

import random
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from tests.factories import BASE_TIME, new_item
from voc.store.facade import Store
from voc.store.schema import items
from voc.trends.spikes import (
    NEGATIVE_SHARE,
    VOLUME,
    SpikeConfig,
    detect,
    late_hours,
    raise_spike_alerts,
    robust_z,
    spikes_between,
)

NOW = datetime(2026, 11, 23, 12, 5, tzinfo=UTC)
LAST_HOUR = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


def fill(
    store: Store, per_hour: dict[int, int], *, negative_share: float = 0.2, surge_text: str | None = None, seed: int = 1
) -> None:
    """`per_hour[h]` items posted h hours before the last complete hour (0: that hour)."""
    rng = random.Random(seed)
    batch = []
    for back, count in per_hour.items():
        start = LAST_HOUR - timedelta(hours=back)
        for n in range(count):
            negative = rng.random() < negative_share
            text = surge_text if (surge_text and back == 0) else f"note {back} {n} about the plan {rng.random()}"
            batch.append(new_item(f"{back}-{n}", posted_at=start + timedelta(minutes=rng.randrange(60)), text=text,
                                  author=f"user{rng.randrange(500)}", sentiment_label="negative" if negative else "neutral"))  # fmt: skip
    with store.write() as connection:  # one multi-row insert: thousands of items in milliseconds
        connection.execute(items.insert(), [asdict(item) for item in batch])


def steady(rng: random.Random, hours: int = 72, mean: int = 30) -> dict[int, int]:
    return {back: max(0, int(rng.gauss(mean, mean**0.5))) for back in range(hours + 1)}


def test_steady_noise_stays_quiet(sqlite_store: Store) -> None:
    fill(sqlite_store, steady(random.Random(7)))
    for hours_back in range(0, 12):
        assert detect(sqlite_store, now=NOW, hour=LAST_HOUR - timedelta(hours=hours_back)) == []


def test_a_threefold_surge_fires_with_observed_expected_factor_and_drivers(sqlite_store: Store) -> None:
    counts = steady(random.Random(7))
    counts[0] = 90
    fill(sqlite_store, counts, negative_share=0.2)
    sqlite_store.add_items([new_item(f"outage-{n}", posted_at=LAST_HOUR + timedelta(minutes=n % 60), language="de", author="@storm",
                                     text=f"Netzausfall überall, kein Empfang {n}") for n in range(20)])  # fmt: skip
    spikes = detect(sqlite_store, now=NOW)
    volume = next(s for s in spikes if s.metric == VOLUME)
    assert volume.observed == 110 and 25 <= volume.expected <= 35 and volume.factor >= 3
    assert "German (20)" in volume.drivers["languages"] and "@storm (20)" in volume.drivers["authors"]
    assert any(w.startswith("netzausfall") for w in volume.drivers["words"])
    assert volume.explanation()[0].startswith("110 items in the hour vs")


def test_a_negative_share_jump_fires_without_a_volume_change(sqlite_store: Store) -> None:
    counts = steady(random.Random(3))
    fill(sqlite_store, {k: v for k, v in counts.items() if k}, negative_share=0.15)
    fill(sqlite_store, {0: 30}, negative_share=0.9, seed=4)
    assert [s.metric for s in detect(sqlite_store, now=NOW)] == [NEGATIVE_SHARE]


def test_a_surge_below_the_volume_floor_is_ignored(sqlite_store: Store) -> None:
    fill(sqlite_store, {**{back: 2 for back in range(1, 73)}, 0: 12})
    assert detect(sqlite_store, now=NOW, config=SpikeConfig(min_volume=20)) == []


def test_spike_alerts_cool_down_and_are_marked_for_the_trends_chart(sqlite_store: Store) -> None:
    counts = steady(random.Random(7))
    counts[0], counts[72] = 100, 100  # the oldest baseline hour spikes too: the median shrugs it off
    fill(sqlite_store, counts, negative_share=0.1)
    assert len(raise_spike_alerts(sqlite_store, now=NOW)) == 1
    assert raise_spike_alerts(sqlite_store, now=NOW) == []  # the same hour: deduplicated
    marks = spikes_between(sqlite_store, LAST_HOUR - timedelta(days=1), NOW)
    assert list(marks["metric"]) == [VOLUME] and marks["hour"].iloc[0] == LAST_HOUR


def test_robust_z_ignores_one_outlier_in_the_baseline() -> None:
    median, z = robust_z(60, [30, 31, 29, 30, 400, 30, 28], count_floor=True)
    assert median == 30 and z > 4


def test_spikes_are_drawn_on_the_trends_volume_chart(sqlite_store: Store) -> None:
    from ui import charts
    from voc.trends import queries as trends

    counts = steady(random.Random(7))
    counts[0] = 100
    fill(sqlite_store, counts, negative_share=0.1)
    raise_spike_alerts(sqlite_store, now=NOW)
    filters = trends.TrendFilters(NOW - timedelta(days=1), NOW, tz="Europe/Berlin")
    report = trends.report(sqlite_store, filters)
    assert list(report.spikes["bucket"].astype(str)) == ["2026-11-23 12:00:00"]  # 11:00 UTC on a Berlin wall clock
    chart = charts.volume_chart(report.volume, "hour", report.spikes).to_dict()
    assert chart["layer"][1]["mark"]["type"] == "rule"


def test_a_surge_back_filled_into_a_past_hour_is_found_by_the_late_hour_check(sqlite_store: Store) -> None:
    counts = steady(random.Random(7), hours=120)
    counts[30] = 120  # a back-fill brings a surge 30 hours before the last complete hour
    fill(sqlite_store, counts, negative_share=0.1)
    assert raise_spike_alerts(sqlite_store, now=NOW) == []  # the hourly check looks at the last hour only
    late = late_hours(sqlite_store, now=NOW, since=NOW - timedelta(minutes=5))
    assert late == []  # nothing ingested since the previous check
    late = late_hours(sqlite_store, now=NOW, since=BASE_TIME)
    assert LAST_HOUR - timedelta(hours=30) in late and LAST_HOUR not in late
    assert len(raise_spike_alerts(sqlite_store, now=NOW, hours=late)) == 1
    marks = spikes_between(sqlite_store, LAST_HOUR - timedelta(days=3), NOW)
    assert list(marks["hour"]) == [LAST_HOUR - timedelta(hours=30)]


def test_a_wave_of_reposts_is_not_a_surge(sqlite_store: Store) -> None:
    fill(sqlite_store, steady(random.Random(7)))
    text = "Leeds mast down again, no signal anywhere in the city centre"
    sqlite_store.add_items(
        [new_item(f"repost-{n}", text=f"RT @origin: {text}", posted_at=LAST_HOUR + timedelta(minutes=n % 60),
                  author=f"@echo{n}") for n in range(90)]
    )  # fmt: skip
    assert [s.metric for s in detect(sqlite_store, now=NOW)] == []  # 90 copies of one post count once


def test_a_recorded_spike_carries_its_explanation_for_the_chart(sqlite_store: Store) -> None:
    counts = steady(random.Random(7))
    counts[0] = 100
    fill(sqlite_store, counts, negative_share=0.1, surge_text="signal lost downtown after the storm")
    raise_spike_alerts(sqlite_store, now=NOW)

    marks = spikes_between(sqlite_store, LAST_HOUR - timedelta(days=1), NOW)

    spike = marks.iloc[0]
    assert spike["what"] == "Volume" and spike["observed"] == 100
    assert spike["summary"].startswith("100 items in the hour vs")
    assert "lost (100)" in spike["words"].split(", ")  # the surge's own words, not the baseline's


def test_the_brands_own_name_is_never_a_top_word(sqlite_store: Store) -> None:
    counts = steady(random.Random(7))
    counts[0] = 100
    fill(sqlite_store, counts, negative_share=0.1, surge_text="Northwind Mobile signal lost downtown #NorthwindMobile")
    (spike,) = detect(sqlite_store, now=NOW)
    assert not any(word.startswith(("northwind", "mobile")) for word in spike.drivers["words"])
