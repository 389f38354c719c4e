"""A source whose error quotes a customer (a server echoing a post, a parser quoting a line) leaves
no e-mail address, phone, card or IBAN in any log line or on its row (SQLite and PostgreSQL).

The scrubber that keeps credentials out (`listeners.errors.scrub`, run by the runner before a
failure is stored and by the log-record factory on every record) also runs the redactor.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from listeners.base import Batch, ErrorKind, SourceError
from listeners.errors import install_log_scrubber, scrub
from listeners.runner import Runner
from tests.actors import admin
from voc.alerts.channels import AlertMessage, Channel, ChannelKind, DeliveryError
from voc.alerts.service import deliver_due, enqueue_deliveries, load_channels, raise_alert, save_channels
from voc.store.facade import Store
from voc.store.schema import metadata

EMAIL = "jo.customer@example.com"
CARD = "4111 1111 1111 1111"
IBAN = "DE89 3704 0044 0532 0130 00"
PHONE = "+44 7700 900123"
QUOTED = f"400 Bad Request: cannot parse post 'refund to {IBAN} or card {CARD}, mail {EMAIL}, call {PHONE}'"


class EchoingSource:
    """Fails the way a server that quotes the offending post back fails."""

    name = "echo"

    def fetch(self, cursor: str | None) -> Batch:
        raise SourceError(ErrorKind.INVALID_QUERY, QUOTED)


class Clock:
    now = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_scrub_redacts_personal_data_as_well_as_credentials() -> None:
    cleaned = scrub(f"GET /feed?apikey=abc123secret failed for {EMAIL}, card {CARD}")
    assert EMAIL not in cleaned and CARD not in cleaned and "abc123secret" not in cleaned
    assert "[email]" in cleaned and "[card]" in cleaned and "apikey=***" in cleaned


def test_a_failure_quoting_a_customer_is_stored_and_logged_redacted(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    install_log_scrubber()
    store.ensure_source("echo", "feed")
    with caplog.at_level(logging.DEBUG):
        Runner(store, {"echo": EchoingSource()}, owner="r1", clock=Clock()).run_once()
        logging.getLogger("voc.test").warning("item 12 quoted %s", EMAIL)  # any logger, any call
    source = next(s for s in store.sources() if s.name == "echo")
    assert source.last_error and "400 Bad Request: cannot parse post" in source.last_error
    with store.read() as connection:
        stored = "\n".join(repr(tuple(r)) for t in metadata.sorted_tables for r in connection.execute(sa.select(t)))
    for value in (EMAIL, CARD, IBAN, PHONE, "4111111111111111", "DE89370400440532013000"):
        assert value not in stored, value
        assert value not in caplog.text, value
    assert "[email]" in caplog.text and "item 12 quoted [email]" in caplog.text


def test_a_channel_refusal_quoting_the_message_is_stored_redacted(store: Store) -> None:
    """A webhook that answers "400 invalid text: <the message>" leaves no personal value in the
    delivery's error or on the alert."""
    now = Clock.now
    save_channels(store, [Channel(name="hook", kind=ChannelKind.WEBHOOK, url="https://hooks.example/x")],
                  actor=admin("lead"), now=now)  # fmt: skip
    raise_alert(store, rule="urgent_words", dedupe_key="k", title="Urgent words", details={}, now=now)

    def refusing(channel: Channel, message: AlertMessage) -> None:
        raise DeliveryError(f"{channel.masked}: HTTP 400 invalid text: call {PHONE} or mail {EMAIL}")

    enqueue_deliveries(store, load_channels(store), now=now)
    assert deliver_due(store, now=now, sender=refusing)["retrying"] == 1
    with store.read() as connection:
        stored = "\n".join(repr(tuple(r)) for t in metadata.sorted_tables for r in connection.execute(sa.select(t)))
    assert "HTTP 400 invalid text" in stored and "[email]" in stored
    assert EMAIL not in stored and PHONE not in stored
