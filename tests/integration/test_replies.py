"""Replies from the app, through each network's real client library, against a loopback stand-in
answering with the providers' documented payloads: posted once, recorded at the network's time,
refusals kept with the network's own words, and a crash between post and record reconciled."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.actors import admin, agent
from tests.factories import new_item
from tests.reply_networks import (
    BLUESKY_EXPIRED,
    BLUESKY_RATE_LIMITED,
    MASTODON_TOKEN_INVALID,
    PLAY_NOT_FOUND,
    PLAY_PACKAGE,
    PLAY_QUOTA,
    REDDIT_BAD_PASSWORD,
    REDDIT_DELETED,
    REDDIT_RATELIMIT,
    X_DUPLICATE,
    X_RATE_LIMITED,
    X_UNAUTHORIZED,
    ReplyNetworks,
)
from voc.inbox.replies import service
from voc.inbox.replies.repository import ReplyStatus
from voc.inbox.replies.senders import Posted, ReplyTarget, Sender, SenderFactory, senders_from_settings
from voc.settings import Settings
from voc.store.facade import Store
from voc.store.schema import items, triage_events

AGENT = agent("jane.doe@northwind.example")
SECRETS = {
    "x_api_key": "xkey-consumer-0001",
    "x_api_secret": "xsecret-consumer-0002",
    "x_access_token": "1600000000000000001-xaccess0003",
    "x_access_token_secret": "xaccess-secret-0004",
    "mastodon_reply_token": "mastodon-write-token-0005",
    "bluesky_app_password": "abcd-efgh-ijkl-mnop",
    "reddit_client_secret": "reddit-secret-0006",
    "reddit_password": "reddit-password-0007",
}
# One answerable item per network: (source kind, external id, link, author).
ITEMS = {
    "x": ("x_mentions", "1860000000000000001", "https://x.com/anna/status/1860000000000000001", "@anna"),
    "mastodon": ("mastodon_hashtag", "117665562624000001", "https://social.example/@anna/117665562624000001", "@anna"),
    "bluesky": (
        "bluesky_search",
        "at://did:plc:anna/app.bsky.feed.post/3l3qo2vuowo2b",
        "https://bsky.app/profile/anna.example.social/post/3l3qo2vuowo2b",
        "@anna.example.social",
    ),
    "reddit": ("reddit_comments", "t1_abc", "https://www.reddit.com/r/northwind/comments/abc123/x/abc/", "u/anna"),
    "google_play": (
        "google_play_reviews",
        "gp:AOqpTOH1xyz",
        f"https://play.google.com/store/apps/details?id={PLAY_PACKAGE}&reviewId=gp:AOqpTOH1xyz",
        "A Google user",
    ),
}


class Crash(BaseException):
    """The app's process dying right after the network accepted the post (not an Exception: nothing catches it)."""


def play_key_file(tmp_path: Path, token_url: str) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    info = {
        "type": "service_account",
        "project_id": "northwind-voc",
        "private_key_id": "0123456789abcdef",
        "private_key": pem.decode(),
        "client_email": "voc-replies@northwind-voc.iam.gserviceaccount.com",
        "client_id": "100000000000000000001",
        "token_uri": token_url,
    }
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(info))
    return str(path)


@pytest.fixture
def networks() -> Iterator[ReplyNetworks]:
    with ReplyNetworks() as server:
        yield server


@pytest.fixture
def settings(networks: ReplyNetworks, tmp_path: Path) -> Settings:
    return Settings(
        database_url="sqlite://",
        x_api_base_url=networks.url,
        mastodon_instance=networks.url,
        bluesky_handle="northwind.example.social",
        bluesky_service_url=networks.url,
        reddit_client_id="reddit-app-id",
        reddit_username="northwind_care",
        reddit_oauth_url=networks.url,
        reddit_url=f"{networks.url}/reddit",
        google_play_service_account_file=play_key_file(tmp_path, f"{networks.url}/token"),
        google_play_api_url=f"{networks.url}/",
        reply_request_timeout_s=1.0,
        **SECRETS,
    )


@pytest.fixture
def senders(settings: Settings) -> SenderFactory:
    return senders_from_settings(settings)


@pytest.fixture
def answerable(store: Store, networks: ReplyNetworks) -> dict[str, int]:
    """One stored item per network, each from a source of that network's kind; returns their ids."""
    ids = {}
    for network, (kind, external_id, link, author) in ITEMS.items():
        config: dict[str, Any] = {"instance": networks.url} if network == "mastodon" else {}
        if network == "google_play":
            config = {"package": PLAY_PACKAGE}
        store.ensure_source(f"{network}-source", kind, config)
        store.add_items([new_item(external_id, source=f"{network}-source", channel=network, link=link, author=author)])
        with store.read() as connection:
            ids[network] = connection.execute(
                sa.select(items.c.id).where(items.c.source == f"{network}-source")
            ).scalar_one()
    return ids


