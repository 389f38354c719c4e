"""The X listeners driven through tweepy itself, against recorded X API v2 responses (`responses`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses

from listeners.base import ErrorKind, SourceError
from listeners.registry import build_listener
from listeners.x_recent import (
    MISSING_TOKEN,
    XCursor,
    XListener,
    build_x_listener,
    newest,
    snowflake_time,
)
from tests.x_api import SEARCH_URL, TOKEN, load, mentions_url, snowflake
from voc.models import SourceState
from voc.settings import Settings
from voc.sources.costs import Rates

QUERY = '("Northwind" OR Northwnd OR @NorthwindMobile OR #northwind) -is:retweet'
YESTERDAY_ID = "2124563560657846272"  # 2026-11-22 18:00 UTC, inside the seven days
PAGE_1_NEWEST = "2124832834974646272"


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def search(clock: Any, token: str | None = TOKEN, **config: Any) -> XListener:
    return build_x_listener(
        "x_search",
        "x-brand",
        {"query": QUERY, **config},
        token=token,
        default_brand="Northwind Mobile",
        rates=Rates(),
        clock=clock,
    )


def mentions(clock: Any, **config: Any) -> XListener:
    """A mentions source of the brand's account, as the Sources page adds it."""
    return build_x_listener(
        "x_mentions", "x-mentions", config, token=TOKEN, default_brand="Northwind Mobile", rates=Rates(), clock=clock
    )


def sent(api: responses.RequestsMock, index: int = -1) -> dict[str, str]:
    """The query parameters of a request tweepy made."""
    query = parse_qs(urlparse(api.calls[index].request.url).query)
    return {key: values[-1] for key, values in query.items()}


def fail(api: responses.RequestsMock, status: int, fixture: str, url: str = SEARCH_URL, **headers: str) -> None:
    api.get(url, json=load(fixture), status=status, headers=headers)


def error_from(listener: XListener, cursor: str | None = None) -> SourceError:
    with pytest.raises(SourceError) as caught:
        listener.fetch(cursor)
    return caught.value


# ---- polling and cursors -------------------------------------------------------------------


