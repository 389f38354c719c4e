"""The Alerts page: add a channel, test-send to it, acknowledge an alert, see the history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.app.team import as_role
from tests.factories import new_item, queued_ids
from tests.local_alerts import hook_server
from ui.alerts import waiting_for
from voc.access.roles import Role
from voc.alerts.service import history, load_channels, load_policy, raise_alert
from voc.store.facade import Store


def open_alerts(app: AppTest) -> AppTest:
    return app.run().switch_page("pages/alerts.py").run()


def test_a_webhook_channel_is_added_and_test_sent(app: AppTest, empty_store: Store) -> None:
    with hook_server() as hooks:
        at = open_alerts(app)
        assert not at.exception and at.title[0].value == "Alerts"
        at.selectbox(key="alerts.kind").set_value("webhook").run()
        at.text_input[0].input("crm-hook")
        at.text_input[1].input(f"{hooks.url}/hook")
        next(b for b in at.button if b.label == "Add channel").click().run()
        assert not at.exception
        assert [c.name for c in load_channels(empty_store)] == ["crm-hook"]
        listed = next(m.value for m in at.markdown if "crm-hook" in m.value)
        assert "/hook" not in listed  # the URL's secret part stays hidden
        at.button(key="alerts.test.crm-hook").click().run()
        assert not at.exception
        assert hooks.received[0][1]["title"] == "Test alert from the customer-voice app"


def test_an_open_alert_is_acknowledged_from_the_page(app: AppTest, empty_store: Store) -> None:
    alert_id = raise_alert(
        empty_store,
        rule="urgent_words",
        dedupe_key="k",
        title="Urgent words from @dan: refund",
        details={},
        now=datetime.now(UTC),
    )
    at = open_alerts(app)
    assert any("Urgent words from @dan: refund" in m.value and "waiting 0 min" in m.value for m in at.markdown)
    at.button(key=f"alerts.ack.{alert_id}").click().run()
    assert not at.exception
    row = history(empty_store).iloc[0]
    assert (row["status"], row["acknowledged_by"]) == ("acknowledged", "local user")
    assert at.dataframe[0].value["acknowledged_by"].iloc[0] == "local user"


def test_the_very_unhappy_rule_is_switched_off_on_the_rules_tab(app: AppTest, empty_store: Store) -> None:
    at = open_alerts(app)
    switch = at.checkbox(key="alerts.rule.very_unhappy")
    assert switch.value is True  # on by default
    switch.uncheck()
    next(b for b in at.button if b.label == "Save rules").click().run()
    assert not at.exception
    assert load_policy(empty_store).very_unhappy is False
    assert at.checkbox(key="alerts.rule.very_unhappy").value is False
    assert at.toast[0].value == "Alert rules saved"


def test_an_alert_about_an_item_links_to_it_in_the_inbox(app: AppTest, empty_store: Store) -> None:
    empty_store.add_items([new_item("angry", author="@dan")])
    item_id = queued_ids(empty_store)[0]
    raise_alert(empty_store, rule="urgent_words", dedupe_key="k", title="Urgent words from @dan: refund", details={},
                now=datetime.now(UTC), item_id=item_id)  # fmt: skip
    raise_alert(empty_store, rule="spike", dedupe_key="s", title="Volume spike", details={}, now=datetime.now(UTC))
    at = open_alerts(app)
    assert not at.exception
    links = [e.proto for e in at.get("page_link")]
    assert len(links) == 1  # the spike has no item to open
    assert links[0].label == "Open" and links[0].page.endswith("inbox") and f"item={item_id}" in links[0].query_string


def test_an_open_alert_says_how_long_it_has_waited() -> None:
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert waiting_for(now - timedelta(minutes=125), now) == "2 h 05 min"
    assert waiting_for(pd.Timestamp("2026-12-03 11:48"), now) == "12 min"  # a naive stored time is UTC
    assert waiting_for(now + timedelta(seconds=5), now) == "0 min"  # clocks a little apart


def test_open_alerts_without_a_channel_say_first_that_they_reach_nobody(app: AppTest, empty_store: Store) -> None:
    raise_alert(
        empty_store, rule="urgent_words", dedupe_key="k", title="Urgent words", details={}, now=datetime.now(UTC)
    )
    at = open_alerts(app)
    assert not at.exception
    assert at.warning[0].value.startswith("No channel is set up: 1 open alert reaches nobody outside this page.")
    assert "under Channels below" in at.warning[0].value
    with hook_server() as hooks:
        at.selectbox(key="alerts.kind").set_value("webhook").run()
        at.text_input[0].input("crm-hook")
        at.text_input[1].input(f"{hooks.url}/hook")
        next(b for b in at.button if b.label == "Add channel").click().run()
    assert not at.exception and not at.warning  # told now


def test_no_open_alert_no_warning_even_without_a_channel(app: AppTest, empty_store: Store) -> None:
    at = open_alerts(app)
    assert not at.exception and not at.warning


def test_an_agent_without_channels_is_told_to_ask_an_admin(app: AppTest, empty_store: Store, team_mode: None) -> None:
    for n in range(2):
        raise_alert(
            empty_store, rule="urgent_words", dedupe_key=f"k{n}", title="Urgent", details={}, now=datetime.now(UTC)
        )
    at = open_alerts(as_role(app, empty_store, Role.AGENT))
    assert not at.exception
    assert "2 open alerts reach nobody" in at.warning[0].value and "ask an admin" in at.warning[0].value