def now() -> datetime:
    return datetime.now(UTC)


def draft_and_send(store: Store, item_id: int, senders: SenderFactory, text: str) -> service.Outcome:
    draft = service.prepare(store, item_id, text, senders=senders, actor=AGENT, now=now())
    return service.send(store, int(draft["id"]), senders=senders, actor=AGENT, now=now())


def item_row(store: Store, item_id: int) -> Any:
    with store.read() as connection:
        return connection.execute(sa.select(items).where(items.c.id == item_id)).mappings().one()


@pytest.mark.parametrize("network", list(ITEMS))
def test_a_reply_is_posted_once_and_answers_the_item_at_the_networks_time(
    store: Store, networks: ReplyNetworks, senders: SenderFactory, answerable: dict[str, int], network: str
) -> None:
    before = now()
    outcome = draft_and_send(store, answerable[network], senders, "Sorry about that, we are fixing your bill today.")

    assert outcome.status == ReplyStatus.POSTED, outcome.message
    assert networks.count(network) == 1
    draft = store.reply_draft(outcome.draft_id)
    assert draft is not None and draft["status"] == "posted" and draft["remote_id"]
    row = item_row(store, answerable[network])
    assert row["first_response_at"] == draft["posted_at"]
    assert before - timedelta(seconds=2) <= draft["posted_at"] <= now() + timedelta(seconds=2)
    assert row["triage_status"] == "waiting_on_customer"
    with store.read() as connection:
        fields = connection.execute(
            sa.select(triage_events.c.field, triage_events.c.new_value).where(
                triage_events.c.item_id == answerable[network]
            )
        ).all()
    assert any(f == "first_response_at" and "reply on" in str(v) for f, v in fields)


def test_x_reply_is_a_reply_to_the_customers_post(
    store: Store, networks: ReplyNetworks, senders: SenderFactory, answerable: dict[str, int]
) -> None:
    draft_and_send(store, answerable["x"], senders, "We are on it.")
    posted = networks.posted["x"][0]
    assert posted["referenced_tweets"] == [{"type": "replied_to", "id": ITEMS["x"][1]}]
    # X's time of the post is in its id (a snowflake): the item is answered at that moment.
    from voc.inbox.replies.senders import snowflake_time

    assert item_row(store, answerable["x"])["first_response_at"] == snowflake_time(posted["id"])


def test_mastodon_reply_names_the_customer_and_keeps_their_visibility(
    store: Store, networks: ReplyNetworks, senders: SenderFactory
) -> None:
    store.ensure_source("m", "mastodon_search", {"instance": networks.url})
    store.add_items([new_item("117665562624000007", source="m", channel="mastodon", author="@lena")])
    with store.read() as connection:
        item_id = connection.execute(sa.select(items.c.id).where(items.c.source == "m")).scalar_one()

    draft_and_send(store, item_id, senders, "Sorry Lena, an engineer is on the way.")

    status = networks.posted["mastodon"][0]
    assert status["visibility"] == "unlisted"  # the customer's post was unlisted
    assert status["in_reply_to_id"] == "117665562624000007"
    assert status["text_posted"] == "@lena Sorry Lena, an engineer is on the way."


def test_bluesky_reply_carries_root_and_parent_and_its_own_record_key(
    store: Store, networks: ReplyNetworks, senders: SenderFactory, answerable: dict[str, int]
) -> None:
    outcome = draft_and_send(store, answerable["bluesky"], senders, "We are looking into it.")
    post = networks.posted["bluesky"][0]
    parent = ITEMS["bluesky"][1]
    assert post["record"]["reply"]["parent"]["uri"] == parent
    assert post["record"]["reply"]["root"]["uri"] == parent  # a top-level post is its own root
    draft = store.reply_draft(outcome.draft_id)
    assert draft is not None and post["uri"].endswith("/" + draft["network_key"])