def test_the_first_poll_reaches_back_a_day_and_asks_for_every_field(api, clock) -> None:
    api.get(SEARCH_URL, json=load("search_empty.json"))
    batch = search(clock).fetch(None)
    params = sent(api)
    assert params["query"] == QUERY
    assert params["start_time"] == (clock.now - timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "since_id" not in params
    assert set(params["tweet.fields"].split(",")) == {
        "created_at",
        "lang",
        "public_metrics",
        "conversation_id",
        "referenced_tweets",
        "note_tweet",
        "entities",
        "author_id",
    }
    assert params["expansions"] == "author_id"
    assert set(params["user.fields"].split(",")) == {"username", "name", "public_metrics"}
    assert params["max_results"] == "100"
    assert api.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert batch.items == [] and not batch.more


def test_pages_keep_the_since_id_and_the_next_since_id_is_the_first_pages_newest(api, clock) -> None:
    api.get(SEARCH_URL, json=load("search_page_1.json"))
    api.get(SEARCH_URL, json=load("search_page_2.json"))
    listener = search(clock)
    start = XCursor(since_id=YESTERDAY_ID).dump()

    first = listener.fetch(start)
    assert first.more
    assert json.loads(first.cursor or "") == {
        "since_id": YESTERDAY_ID,
        "pending_since_id": PAGE_1_NEWEST,
        "next_token": "b26v89c19zqg8o3fo",
    }
    second = listener.fetch(first.cursor)

    assert sent(api, 0)["since_id"] == YESTERDAY_ID and "next_token" not in sent(api, 0)
    assert sent(api, 1)["since_id"] == YESTERDAY_ID and sent(api, 1)["next_token"] == "b26v89c19zqg8o3fo"
    assert not second.more
    assert json.loads(second.cursor or "") == {"since_id": PAGE_1_NEWEST}  # not page 2's older newest_id
    assert [i.external_id for i in first.items + second.items] == [
        "2124832834974646272",
        "2124830318392246272",
        "2124827801809846272",
        "2124825285227446272",
        "2124822768645046272",
    ]
    # includes.users is joined page by page: page 2's author comes from page 2's includes.
    assert second.items[0].author == "@alex_placeholder" and second.items[0].author_reach == 880


def test_items_carry_author_reach_link_language_and_brand(api, clock) -> None:
    api.get(SEARCH_URL, json=load("search_page_1.json"))
    angry, thanks, hashtag = search(clock).fetch(None).items
    assert angry.author == "@sam_example"
    assert angry.author_reach == 15200
    assert angry.link == f"https://x.com/sam_example/status/{PAGE_1_NEWEST}"
    assert angry.posted_at == datetime(2026, 11, 23, 11, 50, tzinfo=UTC)
    assert angry.channel == "x" and angry.brand == "Northwind Mobile" and not angry.is_competitor
    assert angry.language_hint == "en" and thanks.language_hint == "fr"
    assert hashtag.language_hint is None  # X's "und" is no hint at all
    assert thanks.extra["referenced_tweets"] == [{"type": "replied_to", "id": "2124820252062646272"}]
    assert thanks.extra["conversation_id"] == "2124820252062646272"
    assert (thanks.in_reply_to, thanks.conversation_id) == ("2124820252062646272", "2124820252062646272")
    # A post that answers nothing: X names it its own conversation.
    assert (angry.in_reply_to, angry.conversation_id) == (None, PAGE_1_NEWEST)
    assert angry.extra["public_metrics"]["impression_count"] == 120


def test_a_competitor_query_tags_its_items_for_share_of_voice(api, clock) -> None:
    api.get(SEARCH_URL, json=load("search_page_2.json"))
    items = search(clock, brand="Contoso Telecom", competitor=True).fetch(None).items
    assert {(i.brand, i.is_competitor) for i in items} == {("Contoso Telecom", True)}


def test_a_long_post_is_read_from_note_tweet_not_the_truncated_text(api, clock) -> None:
    api.get(SEARCH_URL, json=load("search_long_post.json"))
    (item,) = search(clock).fetch(None).items
    assert item.text.endswith("Absolutely unacceptable.")
    assert "https://t.co/abc123" not in item.text
    assert item.extra["long_post"] is True


def test_an_empty_result_leaves_the_cursor_where_it_was(api, clock) -> None:
    api.get(SEARCH_URL, json=load("search_empty.json"))
    cursor = XCursor(since_id=YESTERDAY_ID).dump()
    batch = search(clock).fetch(cursor)
    assert batch.items == [] and batch.cursor == cursor and not batch.more
    assert batch.usage is not None and (batch.usage.requests, batch.usage.posts_read) == (1, 0)


def test_ids_compare_as_numbers_not_strings() -> None:
    assert newest("999", "1000") == "1000"
    assert newest(None, "2124563560657846272", "998") == "2124563560657846272"
    assert newest(None, None) is None


def test_the_reads_of_a_page_are_metered_at_the_configured_prices(api, clock) -> None:
    api.get(SEARCH_URL, json=load("search_page_1.json"))
    listener = build_x_listener(
        "x_search",
        "x-brand",
        {"query": QUERY, "post_read_usd": 0.001},
        token=TOKEN,
        default_brand="Northwind Mobile",
        rates=Rates(post_read_usd=0.005, user_read_usd=0.01),
        clock=clock,
    )
    usage = listener.fetch(None).usage
    assert usage is not None
    assert (usage.requests, usage.posts_read, usage.users_read) == (1, 3, 3)
    assert usage.cost_usd == pytest.approx(3 * 0.001 + 3 * 0.01)


def test_partial_errors_on_a_200_are_logged_and_the_page_kept(api, clock, caplog) -> None:
    api.get(SEARCH_URL, json=load("search_partial_errors.json"))
    with caplog.at_level(logging.WARNING):
        (item,) = search(clock).fetch(None).items
    assert item.author is None and item.link == f"https://x.com/i/web/status/{item.external_id}"
    assert "1 partial errors: Forbidden (author_id) x1" in caplog.text
    assert "1199" not in caplog.text  # the suspended user's id: the error's `value` and `detail`


def test_partial_errors_are_logged_by_title_and_field_never_by_the_user_they_name(api, clock, caplog) -> None:
    """The `errors` of a 200 as X documents them: the example response of the timelines API reference
    (xdevplatform/docs, X API v2 `GET /2/users/:id/tweets` and `/mentions`, "errors" with `section:
    includes`), where `detail` and `value` quote a username and a user id. Usernames and ids here are
    invented; the shape, titles, parameters and types are X's."""
    page = load("search_partial_errors.json")
    page["errors"] = [
        {
            "resource_id": "jo_smith_77",
            "parameter": "entities.mentions.username",
            "resource_type": "user",
            "section": "includes",
            "title": "Authorization Error",
            "value": "jo_smith_77",
            "detail": "Sorry, you are not authorized to see the user with entities.mentions.username: [jo_smith_77].",
            "type": "https://api.twitter.com/2/problems/not-authorized-for-resource",
        },
        {
            "resource_id": "3117970001",
            "parameter": "in_reply_to_user_id",
            "resource_type": "user",
            "section": "includes",
            "title": "Authorization Error",
            "value": "3117970001",
            "detail": "Sorry, you are not authorized to see the user with in_reply_to_user_id: [3117970001].",
            "type": "https://api.twitter.com/2/problems/not-authorized-for-resource",
        },
        {
            "value": "1371363774729300001",
            "detail": "Could not find tweet with referenced_tweets.id: [1371363774729300001].",
            "title": "Not Found Error",
            "resource_type": "tweet",
            "parameter": "referenced_tweets.id",
            "resource_id": "1371363774729300001",
            "type": "https://api.twitter.com/2/problems/resource-not-found",
        },
    ]
    api.get(SEARCH_URL, json=page)
    with caplog.at_level(logging.WARNING):
        batch = search(clock).fetch(None)
    assert [i.external_id for i in batch.items] == ["2124821258695606272"] and not batch.skipped
    assert (
        "3 partial errors: Authorization Error (entities.mentions.username) x1; "
        "Authorization Error (in_reply_to_user_id) x1; Not Found Error (referenced_tweets.id) x1"
    ) in caplog.text
    for personal in ("jo_smith_77", "3117970001", "1371363774729300001"):
        assert personal not in caplog.text


def test_a_malformed_post_is_counted_as_skipped_and_the_rest_of_the_page_kept(api, clock) -> None:
    # Issue 17: a post without created_at is no longer malformed (its id carries its time, see
    # the test below); a post without text is, and the page says so in `skipped`.
    page = load("search_page_2.json")
    del page["data"][0]["text"]
    api.get(SEARCH_URL, json=page)
    batch = search(clock).fetch(None)
    assert [i.external_id for i in batch.items] == ["2124822768645046272"]
    assert dict(batch.skipped) == {"post without text": 1}


# ---- the seven-day window --------------------------------------------------------------------


def test_a_since_id_refused_as_too_old_falls_back_to_a_start_time_window_and_reports_the_gap(api, clock) -> None:
    fail(api, 400, "error_400_since_id.json")
    api.get(SEARCH_URL, json=load("search_page_2.json"))
    batch = search(clock).fetch(XCursor(since_id=YESTERDAY_ID, next_token="stale").dump())

    retry = sent(api, 1)
    window_start = clock.now - timedelta(days=7) + timedelta(minutes=5)
    assert "since_id" not in retry and "next_token" not in retry  # never since_id with start_time
    assert retry["start_time"] == window_start.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert batch.gap is not None
    assert batch.gap.start == snowflake_time(YESTERDAY_ID) and batch.gap.end == window_start
    assert "could not be fetched" in batch.gap.reason
    assert len(batch.items) == 2
    assert json.loads(batch.cursor or "") == {"since_id": "2124825285227446272"}


def test_a_since_id_known_to_be_older_than_seven_days_is_not_even_sent(api, clock) -> None:
    old = snowflake(clock.now - timedelta(days=9))
    api.get(SEARCH_URL, json=load("search_empty.json"))
    batch = search(clock).fetch(XCursor(since_id=old).dump())
    assert len(api.calls) == 1 and "since_id" not in sent(api) and "start_time" in sent(api)
    assert batch.gap is not None and batch.gap.start == snowflake_time(old)


# ---- errors, through the one classifier ----------------------------------------------------


def test_a_429_with_a_reset_header_waits_until_the_reset(api, clock) -> None:
    reset = int(clock.now.timestamp()) + 300
    fail(api, 429, "error_429_rate_limited.json", **{"x-rate-limit-reset": str(reset), "x-rate-limit-remaining": "0"})
    error = error_from(search(clock))
    assert error.kind is ErrorKind.RATE_LIMITED and error.retryable
    assert error.retry_after_s == pytest.approx(301)


def test_a_429_without_a_reset_header_returns_at_once_and_leaves_the_wait_to_backoff(api, clock) -> None:
    fail(api, 429, "error_429_rate_limited.json")
    error = error_from(search(clock))  # tweepy's own waiting would recurse here (pitfall P1)
    assert error.kind is ErrorKind.RATE_LIMITED and error.retry_after_s is None
    assert len(api.calls) == 1


def test_a_usage_cap_pauses_until_the_next_utc_midnight_and_says_so(api, clock) -> None:
    fail(api, 429, "error_429_usage_capped.json", **{"x-rate-limit-reset": str(int(clock.now.timestamp()) + 60)})
    error = error_from(search(clock))
    assert error.kind is ErrorKind.USAGE_CAP
    assert error.retry_after_s == pytest.approx(12 * 3600)  # 12:00 -> 00:00 UTC, not the 60 s window
    assert "usage cap reached" in error.message and "Monthly product cap" in error.message


def test_a_401_stops_retrying_and_says_how_to_fix_the_token(api, clock) -> None:
    fail(api, 401, "error_401_unauthorized.json")
    error = error_from(search(clock))
    assert error.kind is ErrorKind.AUTH and not error.retryable
    assert "X_BEARER_TOKEN" in error.message and TOKEN not in error.message


def test_a_403_for_an_app_outside_a_project_says_to_attach_it(api, clock) -> None:
    fail(api, 403, "error_403_client_not_enrolled.json")
    error = error_from(search(clock))
    assert error.kind is ErrorKind.AUTH and "attached to a Project" in error.message


def test_an_invalid_query_shows_the_apis_own_message(api, clock) -> None:
    fail(api, 400, "error_400_query.json")
    error = error_from(search(clock))
    assert error.kind is ErrorKind.INVALID_QUERY and not error.retryable
    assert "Missing closing parenthesis" in error.message


def test_a_503_is_transient(api, clock) -> None:
    fail(api, 503, "error_503_unavailable.json")
    error = error_from(search(clock))
    assert error.kind is ErrorKind.TRANSIENT and error.retry_after_s is None


def test_a_body_that_is_not_json_is_transient(api, clock) -> None:
    api.get(SEARCH_URL, body='{"data": [{"id": "2124832834974646272", "text": "the app keeps cr', status=200)
    error = error_from(search(clock))
    assert error.kind is ErrorKind.TRANSIENT and "not valid JSON" in error.message


def test_a_json_body_of_the_wrong_shape_is_bad_data(api, clock) -> None:
    api.get(SEARCH_URL, json={"data": {"id": "1"}, "meta": {}})
    assert error_from(search(clock)).kind is ErrorKind.BAD_DATA


@pytest.mark.parametrize(
    "failure", [requests.ConnectTimeout("slow"), requests.ReadTimeout("slow"), requests.ConnectionError("reset")]
)
def test_timeouts_and_connection_errors_are_transient(api, clock, failure) -> None:
    api.get(SEARCH_URL, body=failure)
    assert error_from(search(clock)).kind is ErrorKind.TRANSIENT


def test_a_missing_token_is_a_clear_auth_error_and_nothing_is_sent(api, clock) -> None:
    error = error_from(search(clock, token=None))
    assert error.kind is ErrorKind.AUTH and error.message == MISSING_TOKEN
    assert len(api.calls) == 0


def test_the_registry_builds_x_sources_and_reports_a_missing_token_or_query_on_poll(clock) -> None:
    def state(kind: str, config: dict[str, Any]) -> SourceState:
        fields = dict.fromkeys(SourceState.__dataclass_fields__)
        fields.update(name="x", kind=kind, config=config, enabled=True, poll_interval_s=60, consecutive_failures=0)
        fields.update(items_total=0)
        return SourceState(**fields)

    no_token = build_listener(state("x_search", {"query": QUERY}), Settings(x_bearer_token=None))
    assert error_from(no_token).message == MISSING_TOKEN  # type: ignore[arg-type]
    no_query = build_listener(state("x_search", {}), Settings(x_bearer_token=TOKEN))
    with pytest.raises(SourceError, match="has no query") as caught:
        no_query.fetch(None)
    assert caught.value.kind is ErrorKind.INVALID_QUERY
    too_long = build_listener(state("x_search", {"query": "a" * 513}), Settings(x_bearer_token=TOKEN))
    with pytest.raises(SourceError, match="X allows 512"):
        too_long.fetch(None)


# ---- the mentions timeline -------------------------------------------------------------------


def test_mentions_resolve_the_account_once_and_page_with_pagination_token(api, clock) -> None:
    api.get("https://api.twitter.com/2/users/by/username/NorthwindMobile", json=load("user_by_username.json"))
    api.get(mentions_url("900"), json=load("mentions_page_1.json"))
    api.get(mentions_url("900"), json=load("mentions_page_2.json"))
    listener = mentions(clock, account="@NorthwindMobile")
    first = listener.fetch(None)
    second = listener.fetch(first.cursor)

    assert json.loads(first.cursor or "")["user_id"] == "900"
    assert first.usage is not None and (first.usage.requests, first.usage.users_read) == (2, 2)  # lookup + page
    assert sent(api, 2)["pagination_token"] == "7140dibdnow9c7btw3w2ahmw7z9a2wds8c9a6"
    assert "next_token" not in sent(api, 2)
    assert json.loads(second.cursor or "") == {"since_id": "2124821510353846272", "user_id": "900"}
    assert [i.language_hint for i in first.items + second.items] == ["en", "pt"]
    assert len(api.calls) == 3  # the account is not looked up again


def test_an_unknown_account_is_an_invalid_source(api, clock) -> None:
    api.get(
        "https://api.twitter.com/2/users/by/username/nobody_here",
        json={"errors": [{"detail": "Could not find user with username: [nobody_here]."}]},
    )
    listener = build_x_listener(
        "x_mentions", "m", {"account": "nobody_here"}, token=TOKEN, default_brand="B", rates=Rates(), clock=clock
    )
    error = error_from(listener)
    assert error.kind is ErrorKind.INVALID_QUERY and "Could not find user" in error.message


# ---- the HTTP session ------------------------------------------------------------------------


def test_every_call_has_a_timeout_even_though_tweepy_sets_none(clock) -> None:
    seen: list[Any] = []

    class Recording(requests.adapters.HTTPAdapter):
        def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(kwargs.get("timeout"))
            response = requests.Response()
            response.status_code, response._content = 200, json.dumps(load("search_empty.json")).encode()
            response.headers["Content-Type"] = "application/json"
            response.request, response.url = request, request.url
            return response

    listener = search(clock)
    assert listener.client is not None and listener.client.wait_on_rate_limit is False
    listener.client.session.mount("https://", Recording())
    listener.fetch(None)
    assert seen == [(5.0, 30.0)]


def test_another_api_host_can_be_configured(api, clock) -> None:
    api.get("https://api.x.com/2/tweets/search/recent", json=load("search_empty.json"))
    listener = build_x_listener(
        "x_search",
        "x",
        {"query": QUERY},
        token=TOKEN,
        default_brand="B",
        rates=Rates(),
        base_url="https://api.x.com",
        clock=clock,
    )
    listener.fetch(None)
    assert api.calls[0].request.url.startswith("https://api.x.com/2/tweets/search/recent")


def test_the_token_never_reaches_the_logs_even_at_debug(api, clock, caplog) -> None:
    api.get(SEARCH_URL, json=load("search_page_1.json"))
    fail(api, 401, "error_401_unauthorized.json")
    listener = search(clock)
    with caplog.at_level(logging.DEBUG):
        cursor = listener.fetch(None).cursor
        error_from(listener, cursor)
    assert "Making API request" in caplog.text  # tweepy logged its request headers ...
    assert "Bearer ***" in caplog.text  # ... scrubbed
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(listener)


@pytest.mark.parametrize("cursor", ["not json", "null", '{"unknown": 1}'])
def test_an_unreadable_cursor_is_bad_data_not_a_crash(api, clock, cursor) -> None:
    error = error_from(search(clock), cursor)
    assert error.kind is ErrorKind.BAD_DATA and "cursor" in error.message


def test_a_post_without_created_at_takes_its_time_from_its_id_and_its_text_is_unescaped(api, clock) -> None:
    api.get(SEARCH_URL, json=load("search_escaped_and_undated.json"))
    batch = search(clock).fetch(None)
    undated, dated = batch.items
    # The id's top bits are milliseconds since X's epoch: (id >> 22) + 1288834974657.
    expected = datetime.fromtimestamp(((2124825285227446272 >> 22) + 1288834974657) / 1000, tz=UTC)
    assert undated.posted_at == expected
    assert undated.text == "Northwind's bill says £30 & the app says £25 >:( is it <really> that hard? @NorthwindMobile"
    assert dated.text == "Signal back in Leeds && all good now, thanks @NorthwindMobile"
    assert not batch.skipped


def test_a_repost_is_counted_as_skipped_not_stored_as_the_reposters_words(api, clock) -> None:
    """A repost in the mentions timeline (which takes no `-is:retweet`), shaped as X documents it:
    `referenced_tweets: [{"type": "retweeted", "id": ...}]` (the `retweeted`, `quoted`, `replied_to`
    enum of the Post object, xdevplatform/docs timelines reference) and a text of `RT @writer: ...`
    cut short. It was stored as the reposter's own post, once per repost. A quote keeps its words."""
    page = load("mentions_page_1.json")
    (original,) = page["data"]
    quote = {**original, "id": str(int(original["id"]) + 2), "text": "@NorthwindMobile same here in York"}
    repost = {
        **original,
        "id": str(int(original["id"]) + 1),
        "text": "RT @jo_smith_77: " + original["text"][:100] + "\u2026",
        "referenced_tweets": [{"type": "retweeted", "id": original["id"]}],
    }
    quote["referenced_tweets"] = [{"type": "quoted", "id": original["id"]}]
    page["data"] = [quote, repost, original]
    api.get(mentions_url("1000"), json=page)
    batch = mentions(clock, user_id="1000").fetch(None)
    assert [i.external_id for i in batch.items] == [quote["id"], original["id"]]
    assert dict(batch.skipped) == {"repost (the original post is stored on its own)": 1}
