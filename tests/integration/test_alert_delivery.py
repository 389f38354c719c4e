"""Alerts delivered to local servers: Slack, Teams and webhook payloads over HTTP, e-mail over
SMTP; retried on failure, never sent twice, escalated when nobody acknowledges in time."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.actors import admin
from tests.factories import new_item
from tests.local_alerts import hook_server, smtp_server
from voc.alerts.channels import Channel, ChannelKind
from voc.alerts.rules import raise_item_alerts
from voc.alerts.service import (
    MAX_ATTEMPTS,
    AlertPolicy,
    acknowledge,
    deliver_due,
    enqueue_deliveries,
    escalate_overdue,
    history,
    load_channels,
    raise_alert,
    save_channels,
    save_policy,
)
from voc.store.facade import Store
from voc.store.schema import alerts
from voc.surveys.recovery import raise_recovery_alerts


def channels_for(url: str, smtp_port: int) -> list[Channel]:
    return [
        Channel("care-slack", ChannelKind.SLACK, url=f"{url}/slack"),
        Channel("care-teams", ChannelKind.TEAMS, url=f"{url}/teams"),
        Channel("crm-hook", ChannelKind.WEBHOOK, url=f"{url}/hook"),
        Channel(
            "care-mail",
            ChannelKind.EMAIL,
            smtp_host="127.0.0.1",
            smtp_port=smtp_port,
            mail_from="voc@example.com",
            mail_to=("care@example.com",),
        ),
    ]


def deliver(store: Store, now) -> dict[str, int]:  # noqa: ANN001
    enqueue_deliveries(store, load_channels(store), now=now)
    return deliver_due(store, now=now)


def test_an_item_alert_reaches_every_channel_with_its_reasons_and_links(store: Store, clock) -> None:
    store.add_items(
        [
            new_item(
                "big",
                text="Total outage, I want a refund today",
                author="@famous",  # as the X listener stores a handle
                author_reach=250_000,
                ingested_at=clock.now,
            )
        ]
    )
    assert (
        raise_item_alerts(store, now=clock.now, since=clock.now - timedelta(minutes=1)) == 2
    )  # high reach, urgent word
    with store.read() as connection:
        titles = sorted(connection.execute(sa.select(alerts.c.title)).scalars())
    assert titles[0] == "Negative post from @famous (250,000 followers) on X"  # the handle once, not "@@famous"
    with hook_server() as hooks, smtp_server() as mail:
        save_channels(store, channels_for(hooks.url, mail.port), actor=admin("lead"), now=clock.now)
        assert deliver(store, clock.now)["sent"] == 8
        paths = sorted(path for path, _ in hooks.received)
        assert paths == ["/hook", "/hook", "/slack", "/slack", "/teams", "/teams"]
        slack = next(body for path, body in hooks.received if path == "/slack")
        assert "refund" in slack["text"].lower() or "followers" in slack["text"]
        section = slack["blocks"][0]["text"]["text"]
        assert "Why:" in section and "urgent" in section
        assert "inbox?item=" in slack["blocks"][1]["elements"][0]["text"]
        teams = next(body for path, body in hooks.received if path == "/teams")
        card = teams["attachments"][0]["content"]
        assert card["type"] == "AdaptiveCard" and card["actions"][0]["url"].startswith(
            "http://localhost:8501/inbox?item="
        )
        hook = next(body for path, body in hooks.received if path == "/hook")
        assert hook["link"] == "https://x.com/someone/status/big" and hook["reasons"]
        assert len(mail.messages) == 2 and mail.messages[0]["to"] == ["<care@example.com>"]
        assert "Why:" in mail.messages[0]["data"]
        # Another tick (or another listener process) sends nothing again.
        assert deliver(store, clock.now + timedelta(minutes=5)) == {
            "sent": 0,
            "retrying": 0,
            "failed": 0,
            "deferred": 0,
        }
        assert len(hooks.received) == 6 and len(mail.messages) == 2


def test_survey_recovery_alerts_are_delivered_too(sqlite_store: Store, clock) -> None:
    sqlite_store.add_items([new_item("r1", kind="survey", channel="survey", survey="nps", response_id="r1", nps=1,
                                     very_unhappy=True, very_unhappy_reasons=["NPS 1 with a negative comment"])])  # fmt: skip
    assert raise_recovery_alerts(sqlite_store, now=clock.now) == 1
    with hook_server() as hooks:
        save_channels(
            sqlite_store,
            [Channel("hook", ChannelKind.WEBHOOK, url=f"{hooks.url}/hook")],
            actor=admin("lead"),
            now=clock.now,
        )
        assert deliver(sqlite_store, clock.now)["sent"] == 1
        assert hooks.received[0][1]["rule"] == "very_unhappy"
        assert "NPS 1 with a negative comment" in hooks.received[0][1]["reasons"]
    assert history(sqlite_store)["delivered_at"].notna().all()


def test_a_failing_channel_is_retried_with_backoff_and_sent_once(sqlite_store: Store, clock) -> None:
    raise_alert(sqlite_store, rule="test", dedupe_key="t:1", title="Something", details={}, now=clock.now)
    with hook_server() as hooks:
        hooks.fail_next = 2
        save_channels(
            sqlite_store,
            [Channel("hook", ChannelKind.WEBHOOK, url=f"{hooks.url}/hook")],
            actor=admin("lead"),
            now=clock.now,
        )
        assert deliver(sqlite_store, clock.now)["retrying"] == 1
        assert deliver_due(sqlite_store, now=clock.now + timedelta(seconds=10))["sent"] == 0  # not due yet: backoff
        assert deliver_due(sqlite_store, now=clock.now + timedelta(seconds=31))["retrying"] == 1
        assert deliver_due(sqlite_store, now=clock.now + timedelta(seconds=31 + 61))["sent"] == 1
        assert deliver_due(sqlite_store, now=clock.now + timedelta(hours=1))["sent"] == 0
        assert len(hooks.received) == 1
    row = history(sqlite_store).iloc[0]
    assert row["deliveries"] == "hook: sent" and row["delivery_error"] is None


def test_a_channel_that_never_answers_gives_up_and_says_why(sqlite_store: Store, clock) -> None:
    raise_alert(sqlite_store, rule="test", dedupe_key="t:1", title="Something", details={}, now=clock.now)
    save_channels(
        sqlite_store,
        [Channel("dead", ChannelKind.SLACK, url="http://127.0.0.1:9/hook")],
        actor=admin("lead"),
        now=clock.now,
    )
    enqueue_deliveries(sqlite_store, load_channels(sqlite_store), now=clock.now)
    results = [deliver_due(sqlite_store, now=clock.now + timedelta(hours=i)) for i in range(MAX_ATTEMPTS + 1)]
    assert [r["retrying"] for r in results] == [1] * (MAX_ATTEMPTS - 1) + [0, 0]
    assert results[MAX_ATTEMPTS - 1]["failed"] == 1
    row = history(sqlite_store).iloc[0]
    assert row["deliveries"] == "dead: failed" and "ConnectError" in row["delivery_error"]
    assert "9/hook" not in row["delivery_error"]  # the URL (it holds the token) is not repeated


def test_duplicates_and_the_cooldown_keep_one_alert(sqlite_store: Store, clock) -> None:
    kwargs = {
        "rule": "negative_high_reach",
        "title": "t",
        "details": {},
        "subject": "author:famous",
        "cooldown": timedelta(hours=1),
    }
    assert raise_alert(sqlite_store, dedupe_key="k1", now=clock.now, **kwargs) is not None
    assert raise_alert(sqlite_store, dedupe_key="k1", now=clock.now, **kwargs) is None  # the same alert
    assert (
        raise_alert(sqlite_store, dedupe_key="k2", now=clock.now + timedelta(minutes=30), **kwargs) is None
    )  # cooling down
    assert raise_alert(sqlite_store, dedupe_key="k3", now=clock.now + timedelta(minutes=61), **kwargs) is not None


def test_an_unacknowledged_alert_escalates_once_to_the_second_contact(sqlite_store: Store, clock) -> None:
    save_policy(
        sqlite_store,
        AlertPolicy(escalate_after=timedelta(minutes=30), ack_target=timedelta(minutes=15)),
        actor=admin("lead"),
        now=clock.now,
    )
    first = raise_alert(sqlite_store, rule="test", dedupe_key="a", title="Outage", details={}, now=clock.now)
    second = raise_alert(sqlite_store, rule="test", dedupe_key="b", title="Refund", details={}, now=clock.now)
    assert first and second
    with hook_server() as hooks:
        save_channels(
            sqlite_store,
            [Channel("team", ChannelKind.SLACK, url=f"{hooks.url}/team"), Channel("manager", ChannelKind.SLACK, url=f"{hooks.url}/manager", escalation=True)],
            actor=admin("lead"), now=clock.now,
        )  # fmt: skip
        deliver(sqlite_store, clock.now)
        assert acknowledge(sqlite_store, first, actor=admin("ana"), now=clock.now + timedelta(minutes=10))
        assert not acknowledge(sqlite_store, first, actor=admin("bo"), now=clock.now + timedelta(minutes=11))  # once
        assert escalate_overdue(sqlite_store, now=clock.now + timedelta(minutes=29)) == 0
        assert escalate_overdue(sqlite_store, now=clock.now + timedelta(minutes=31)) == 1
        assert escalate_overdue(sqlite_store, now=clock.now + timedelta(minutes=45)) == 0
        deliver_due(sqlite_store, now=clock.now + timedelta(minutes=31))
        manager = [body for path, body in hooks.received if path == "/manager"]
        assert len(manager) == 1 and manager[0]["text"] == "ESCALATED — not acknowledged: Refund"
    acknowledge(sqlite_store, second, actor=admin("boss"), now=clock.now + timedelta(minutes=40))
    rows = history(sqlite_store).set_index("id")
    assert (
        rows.at[first, "acknowledged_by"],
        rows.at[first, "minutes_to_ack"],
        rows.at[first, "acked_within_target"],
    ) == ("ana", 10.0, True)
    assert (rows.at[second, "acknowledged_by"], rows.at[second, "acked_within_target"]) == ("boss", False)
    assert rows.at[second, "escalated_at"] is not None


def test_a_channel_over_its_hourly_limit_waits(sqlite_store: Store, clock) -> None:
    for n in range(3):
        raise_alert(sqlite_store, rule="test", dedupe_key=f"k{n}", title=f"a{n}", details={}, now=clock.now)
    with hook_server() as hooks:
        save_channels(
            sqlite_store,
            [Channel("hook", ChannelKind.WEBHOOK, url=f"{hooks.url}/h", max_per_hour=2)],
            actor=admin("lead"),
            now=clock.now,
        )
        assert deliver(sqlite_store, clock.now) == {"sent": 2, "retrying": 0, "failed": 0, "deferred": 1}
        assert deliver_due(sqlite_store, now=clock.now + timedelta(minutes=61))["sent"] == 1
        assert len(hooks.received) == 3


def test_a_channel_with_a_bad_url_is_refused(sqlite_store: Store, clock) -> None:
    with pytest.raises(ValueError, match="https://"):
        save_channels(
            sqlite_store, [Channel("x", ChannelKind.SLACK, url="hooks.slack.com/x")], actor=admin("lead"), now=clock.now
        )