@pytest.mark.parametrize(
    ("network", "status", "body", "headers", "kind", "words"),
    [
        ("x", 429, X_RATE_LIMITED, {"x-rate-limit-reset": "4102444800"}, "rate_limited", "Too Many Requests"),
        ("x", 403, X_DUPLICATE, {}, "duplicate", "duplicate content"),
        ("x", 401, X_UNAUTHORIZED, {}, "auth", "Unauthorized"),
        ("mastodon", 401, MASTODON_TOKEN_INVALID, {}, "auth", "access token is invalid"),
        ("bluesky", 429, BLUESKY_RATE_LIMITED, {"ratelimit-reset": "4102444800"}, "rate_limited", "Rate Limit"),
        ("bluesky-session", 400, BLUESKY_EXPIRED, {}, "auth", "ExpiredToken"),
        ("reddit", 200, REDDIT_RATELIMIT, {}, "rate_limited", "Take a break for 5 minutes"),
        ("reddit-token", 200, REDDIT_BAD_PASSWORD, {}, "auth", "invalid_grant"),
        ("google_play", 429, PLAY_QUOTA, {}, "rate_limited", "Quota exceeded"),
        (
            "play-token",
            400,
            {"error": "invalid_grant", "error_description": "Invalid JWT Signature."},
            {},
            "auth",
            "invalid_grant",
        ),
    ],
)
def test_a_refusal_keeps_the_draft_with_the_networks_explanation_and_a_retry_posts_it_once(
    store: Store,
    networks: ReplyNetworks,
    senders: SenderFactory,
    answerable: dict[str, int],
    network: str,
    status: int,
    body: Any,
    headers: dict[str, str],
    kind: str,
    words: str,
) -> None:
    target = network.split("-")[0].replace("play", "google_play") if "-" in network else network
    networks.fail_next(network, status, body, headers)

    outcome = draft_and_send(store, answerable[target], senders, "Sorry, we will sort it out today.")

    assert outcome.status == ReplyStatus.FAILED
    assert words in outcome.message
    draft = store.reply_draft(outcome.draft_id)
    assert draft is not None and draft["status"] == "failed" and draft["error_kind"] == kind
    assert words in draft["error"]
    assert not any(secret in draft["error"] for secret in SECRETS.values())
    assert item_row(store, answerable[target])["first_response_at"] is None
    assert networks.count(target) == 0

    retried = service.send(store, outcome.draft_id, senders=senders, actor=AGENT, now=now())
    assert retried.status == ReplyStatus.POSTED, retried.message
    assert networks.count(target) == 1


@pytest.mark.parametrize("network", ["x", "mastodon", "bluesky", "reddit", "google_play"])
def test_a_deleted_parent_is_said_in_the_networks_words(
    store: Store, networks: ReplyNetworks, senders: SenderFactory, answerable: dict[str, int], network: str
) -> None:
    networks.gone.add(ITEMS[network][1])
    if network == "reddit":
        networks.fail_next("reddit", 200, REDDIT_DELETED)
    if network == "google_play":
        networks.fail_next("google_play", 404, PLAY_NOT_FOUND)

    outcome = draft_and_send(store, answerable[network], senders, "Sorry to hear that.")

    assert outcome.status == ReplyStatus.FAILED
    draft = store.reply_draft(outcome.draft_id)
    assert draft is not None and draft["error_kind"] == "parent_gone", draft["error"]
    assert networks.count(network) == 0


class CrashAfterPosting:
    """The real sender, but the process dies as soon as the network has accepted the post."""

    def __init__(self, sender: Sender) -> None:
        self.inner = sender
        self.network = sender.network

    def post(self, target: ReplyTarget, text: str, *, key: str, network_key: str | None) -> Posted:
        self.inner.post(target, text, key=key, network_key=network_key)
        raise Crash

    def find(self, *args: Any, **kwargs: Any) -> Posted | None:
        return self.inner.find(*args, **kwargs)


@pytest.mark.parametrize("network", list(ITEMS))
def test_a_crash_between_the_network_accepting_and_the_app_recording_is_reconciled_without_a_second_post(
    store: Store, networks: ReplyNetworks, settings: Settings, answerable: dict[str, int], network: str
) -> None:
    real = senders_from_settings(settings)
    crashing: SenderFactory = lambda name: CrashAfterPosting(real(name))  # noqa: E731
    draft = service.prepare(store, answerable[network], "We are on it.", senders=real, actor=AGENT, now=now())
    with pytest.raises(Crash):
        service.send(store, int(draft["id"]), senders=crashing, actor=AGENT, now=now())
    assert networks.count(network) == 1
    assert store.reply_draft(int(draft["id"]))["status"] == "sending"  # type: ignore[index]

    # The app starts again (a fresh process: new senders), after the attempt's lease ran out.
    restarted = senders_from_settings(settings)
    outcomes = service.reconcile_pending(store, senders=restarted, now=now() + timedelta(minutes=3))

    assert [o.status for o in outcomes] == [ReplyStatus.POSTED]
    recorded = store.reply_draft(int(draft["id"]))
    assert recorded is not None and recorded["status"] == "posted"
    assert item_row(store, answerable[network])["first_response_at"] == recorded["posted_at"]
    again = service.send(store, int(draft["id"]), senders=restarted, actor=AGENT, now=now())
    assert again.status == ReplyStatus.POSTED and networks.count(network) == 1


