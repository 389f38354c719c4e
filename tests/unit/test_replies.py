"""Reply counting per network, the payment-data guard, saved-reply placeholders and suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest

from voc.inbox.replies.guard import find_payment_data, iban_valid, luhn_valid, refusal
from voc.inbox.replies.networks import (
    NETWORKS,
    Route,
    grapheme_length,
    mastodon_length,
    route_for,
    with_mention,
    x_length,
)
from voc.inbox.replies.saved import SavedReply, check_saved_reply, fill, first_name, suggest
from voc.inbox.replies.senders import mint_tid


def test_x_counts_links_as_23_and_wide_characters_twice() -> None:
    assert x_length("hello") == 5
    assert x_length("see https://example.com/a/very/long/path/that/goes/on") == 4 + 23
    assert x_length("日本") == 4
    assert x_length("👍🏽") == 2 and x_length("👨‍👩‍👧") == 2  # one picture, one emoji's weight
    assert x_length("café") == 4


def test_mastodon_counts_a_remote_mention_by_its_local_part_and_links_as_23() -> None:
    assert mastodon_length("@anna@social.example hi") == len("@anna hi")
    assert mastodon_length("https://example.com/" + "x" * 100) == 23


def test_bluesky_counts_what_a_reader_sees() -> None:
    assert grapheme_length("👨‍👩‍👧") == 1
    assert grapheme_length("e\u0301") == 1


def test_each_network_has_its_documented_limit() -> None:
    assert {k: n.limit for k, n in NETWORKS.items()} == {
        "x": 280,
        "mastodon": 500,
        "bluesky": 300,
        "reddit": 10_000,
        "google_play": 350,
    }
    assert NETWORKS["x"].left("a" * 281) == -1


@pytest.mark.parametrize(
    ("item", "kind", "route"),
    [
        ({"kind": "mention"}, "x_mentions", Route.REPLY),
        ({"kind": "mention"}, "google_play_reviews", Route.REPLY),
        ({"kind": "survey"}, "survey_folder", Route.CALL_BACK),
        ({"kind": "mention"}, "app_store_reviews", Route.OPEN_ORIGINAL),
        ({"kind": "mention"}, "feed", Route.OPEN_ORIGINAL),
        ({"kind": "mention"}, "replay", Route.OPEN_ORIGINAL),
        ({"kind": "mention"}, None, Route.OPEN_ORIGINAL),
    ],
)
def test_what_can_be_answered_is_decided_by_the_source_kind(item: dict, kind: str | None, route: Route) -> None:
    decided = route_for(item, kind)
    assert decided.route is route
    assert (decided.network is not None) == (route is Route.REPLY)
    assert decided.why or route is Route.REPLY


def test_mastodon_replies_lead_with_the_customers_handle_once() -> None:
    mastodon = NETWORKS["mastodon"]
    assert with_mention(mastodon, "Sorry!", "@anna") == "@anna Sorry!"
    assert with_mention(mastodon, "@anna Sorry!", "@anna") == "@anna Sorry!"
    assert with_mention(NETWORKS["x"], "Sorry!", "@anna") == "Sorry!"


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("Your card 4111 1111 1111 1111 was charged", "a payment card number"),
        ("card 5500-0000-0000-0004", "a payment card number"),
        ("Pay to DE89 3704 0044 0532 0130 00", "a bank account number (IBAN)"),
        ("GB82WEST12345698765432 is ours", "a bank account number (IBAN)"),
        ("write to anna.b@example.com", "an e-mail address"),
        ("call us on +44 20 7946 0958", "a phone number"),
        ("call 020 7946 0958", "a phone number"),
        ("ring (555) 123-4567", "a phone number"),
    ],
)
def test_the_guard_refuses_payment_data_naming_what_not_the_value(text: str, what: str) -> None:
    reason = refusal(text)
    assert reason is not None and what in reason
    digits = [part for part in text.split() if sum(c.isdigit() for c in part) >= 4]
    assert not any(d in reason for d in digits)


@pytest.mark.parametrize(
    "text",
    [
        "Sorry @anna, we are on it! DM us your order number.",
        "Your order 12345678 ships today",
        "Refunded 1.234,56 EUR on 2026-12-06",
        "ref 4111111111111112 (not a card: the checksum fails)",
        "Our outage lasted 45 minutes, fixed at 10:30",
    ],
)
def test_the_guard_lets_ordinary_replies_through(text: str) -> None:
    assert refusal(text) is None, find_payment_data(text)


def test_checksums() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert iban_valid("DE89 3704 0044 0532 0130 00") and not iban_valid("DE89 3704 0044 0532 0130 01")


def test_placeholders_fill_author_brand_and_the_agents_first_name() -> None:
    text = "Hi {author}, {agent} from {brand} here."
    assert fill(text, author="@anna", brand="Northwind Mobile", agent_name="jane.doe@northwind.example") == (
        "Hi @anna, Jane from Northwind Mobile here."
    )
    assert fill(text, author=None, brand="N", agent_name="Amir Khan") == "Hi there, Amir from N here."
    assert first_name("") == "the team"


def test_a_saved_reply_with_an_unknown_placeholder_or_no_language_is_refused() -> None:
    problems = check_saved_reply("Refund", "english", "Hi {agnet}")
    assert any("{agnet}" in p for p in problems)
    assert any("language" in p for p in problems)
    assert check_saved_reply("Refund", "en", "Hi {author}") == []


def test_suggestions_put_the_items_language_then_its_theme_then_use_first() -> None:
    replies = [
        SavedReply(1, "General", "en", "x", use_count=9),
        SavedReply(2, "Billing", "en", "x", theme_id="billing", use_count=1),
        SavedReply(3, "Factura", "es", "x", theme_id="billing", use_count=50),
    ]
    assert [r.id for r in suggest(replies, language="en", theme_ids=["billing"])] == [2, 1, 3]
    assert [r.id for r in suggest(replies, language="es")] == [3, 1, 2]


def test_bluesky_record_keys_are_tids() -> None:
    keys = {mint_tid() for _ in range(50)}
    assert len(keys) == 50
    assert all(len(k) == 13 and set(k) <= set("234567abcdefghijklmnopqrstuvwxyz") for k in keys)


def test_a_mastodon_reply_that_names_the_customer_anywhere_is_not_prefixed() -> None:
    mastodon = NETWORKS["mastodon"]
    assert with_mention(mastodon, "Hi @anna, sorry!", "@anna") == "Hi @anna, sorry!"
    assert with_mention(mastodon, "Hi @annabel", "@anna") == "@anna Hi @annabel"


def test_write_credentials_are_secrets_never_shown_by_the_settings() -> None:
    from voc.settings import SECRET_KEYS, Settings

    values = {
        "x_api_key": "xkey-consumer-0001",
        "x_api_secret": "xsecret-consumer-0002",
        "x_access_token": "1600-xaccess0003",
        "x_access_token_secret": "xaccess-secret-0004",
        "mastodon_reply_token": "mastodon-write-token-0005",
        "reddit_password": "reddit-password-0007",
    }
    settings = Settings(database_url="sqlite://", **values)
    assert set(values) <= SECRET_KEYS
    assert not any(v in repr(settings) for v in values.values())
    loaded = Settings.load(
        {"X_API_KEY": "k" * 10, "MASTODON_REPLY_TOKEN": "t" * 10, "REDDIT_USERNAME": "northwind_care"},
        secrets_path=Path(__file__).with_name("no-such-secrets.toml"),
    )
    assert loaded.x_api_key == "k" * 10 and loaded.mastodon_reply_token == "t" * 10
