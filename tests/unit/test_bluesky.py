"""The Bluesky listener driven through atproto's Client over httpx, with an httpx MockTransport."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from listeners.base import ErrorKind, SourceError
from listeners.bluesky import BlueskyListener, build_bluesky_listener, post_link
from listeners.paging import PageCursor
from tests.local_sources import APP_PASSWORD, HANDLE, SESSION, FakeBluesky, fixture_json

SERVICE = "https://pds.example"


@pytest.fixture
def bsky() -> FakeBluesky:
    fake = FakeBluesky()
    fake.add("app.bsky.actor.getProfiles", httpx.Response(200, json=fixture_json("bluesky", "profiles.json")))
    return fake


def listener(bsky: FakeBluesky, clock: Any, password: str | None = APP_PASSWORD, **config: Any) -> BlueskyListener:
    return build_bluesky_listener(
        "bluesky-brand",
        {"query": "northwind OR #northwind", **config},
        default_brand="Northwind Mobile",
        handle=HANDLE,
        app_password=password,
        service_url=SERVICE,
        transport=httpx.MockTransport(bsky),
        clock=clock,
    )


def error_from(source: BlueskyListener, cursor: str | None = None) -> SourceError:
    with pytest.raises(SourceError) as caught:
        source.fetch(cursor)
    return caught.value


def test_pages_run_back_to_the_last_poll_with_reach_language_and_links(bsky: FakeBluesky, clock) -> None:
    bsky.add("app.bsky.feed.searchPosts", httpx.Response(200, json=fixture_json("bluesky", "search_page_1.json")))
    bsky.add("app.bsky.feed.searchPosts", httpx.Response(200, json=fixture_json("bluesky", "search_page_2.json")))
    source = listener(bsky, clock, lang="pt")
    first = source.fetch(None)
    second = source.fetch(first.cursor)

    login = json.loads(bsky.calls("createSession")[0].content)
    assert login == {"identifier": HANDLE, "password": APP_PASSWORD}
    page_1, page_2 = (dict(r.url.params) for r in bsky.calls("searchPosts"))
    assert page_1 == {
        "q": "northwind OR #northwind",
        "sort": "latest",
        "since": "2026-11-22T12:00:00Z",
        "lang": "pt",
        "limit": "100",
    }
    assert page_2["cursor"] == "25" and page_2["since"] == "2026-11-22T12:00:00Z"
    search_call = bsky.calls("searchPosts")[0]
    assert search_call.headers["Authorization"] == f"Bearer {SESSION['accessJwt']}"
    assert len(bsky.calls("createSession")) == 1  # one session for every poll

    assert first.more and not second.more
    portuguese, arabic, quoting = first.items
    assert portuguese.text == "A Northwind não tem sinal em Lisboa desde ontem. Péssimo!"
    assert (portuguese.author, portuguese.author_reach, portuguese.language_hint) == ("@maria.bsky.social", 1530, "pt")
    assert portuguese.link == "https://bsky.app/profile/maria.bsky.social/post/3lbnw3aaaa2x2"
    assert portuguese.external_id == "at://did:plc:maria4k2j/app.bsky.feed.post/3lbnw3aaaa2x2"
    assert arabic.text == "خدمة نورثويند سيئة جدا اليوم، لا يوجد إنترنت" and arabic.language_hint == "ar"
    assert quoting.extra["quoted_post"] == "deleted"  # the quoted post is gone: noted, not fatal
    # `record.reply` names the parent and the thread's root by URI, the stored ids of those posts;
    # a post that answers nothing is its own root.
    assert portuguese.in_reply_to == portuguese.conversation_id == arabic.external_id
    assert (arabic.in_reply_to, arabic.conversation_id) == (None, arabic.external_id)
    (thanks,) = second.items  # the image-only post says nothing; the old one is before the window
    assert thanks.text == "Northwind support finally called me back. Thanks!"
    # The next poll starts just before the newest post seen (since is inclusive; the store dedupes).
    assert json.loads(second.cursor or "") == {"since": "2026-11-23T11:48:00+00:00"}
    # Followers are looked up for authors of kept posts, once a day each (maria is known by page 2).
    assert [r.url.params.get_list("actors") for r in bsky.calls("getProfiles")] == [
        ["did:plc:kim9q8z", "did:plc:maria4k2j", "did:plc:omar7h3c"]
    ]


def test_an_empty_search_keeps_the_watermark(bsky: FakeBluesky, clock) -> None:
    bsky.add("app.bsky.feed.searchPosts", httpx.Response(200, json=fixture_json("bluesky", "search_empty.json")))
    cursor = PageCursor(since="2026-11-23T11:00:00+00:00").dump()
    batch = listener(bsky, clock).fetch(cursor)
    assert batch.items == [] and json.loads(batch.cursor or "") == {"since": "2026-11-23T11:00:00+00:00"}


def test_a_wrong_app_password_is_an_auth_error_without_the_password(bsky: FakeBluesky, clock) -> None:
    bsky.answers["com.atproto.server.createSession"] = [
        httpx.Response(401, json=fixture_json("bluesky", "error_401_login.json"))
    ]
    error = error_from(listener(bsky, clock))
    assert error.kind is ErrorKind.AUTH
    assert "Invalid identifier or password" in error.message and "BLUESKY_APP_PASSWORD" in error.message
    assert APP_PASSWORD not in error.message


def test_missing_credentials_are_named_before_any_call(bsky: FakeBluesky, clock) -> None:
    error = error_from(listener(bsky, clock, password=None))
    assert error.kind is ErrorKind.AUTH and "BLUESKY_HANDLE and BLUESKY_APP_PASSWORD" in error.message
    assert bsky.requests == []


def test_a_429_waits_until_the_windows_reset(bsky: FakeBluesky, clock) -> None:
    reset = int(clock.now.timestamp()) + 300
    bsky.add(
        "app.bsky.feed.searchPosts",
        httpx.Response(
            429,
            json=fixture_json("bluesky", "error_429.json"),
            headers={"ratelimit-reset": str(reset), "ratelimit-remaining": "0"},
        ),
    )
    error = error_from(listener(bsky, clock))
    assert error.kind is ErrorKind.RATE_LIMITED and error.retry_after_s == pytest.approx(301.0)


def test_a_refused_query_shows_bluesky_s_words(bsky: FakeBluesky, clock) -> None:
    bsky.add("app.bsky.feed.searchPosts", httpx.Response(400, json=fixture_json("bluesky", "error_400.json")))
    error = error_from(listener(bsky, clock))
    assert error.kind is ErrorKind.INVALID_QUERY and "params/q must NOT have fewer than 1 characters" in error.message


def test_timeouts_and_server_errors_are_transient(bsky: FakeBluesky, clock) -> None:
    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    bsky.add("app.bsky.feed.searchPosts", hang)
    assert error_from(listener(bsky, clock)).kind is ErrorKind.TRANSIENT
    bsky.answers["app.bsky.feed.searchPosts"] = [httpx.Response(502, text="bad gateway")]
    assert error_from(listener(bsky, clock)).kind is ErrorKind.TRANSIENT


def test_posts_without_text_are_counted_and_a_malformed_page_is_bad_data(bsky: FakeBluesky, clock) -> None:
    page = fixture_json("bluesky", "search_page_1.json")
    del page["posts"][0]["record"]
    page["posts"][1]["indexedAt"] = "not a time"
    page["posts"][1]["record"]["createdAt"] = "nor this"
    bsky.add("app.bsky.feed.searchPosts", httpx.Response(200, json=page))
    bsky.add("app.bsky.feed.searchPosts", httpx.Response(200, json={"cursor": "x", "posts": "nope"}))
    source = listener(bsky, clock)
    batch = source.fetch(None)
    # Issue 17: the first has no text (counted), the second no time (stored with the fetch time).
    assert [i.extra["author_did"] for i in batch.items] == ["did:plc:omar7h3c", "did:plc:kim9q8z"]
    assert batch.items[0].posted_at == clock()
    assert dict(batch.skipped) == {"post with no text (a quote, or an image without a description)": 1}
    assert error_from(source).kind is ErrorKind.BAD_DATA


def test_check_signs_in_and_finds_a_post(bsky: FakeBluesky, clock) -> None:
    bsky.add("app.bsky.feed.searchPosts", httpx.Response(200, json=fixture_json("bluesky", "search_page_1.json")))
    verdict = listener(bsky, clock).check()
    assert verdict == f"Signed in to Bluesky as {HANDLE}; 'northwind OR #northwind': newest match 2026-11-23 11:50 UTC."
    assert dict(bsky.calls("searchPosts")[0].url.params)["limit"] == "1"


def test_post_links_are_bsky_app_addresses() -> None:
    assert (
        post_link("at://did:plc:x/app.bsky.feed.post/3abc", "a.bsky.social")
        == "https://bsky.app/profile/a.bsky.social/post/3abc"
    )
    assert post_link("at://did:plc:x/app.bsky.feed.like/3abc", None) is None


def test_posts_with_pictures_or_a_link_card_and_no_text_are_stored_with_their_descriptions(
    bsky: FakeBluesky, clock
) -> None:
    bsky.add("app.bsky.feed.searchPosts", httpx.Response(200, json=fixture_json("bluesky", "search_without_text.json")))
    batch = listener(bsky, clock).fetch(None)
    said = [(item.text, item.extra["text_from"]) for item in batch.items]
    assert said == [
        ("Northwind bill showing roaming charged twice", "image descriptions"),
        ("Northwind Mobile outage hits the north\n\nThousands without signal on Monday morning.", "link card"),
        ("Queue outside the Northwind shop", "image descriptions"),  # a quote with pictures
        ("Northwind fixed it, thanks", "text"),
    ]
    assert batch.items[-1].author is None  # a handle that no longer resolves is no name
    assert dict(batch.skipped) == {"post with no text (a quote, or an image without a description)": 1}


def test_a_post_whose_uri_is_longer_than_the_store_allows_is_kept_under_its_hash(bsky: FakeBluesky, clock) -> None:
    page = fixture_json("bluesky", "search_page_2.json")
    did = "did:web:" + "status." * 30 + "northwind.example"  # a did:web account on a long domain
    page["posts"][0]["uri"] = f"at://{did}/app.bsky.feed.post/3lbnv9dddd2x2"
    page["posts"][0]["author"]["did"] = did
    bsky.add("app.bsky.feed.searchPosts", httpx.Response(200, json=page))
    item = next(i for i in listener(bsky, clock).fetch(None).items if i.extra["author_did"] == did)
    assert item.external_id.startswith("sha256:") and len(item.external_id) <= 200
    assert item.extra["uri"] == page["posts"][0]["uri"]  # the real address is kept with the item
    assert item.link == "https://bsky.app/profile/maria.bsky.social/post/3lbnv9dddd2x2"


def test_a_reply_deep_in_a_thread_names_its_parent_and_its_root_apart(bsky: FakeBluesky, clock) -> None:
    page = fixture_json("bluesky", "search_page_1.json")
    root = page["posts"][2]
    page["posts"][0]["record"]["reply"]["root"] = {"uri": root["uri"], "cid": root["cid"]}
    page["posts"][1]["record"]["reply"] = {"parent": {"cid": "bafyreib"}}  # no URI: nothing to name
    bsky.add("app.bsky.feed.searchPosts", httpx.Response(200, json=page))
    portuguese, arabic, quoting = listener(bsky, clock).fetch(None).items
    assert (portuguese.in_reply_to, portuguese.conversation_id) == (arabic.external_id, quoting.external_id)
    assert arabic.in_reply_to is None and arabic.conversation_id is None  # a reply, but to what is unknown


def test_a_deleted_post_quoted_with_pictures_is_noted_as_deleted(bsky: FakeBluesky, clock) -> None:
    """A quote with pictures, as the `app.bsky.embed.recordWithMedia#view` lexicon (bluesky-social/atproto
    lexicons/app/bsky/embed/recordWithMedia.json) shapes it: `embed.media` holds the images and
    `embed.record` an `app.bsky.embed.record#view` whose own `record` is the quoted post's view,
    here `#viewNotFound`. Ids and text invented."""
    page = fixture_json("bluesky", "search_page_1.json")
    quoting = page["posts"][2]
    gone = quoting["embed"]["record"]
    quoting["record"]["embed"] = {
        "$type": "app.bsky.embed.recordWithMedia",
        "record": {"$type": "app.bsky.embed.record", "record": {"uri": gone["uri"], "cid": "bafyreigone"}},
        "media": {"$type": "app.bsky.embed.images", "images": [{"alt": "", "image": {"$type": "blob"}}]},
    }
    quoting["embed"] = {
        "$type": "app.bsky.embed.recordWithMedia#view",
        "record": {"$type": "app.bsky.embed.record#view", "record": gone},
        "media": {
            "$type": "app.bsky.embed.images#view",
            "images": [{"thumb": "https://cdn.bsky.app/t", "fullsize": "https://cdn.bsky.app/f", "alt": ""}],
        },
    }
    bsky.add("app.bsky.feed.searchPosts", httpx.Response(200, json=page))
    item = listener(bsky, clock).fetch(None).items[2]
    assert item.text == "Quoting this about Northwind's outage" and item.extra["quoted_post"] == "deleted"