def test_a_reply_the_network_took_but_never_confirmed_is_found_before_sending_again(
    store: Store, networks: ReplyNetworks, senders: SenderFactory, answerable: dict[str, int]
) -> None:
    networks.stall_next("x", 2.5)  # accepted, answered after the client's 1 s deadline

    first = draft_and_send(store, answerable["x"], senders, "We are on it.")
    assert first.status == ReplyStatus.UNKNOWN, first.message
    assert networks.count("x") == 1

    again = service.send(store, first.draft_id, senders=senders, actor=AGENT, now=now())
    assert again.status == ReplyStatus.POSTED
    assert "already on X" in again.message
    assert networks.count("x") == 1


def test_a_crash_before_the_network_took_it_leaves_a_draft_to_send_again(
    store: Store, networks: ReplyNetworks, senders: SenderFactory, answerable: dict[str, int]
) -> None:
    draft = service.prepare(store, answerable["mastodon"], "We are on it.", senders=senders, actor=AGENT, now=now())
    assert store.claim_reply_for_sending(int(draft["id"]), now=now())  # then the process died

    outcomes = service.reconcile_pending(store, senders=senders, now=now() + timedelta(minutes=3))

    assert [o.status for o in outcomes] == [ReplyStatus.FAILED]
    assert "Nothing was posted" in outcomes[0].message
    assert networks.count("mastodon") == 0
    sent = service.send(store, int(draft["id"]), senders=senders, actor=AGENT, now=now())
    assert sent.status == ReplyStatus.POSTED and networks.count("mastodon") == 1


def test_two_sessions_cannot_both_send_one_draft(
    store: Store, senders: SenderFactory, answerable: dict[str, int]
) -> None:
    draft = service.prepare(store, answerable["x"], "On it.", senders=senders, actor=AGENT, now=now())
    assert store.claim_reply_for_sending(int(draft["id"]), now=now())
    second = service.send(store, int(draft["id"]), senders=senders, actor=AGENT, now=now())
    assert second.status == ReplyStatus.SENDING and "another session" in second.message


def test_payment_data_is_refused_before_anything_is_stored_or_sent(
    store: Store, networks: ReplyNetworks, senders: SenderFactory, answerable: dict[str, int]
) -> None:
    with pytest.raises(service.ReplyRefused, match="payment card number"):
        service.prepare(
            store, answerable["x"], "Your card 4111 1111 1111 1111 is refunded", senders=senders, actor=AGENT, now=now()
        )
    assert store.replies_of(answerable["x"]) == []
    assert networks.requests == []


def test_a_reply_over_the_networks_limit_is_refused_with_the_count(
    store: Store, senders: SenderFactory, answerable: dict[str, int]
) -> None:
    with pytest.raises(service.ReplyRefused, match="301 of 300"):
        service.prepare(store, answerable["bluesky"], "a" * 301, senders=senders, actor=AGENT, now=now())


def test_a_survey_respondent_gets_a_call_back_recorded_with_its_outcome(store: Store) -> None:
    store.ensure_source("surveys", "survey_folder", {})
    store.add_items([new_item("r1:comment", source="surveys", kind="survey", channel="survey", author=None)])
    with store.read() as connection:
        item_id = connection.execute(sa.select(items.c.id).where(items.c.source == "surveys")).scalar_one()
    called = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)

    service.record_call_back(
        store, item_id, outcome="reached", note="Refund agreed", actor=AGENT, now=now(), called_at=called
    )

    row = item_row(store, item_id)
    assert row["first_response_at"] == called and row["triage_status"] == "waiting_on_customer"
    [call] = store.replies_of(item_id)
    assert call["network"] == "call_back" and call["outcome"] == "reached"
    with pytest.raises(service.ReplyRefused, match="survey"):
        service.prepare(store, item_id, "hello", senders=lambda n: None, actor=AGENT, now=now())  # type: ignore[arg-type,return-value]


