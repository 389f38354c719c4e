"""The alert rules' switches are honoured wherever an alert of that rule is raised: the very
unhappy rule switched off on the Alerts page stops recovery alerts from an import and from the
listener runner alike, while the respondent still tops the inbox."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from listeners.base import Batch
from listeners.runner import Runner
from tests.actors import admin
from tests.factories import new_item
from voc.access.roles import Actor
from voc.alerts.service import AlertPolicy, load_policy, save_policy
from voc.models import ItemKind, RawItem
from voc.store.facade import Store
from voc.store.schema import alerts, items
from voc.surveys.importer import import_survey
from voc.surveys.recovery import raise_recovery_alerts

ADMIN = Actor.system("test")
FROZEN_POSTED = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
ANGRY_CSV = (
    b"#,How likely are you to recommend us?,Why?,Response Type,Start Date (UTC),Stage Date (UTC),Submit Date (UTC),Network ID,Tags\r\n"
    b'angry,1,"Terrible service, I will cancel.",completed,2026-11-23 10:00:00,2026-11-23 10:01:00,2026-11-23 10:01:00,n1,\r\n'
)


def alert_count(store: Store) -> int:
    with store.read() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(alerts)).scalar_one())


def switch_very_unhappy(store: Store, on: bool, now) -> None:  # noqa: ANN001
    save_policy(store, AlertPolicy(very_unhappy=on), actor=ADMIN, now=now)
    assert load_policy(store).very_unhappy is on


def test_very_unhappy_rule_switched_off_raises_no_recovery_alert(store: Store, clock) -> None:
    store.add_items([new_item("r1", kind="survey", channel="survey", survey="nps", response_id="r1", nps=1,
                              very_unhappy=True, very_unhappy_reasons=["NPS 1 with a negative comment"])])  # fmt: skip
    switch_very_unhappy(store, False, clock.now)
    assert raise_recovery_alerts(store, now=clock.now) == 0
    assert alert_count(store) == 0
    # Switched back on, the rule fires again for what it sees next.
    switch_very_unhappy(store, True, clock.now)
    assert raise_recovery_alerts(store, now=clock.now) == 1


def test_an_import_with_the_rule_off_marks_the_respondent_but_alerts_nobody(store: Store, clock) -> None:
    switch_very_unhappy(store, False, clock.now)
    report = import_survey(store, io.BytesIO(ANGRY_CSV), "pulse.csv", survey="pulse", clock=clock, actor=admin("lead"))
    assert (report.very_unhappy, report.alerts_raised) == (1, 0)
    assert alert_count(store) == 0
    with store.read() as connection:
        marked = connection.execute(sa.select(items.c.very_unhappy, items.c.priority)).all()
    assert [tuple(row) for row in marked] == [(True, 100.0)]  # the inbox still puts them first


@dataclass
class OneSurveyResponse:
    name: str

    def fetch(self, cursor: str | None) -> Batch:
        item = RawItem(
            external_id="resp-9", text="Awful, I want my money back and I will complain.", posted_at=FROZEN_POSTED,
            kind=ItemKind.SURVEY, channel="survey", brand="Northwind Mobile", survey="pulse", response_id="r9", nps=0,
        )  # fmt: skip
        return Batch([] if cursor else [item], "done")


def test_the_runner_honours_the_switch_for_every_source(store: Store, clock) -> None:
    switch_very_unhappy(store, False, clock.now)
    store.ensure_source("pulse-feed", "scripted", poll_interval_s=60)
    Runner(store, {"pulse-feed": OneSurveyResponse("pulse-feed")}, owner="test-runner", clock=clock).run_once()
    with store.read() as connection:
        assert connection.execute(sa.select(items.c.very_unhappy)).scalar_one() is True
    assert alert_count(store) == 0
