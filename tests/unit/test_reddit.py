"""The Reddit listener driven through praw and prawcore, against recorded API responses (`responses`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import prawcore.sessions
import pytest
import requests
import responses

from listeners.base import ErrorKind, SourceError
from listeners.paging import PageCursor
from listeners.reddit import RedditListener, build_reddit_listener, subreddit_path
from tests.local_sources import fixture_json

TOKEN_URL = "https://www.reddit.com/api/v1/access_token"
SEARCH = re.compile(r"https://oauth\.reddit\.com/r/Northwind\+NorthwindMobile/search")
COMMENTS = re.compile(r"https://oauth\.reddit\.com/r/Northwind/comments")
SECRET = "reddit-client-secret-0123456789"
RATE = {"x-ratelimit-remaining": "95.0", "x-ratelimit-used": "5", "x-ratelimit-reset": "420"}


@pytest.fixture(autouse=True)
def _no_sleeping(monkeypatch: pytest.MonkeyPatch) -> None:
    """prawcore must not sleep at all now (its retries are off); a test must not wait if it did."""
    monkeypatch.setattr(prawcore.sessions.time, "sleep", lambda seconds: None)


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def signed_in(api: responses.RequestsMock) -> None:
    api.post(TOKEN_URL, json=fixture_json("reddit", "access_token.json"))


def posts(clock: Any, **config: Any) -> RedditListener:
    return build_reddit_listener(
        "reddit_posts",
        "reddit-brand",
        {"subreddits": "r/Northwind, NorthwindMobile", "query": 'Northwind OR "Northwind Mobile"', **config},
        default_brand="Northwind Mobile",
        client_id="client-id",
        client_secret=SECRET,
        user_agent="python:voc-tests:0.1",
        clock=clock,
    )


def comments(clock: Any, **config: Any) -> RedditListener:
    return build_reddit_listener(
        "reddit_comments",
        "reddit-comments",
        {"subreddits": "Northwind", "keywords": "northwind, ノースウィンド", **config},
        default_brand="Northwind Mobile",
        client_id="client-id",
        client_secret=SECRET,
        user_agent="python:voc-tests:0.1",
        clock=clock,
    )


def params(api: responses.RequestsMock, index: int) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(api.calls[index].request.url).query).items()}


def error_from(listener: RedditListener, cursor: str | None = None) -> SourceError:
    with pytest.raises(SourceError) as caught:
        listener.fetch(cursor)
    return caught.value


def test_a_search_pages_back_to_the_last_poll_and_then_moves_the_watermark(api, clock) -> None:
    signed_in(api)
    api.get(SEARCH, json=fixture_json("reddit", "search_page_1.json"), headers=RATE)
    api.get(SEARCH, json=fixture_json("reddit", "search_page_2.json"), headers=RATE)
    listener = posts(clock)

    first = listener.fetch(None)
    assert first.more
    state = PageCursor.parse(first.cursor, service="Reddit")
    assert state.page == "t3_1gx9ab" and state.pending == "2026-11-23T11:50:00+00:00"
    second = listener.fetch(first.cursor)

    assert params(api, 1) == {
        "limit": "100",
        "raw_json": "1",
        "q": 'Northwind OR "Northwind Mobile"',
        "sort": "new",
        "t": "week",
        "type": "link",
        "restrict_sr": "1",
    }
    assert params(api, 2)["after"] == "t3_1gx9ab"
    assert not second.more  # page 2 reached a post from before the first poll's window
    assert json.loads(second.cursor or "") == {"since": "2026-11-23T11:50:00+00:00"}
    ids = [i.external_id for i in first.items + second.items]
    assert ids == ["t3_1gx9ad", "t3_1gx9ac", "t3_1gx9ab", "t3_1gx9aa"]  # the two-day-old post is not new
    outage, russian, removed, happy = first.items + second.items
    assert outage.text == "Northwind outage in Manchester?\n\nNo signal since 9am. Anyone else?"
    assert (outage.author, outage.author_reach) == ("u/mcr_commuter", 48210)  # subreddit subscribers
    assert outage.link == "https://www.reddit.com/r/Northwind/comments/1gx9ad/northwind_outage_in_/"
    assert russian.text == "Нортвинд снова списал деньги дважды\n\nУже третий месяц подряд."
    assert removed.text == "Northwind roaming charges" and removed.author is None and removed.extra["removed"]
    assert happy.text == "Switched to Northwind, happy so far"
    # A post answers nothing and starts its own thread.
    assert (outage.in_reply_to, outage.conversation_id) == (None, "t3_1gx9ad")
    assert api.calls[1].request.headers["Authorization"].startswith("bearer ")


def test_comments_keep_those_with_a_keyword_and_drop_deleted_ones(api, clock) -> None:
    signed_in(api)
    api.get(COMMENTS, json=fixture_json("reddit", "comments_page.json"), headers=RATE)
    api.get(
        re.compile(r"https://oauth\.reddit\.com/r/Northwind/about"), json=fixture_json("reddit", "about_northwind.json")
    )
    batch = comments(clock).fetch(None)
    leeds, tokyo = batch.items
    assert (leeds.external_id, leeds.text) == ("t1_lz3c", "Northwind's 5G is great in Leeds")
    assert tokyo.text == "ノースウィンドの料金が高い" and tokyo.author == "u/tokyo_user"
    # `parent_id` is the comment (t1_) or post (t3_) answered, `link_id` the thread's post.
    assert (leeds.in_reply_to, leeds.conversation_id) == ("t1_lz3a", "t3_1gx9aa")
    assert (tokyo.in_reply_to, tokyo.conversation_id) == ("t3_1gx9aa", "t3_1gx9aa")
    # Comments carry no subscriber count: looked up once for the subreddit.
    assert leeds.author_reach == tokyo.author_reach == 48210
    assert batch.usage is not None and batch.usage.requests == 2
    assert set(batch.skipped) <= {"deleted or removed comment"} and sum(batch.skipped.values()) >= 1


def test_author_karma_as_reach_when_asked(api, clock) -> None:
    signed_in(api)
    api.get(COMMENTS, json=fixture_json("reddit", "comments_page.json"), headers=RATE)
    for user, karma in (("leeds_fan", 1520), ("tokyo_user", 33)):
        api.get(
            f"https://oauth.reddit.com/user/{user}/about",
            json={
                "kind": "t2",
                "data": {"name": user, "link_karma": karma - 3, "comment_karma": 3, "total_karma": karma},
            },
        )
    leeds, tokyo = comments(clock, author_karma=True).fetch(None).items
    assert (leeds.author_reach, tokyo.author_reach) == (1520, 33)
    assert leeds.extra["reach_from"] == "author_karma"


def test_an_empty_listing_keeps_the_watermark(api, clock) -> None:
    signed_in(api)
    api.get(SEARCH, json=fixture_json("reddit", "empty.json"), headers=RATE)
    cursor = PageCursor(since="2026-11-23T11:00:00+00:00").dump()
    batch = posts(clock).fetch(cursor)
    assert batch.items == [] and batch.cursor == cursor and not batch.more


def test_a_spent_rate_limit_window_waits_for_its_reset_instead_of_sleeping(api, clock) -> None:
    signed_in(api)
    api.get(SEARCH, json=fixture_json("reddit", "empty.json"), headers={**RATE, "x-ratelimit-remaining": "0"})
    listener = posts(clock)
    listener.fetch(None)
    error = error_from(listener)
    assert error.kind is ErrorKind.RATE_LIMITED and 400 < (error.retry_after_s or 0) < 425


def test_a_429_waits_the_seconds_reddit_names(api, clock) -> None:
    signed_in(api)
    api.get(
        SEARCH, json=fixture_json("reddit", "error_429.json"), status=429, headers={**RATE, "x-ratelimit-reset": "37"}
    )
    error = error_from(posts(clock))
    assert error.kind is ErrorKind.RATE_LIMITED and error.retry_after_s == pytest.approx(38.0)


def test_wrong_app_credentials_are_an_auth_error_without_the_secret(api, clock) -> None:
    api.post(TOKEN_URL, json=fixture_json("reddit", "error_401.json"), status=401)
    error = error_from(posts(clock))
    assert error.kind is ErrorKind.AUTH and "REDDIT_CLIENT_ID" in error.message and SECRET not in error.message


def test_missing_credentials_say_which_variables_to_set(clock) -> None:
    listener = build_reddit_listener(
        "reddit_posts",
        "r",
        {"query": "Northwind"},
        default_brand="N",
        client_id=None,
        client_secret=None,
        user_agent="ua",
    )
    error = error_from(listener)
    assert error.kind is ErrorKind.AUTH and "REDDIT_CLIENT_SECRET" in error.message


def test_a_private_subreddit_is_refused_as_a_source_problem_not_a_credentials_one(api, clock) -> None:
    signed_in(api)
    api.get(SEARCH, json=fixture_json("reddit", "error_403.json"), status=403)
    error = error_from(posts(clock))
    assert error.kind is ErrorKind.INVALID_QUERY
    assert "is private" in error.message and "REDDIT_CLIENT" not in error.message


def test_an_unknown_subreddit_is_an_invalid_source(api, clock) -> None:
    signed_in(api)
    api.get(SEARCH, status=302, headers={"location": "https://www.reddit.com/subreddits/search?q=Northwind"})
    error = error_from(posts(clock))
    assert error.kind is ErrorKind.INVALID_QUERY and "no such community" in error.message


def test_a_server_error_is_transient_at_once_and_left_to_the_runners_backoff(api, clock) -> None:
    # Issue 17: prawcore's own retries slept up to six seconds inside the runner; one request now.
    signed_in(api)
    api.get(SEARCH, body="<html>upstream</html>", status=503)
    assert error_from(posts(clock)).kind is ErrorKind.TRANSIENT


def test_a_timeout_is_transient(api, clock) -> None:
    signed_in(api)
    api.get(SEARCH, body=requests.exceptions.ReadTimeout("read timed out"))
    assert error_from(posts(clock)).kind is ErrorKind.TRANSIENT


def test_a_post_without_a_time_is_stored_and_a_malformed_one_counted(api, clock) -> None:
    # Issue 17: a post without created_utc is stored with the fetch time (and says so); one
    # without a title cannot be read and is counted in the page's `skipped`.
    page = fixture_json("reddit", "search_page_1.json")
    del page["data"]["children"][0]["data"]["created_utc"]
    del page["data"]["children"][1]["data"]["title"]
    signed_in(api)
    api.get(SEARCH, json=page, headers=RATE)
    batch = posts(clock).fetch(None)
    assert [i.external_id for i in batch.items] == ["t3_1gx9ad", "t3_1gx9ab"]
    undated = batch.items[0]
    assert undated.posted_at == clock() and undated.extra["posted_at_from"] == "fetched_at"
    assert dict(batch.skipped) == {"malformed post or comment": 1}


def test_check_reports_each_subreddits_size(api, clock) -> None:
    signed_in(api)
    api.get("https://oauth.reddit.com/r/Northwind/about", json=fixture_json("reddit", "about_northwind.json"))
    verdict = comments(clock).check()
    assert verdict == "Connected to Reddit: r/Northwind (48,210 subscribers)."


def test_subreddit_lists_become_one_multireddit() -> None:
    assert subreddit_path("r/Northwind, NorthwindMobile +android") == "Northwind+NorthwindMobile+android"
    assert subreddit_path("") == "all"


def test_comments_of_all_reddit_are_refused(clock) -> None:
    with pytest.raises(ValueError, match="needs subreddits"):
        comments(clock, subreddits="")


def test_reddits_api_errors_are_an_invalid_source_in_reddits_own_words(api, clock) -> None:
    signed_in(api)
    api.get(SEARCH, json=fixture_json("reddit", "api_error_subreddit_noexist.json"), headers=RATE)
    error = error_from(posts(clock))
    assert error.kind is ErrorKind.INVALID_QUERY and not error.retryable
    assert "SUBREDDIT_NOEXIST: that subreddit doesn't exist (field sr_name)" in error.message


def test_a_quarantined_subreddit_is_said_to_be_quarantined_not_a_credentials_problem(api, clock) -> None:
    signed_in(api)
    api.get(SEARCH, json=fixture_json("reddit", "error_403_quarantined.json"), status=403)
    error = error_from(posts(clock))
    assert error.kind is ErrorKind.INVALID_QUERY
    assert "is quarantined" in error.message and "not a credentials problem" in error.message
    assert "REDDIT_CLIENT_SECRET" not in error.message
    assert "shocking or highly offensive" in error.message  # Reddit's own explanation


def test_a_user_that_does_not_exist_is_reported_by_its_reason_code() -> None:
    from praw.exceptions import RedditAPIException

    from listeners.errors import classify

    error = classify(
        RedditAPIException([["USER_DOESNT_EXIST", "that user doesn't exist", "username"]]), service="Reddit"
    )
    assert error.kind is ErrorKind.INVALID_QUERY
    assert "USER_DOESNT_EXIST: that user doesn't exist" in error.message


def test_a_shadowbanned_or_suspended_author_leaves_reach_empty_and_keeps_the_page(api, clock) -> None:
    # /user/<name>/about answers 404 for a shadowbanned account and carries no karma for a
    # suspended one: either used to fail the whole page, on every poll.
    signed_in(api)
    api.get(COMMENTS, json=fixture_json("reddit", "comments_page.json"), headers=RATE)
    api.get("https://oauth.reddit.com/user/leeds_fan/about", status=404, json={"message": "Not Found", "error": 404})
    api.get(
        "https://oauth.reddit.com/user/tokyo_user/about",
        json={"kind": "t2", "data": {"name": "tokyo_user", "is_suspended": True}},
    )
    leeds, tokyo = comments(clock, author_karma=True).fetch(None).items
    assert (leeds.author_reach, tokyo.author_reach) == (None, None)
    assert (leeds.author, tokyo.author) == ("u/leeds_fan", "u/tokyo_user")


def test_author_lookups_per_page_are_capped_and_the_rest_keep_an_empty_reach(api, clock, monkeypatch) -> None:
    import listeners.reddit

    monkeypatch.setattr(listeners.reddit, "KARMA_LOOKUPS_PER_PAGE", 1)
    signed_in(api)
    api.get(COMMENTS, json=fixture_json("reddit", "comments_page.json"), headers=RATE)
    api.get(
        "https://oauth.reddit.com/user/leeds_fan/about",
        json={"kind": "t2", "data": {"name": "leeds_fan", "total_karma": 1520}},
    )
    batch = comments(clock, author_karma=True).fetch(None)
    leeds, tokyo = batch.items
    assert (leeds.author_reach, tokyo.author_reach) == (1520, None)  # tokyo_user waits for a later page
    assert batch.usage is not None and batch.usage.requests == 2  # the listing and one lookup