def test_saved_replies_are_kept_per_language_counted_and_edited_by_admins_only(
    store: Store, senders: SenderFactory, answerable: dict[str, int]
) -> None:
    boss = admin("amir@northwind.example")
    reply_id = store.save_saved_reply(
        title="Bill fixed",
        language="en",
        text="Hi {author}, {agent} from {brand} here.",
        theme_id=None,
        actor=boss,
        now=now(),
    )
    with pytest.raises(ValueError, match=r"\{agnet\}"):
        store.save_saved_reply(title="Typo", language="en", text="{agnet}", theme_id=None, actor=boss, now=now())
    from voc.access.roles import AccessDenied

    with pytest.raises(AccessDenied):
        store.save_saved_reply(title="x", language="en", text="y", theme_id=None, actor=AGENT, now=now())

    service.prepare(
        store, answerable["x"], "Hi @anna, Jane here.", senders=senders, actor=AGENT, now=now(), saved_reply_id=reply_id
    )
    [saved] = store.list_saved_replies("en")
    assert saved.use_count == 1


def posted_then_crashed(store: Store, senders: SenderFactory, item_id: int) -> None:
    """A reply the network accepted, the process gone before recording it (the draft unsettled)."""
    draft = service.prepare(store, item_id, "On it.", senders=senders, actor=AGENT, now=now())
    crashing: SenderFactory = lambda name: CrashAfterPosting(senders(name))  # noqa: E731
    with pytest.raises(Crash):
        service.send(store, int(draft["id"]), senders=crashing, actor=AGENT, now=now())


def test_the_listener_loop_settles_an_unrecorded_attempt_once_a_minute(
    store: Store, networks: ReplyNetworks, settings: Settings, answerable: dict[str, int]
) -> None:
    real = senders_from_settings(settings)
    posted_then_crashed(store, real, answerable["bluesky"])
    later = [now() + timedelta(minutes=3)]
    worker = service.ReconcileWorker(store, senders_from_settings(settings), clock=lambda: later[0], background=False)

    assert [o.status for o in worker.tick()] == [ReplyStatus.POSTED]
    assert worker.tick() == []  # within the minute: no call at all
    assert networks.count("bluesky") == 1


def test_settling_runs_beside_the_polling_so_a_slow_network_holds_up_no_source(
    store: Store, networks: ReplyNetworks, settings: Settings, answerable: dict[str, int]
) -> None:
    real = senders_from_settings(settings)
    posted_then_crashed(store, real, answerable["bluesky"])
    networks.stall_next("bluesky", 2.5)  # the network takes its time to say what it holds
    worker = service.ReconcileWorker(store, real, clock=lambda: now() + timedelta(minutes=3))

    assert worker.tick() == []  # the loop goes on to poll sources at once
    assert worker.tick() == []  # a second tick while the first run is going starts nothing
    worker.join(30)

    assert [o.status for o in worker.last_outcomes] == [ReplyStatus.POSTED]
    assert networks.count("bluesky") == 1


def test_a_bluesky_reply_deep_in_a_thread_keeps_the_threads_root(
    store: Store, networks: ReplyNetworks, senders: SenderFactory, answerable: dict[str, int]
) -> None:
    root = {"uri": "at://did:plc:brand/app.bsky.feed.post/3l3root000000", "cid": "bafyreiroot"}
    parent = ITEMS["bluesky"][1]
    networks.bluesky_threads[parent] = {"root": root, "parent": root}  # the customer answered the brand's post

    draft_and_send(store, answerable["bluesky"], senders, "Thanks, we are on it.")

    reply = networks.posted["bluesky"][0]["record"]["reply"]
    assert (reply["root"]["uri"], reply["root"]["cid"]) == (root["uri"], root["cid"])
    assert reply["parent"]["uri"] == parent


def test_when_the_network_cannot_be_asked_the_reply_stays_unconfirmed_and_is_not_sent_again(
    store: Store, networks: ReplyNetworks, senders: SenderFactory, answerable: dict[str, int]
) -> None:
    networks.stall_next("x", 2.5)
    first = draft_and_send(store, answerable["x"], senders, "We are on it.")
    assert first.status == ReplyStatus.UNKNOWN
    networks.fail_next("x-read", 429, X_RATE_LIMITED, {"x-rate-limit-reset": "4102444800"})

    looked = service.send(store, first.draft_id, senders=senders, actor=AGENT, now=now())

    assert looked.status == ReplyStatus.UNKNOWN and "Too Many Requests" in looked.message
    assert networks.count("x") == 1
    settled = service.send(store, first.draft_id, senders=senders, actor=AGENT, now=now())
    assert settled.status == ReplyStatus.POSTED and networks.count("x") == 1
