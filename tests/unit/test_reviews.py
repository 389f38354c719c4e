"""App-store reviews: Apple's customer-reviews feed (`responses`) and the Google Play Developer API
through google-api-python-client (its own `HttpMockSequence`, a real service-account key made here)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from googleapiclient.http import HttpMockSequence

from listeners.base import ErrorKind, SourceError
from listeners.paging import PageCursor
from listeners.reviews import build_review_listener, stars
from tests.local_sources import FIXTURES, fixture_json

APP_ID = "1234567890"
PAGE_1 = f"https://itunes.apple.com/gb/rss/customerreviews/page=1/id={APP_ID}/sortby=mostrecent/json"
PACKAGE = "com.northwind.mobile"


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def app_store(clock: Any) -> Any:
    return build_review_listener(
        "app_store_reviews",
        "ios",
        {"app_id": f"id{APP_ID}", "country": "GB"},
        default_brand="Northwind Mobile",
        clock=clock,
    )


def error_from(listener: Any, cursor: str | None = None) -> SourceError:
    with pytest.raises(SourceError) as caught:
        listener.fetch(cursor)
    return caught.value


# ---- App Store -----------------------------------------------------------------------------


def test_app_store_reviews_keep_their_stars_as_csat(api, clock) -> None:
    api.get(PAGE_1, json=fixture_json("reviews", "app_store_page_1.json"))
    batch = app_store(clock).fetch(None)
    crash, japanese, okay = batch.items
    assert crash.text == "Crashes on login\n\nSince 5.2 the app crashes every time I log in. Useless."
    assert (crash.csat, crash.channel, crash.author, crash.external_id) == (
        1,
        "app_store",
        "angryuser42",
        "11000000003",
    )
    assert crash.posted_at.isoformat() == "2026-11-23T10:10:00+00:00"
    assert crash.link == f"https://apps.apple.com/gb/app/id{APP_ID}?see-all=reviews"
    assert japanese.text == "最高のアプリ\n\n使いやすくて料金の確認が簡単です。" and japanese.csat == 5
    assert okay.csat == 3 and okay.extra["app_version"] == "5.2.0"
    assert not batch.more  # fewer than 50 reviews: the last page
    assert json.loads(batch.cursor or "") == {"since": "2026-11-23T10:10:00+00:00"}


def test_a_full_page_asks_for_the_next_one_until_it_meets_stored_reviews(api, clock) -> None:
    page = fixture_json("reviews", "app_store_page_1.json")
    template = page["feed"]["entry"][0]
    page["feed"]["entry"] = [
        {
            **template,
            "id": {"label": str(12000000000 + n)},
            "updated": {"label": f"2026-11-23T03:{59 - n:02d}:00-07:00"},
        }
        for n in range(50)
    ]
    api.get(PAGE_1, json=page)
    api.get(PAGE_1.replace("page=1", "page=2"), json=fixture_json("reviews", "app_store_page_1.json"))
    listener = app_store(clock)
    first = listener.fetch(PageCursor(since="2026-11-22T12:00:00+00:00").dump())
    assert first.more and PageCursor.parse(first.cursor, service="t").page == "2"
    second = listener.fetch(first.cursor)
    assert [i.csat for i in second.items] == [1, 5]  # the review from the 20th is before the watermark
    assert not second.more and json.loads(second.cursor or "") == {"since": "2026-11-23T10:59:00+00:00"}


def test_a_feed_with_one_review_gives_it_bare_not_in_a_list(api, clock) -> None:
    api.get(PAGE_1, json=fixture_json("reviews", "app_store_single.json"))
    (only,) = app_store(clock).fetch(None).items
    assert only.csat == 1


def test_an_app_without_reviews_is_an_empty_page(api, clock) -> None:
    api.get(PAGE_1, json=fixture_json("reviews", "app_store_empty.json"))
    batch = app_store(clock).fetch(None)
    assert batch.items == [] and not batch.more


def test_a_review_without_an_id_is_counted_and_a_page_without_a_feed_is_bad_data(api, clock) -> None:
    # Issue 17: an unreadable date no longer loses the review (see the test below); a missing id does.
    page = fixture_json("reviews", "app_store_page_1.json")
    del page["feed"]["entry"][0]["id"]
    api.get(PAGE_1, json=page)
    api.get(PAGE_1, json={"unexpected": True})
    listener = app_store(clock)
    batch = listener.fetch(None)
    assert [i.csat for i in batch.items] == [5, 3]
    assert dict(batch.skipped) == {"review without an id": 1}
    assert error_from(listener).kind is ErrorKind.BAD_DATA


@pytest.mark.parametrize(
    ("status", "kind"), [(404, ErrorKind.INVALID_QUERY), (429, ErrorKind.RATE_LIMITED), (503, ErrorKind.TRANSIENT)]
)
def test_app_store_errors_are_classified(api, clock, status: int, kind: ErrorKind) -> None:
    api.get(PAGE_1, body="", status=status)
    assert error_from(app_store(clock)).kind is kind


def test_app_store_timeouts_are_transient(api, clock) -> None:
    api.get(PAGE_1, body=requests.exceptions.ConnectTimeout())
    assert error_from(app_store(clock)).kind is ErrorKind.TRANSIENT


def test_stars_outside_one_to_five_are_no_score() -> None:
    assert [stars(v) for v in ("1", 5, "0", "6", None, "x")] == [1, 5, None, None, None, None]


# ---- Google Play -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A service account's JSON key, as the Google Cloud console makes one (the key is made up here)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    info = {
        "type": "service_account",
        "project_id": "northwind-voc",
        "private_key_id": "0123456789abcdef",
        "private_key": pem.decode(),
        "client_email": "voc-reviews@northwind-voc.iam.gserviceaccount.com",
        "client_id": "100000000000000000001",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    path = tmp_path_factory.mktemp("play") / "service-account.json"
    path.write_text(json.dumps(info))
    return str(path)


def answer(status: int, name: str) -> tuple[dict[str, str], str]:
    return {"status": str(status), "content-type": "application/json"}, (FIXTURES / "reviews" / name).read_text()


def play(clock: Any, key_file: str | None, *answers: tuple[dict[str, str], str]) -> Any:
    return build_review_listener(
        "google_play_reviews",
        "android",
        {"package": PACKAGE},
        default_brand="Northwind Mobile",
        play_credentials_file=key_file,
        http=HttpMockSequence([answer(200, "play_token.json"), *answers]),
        clock=clock,
    )


def test_play_reviews_come_through_the_official_api_page_by_page(clock, key_file) -> None:
    listener = play(clock, key_file, answer(200, "play_page_1.json"), answer(200, "play_page_2.json"))
    first = listener.fetch(None)
    second = listener.fetch(first.cursor)

    spanish, battery = first.items
    assert spanish.text == "La app se cierra al pagar. Muy mal."
    assert (spanish.csat, spanish.language_hint, spanish.channel) == (1, "es", "google_play")
    assert spanish.posted_at.isoformat() == "2026-11-23T09:00:00.120000+00:00"
    assert battery.author == "Chris" and battery.csat == 2
    assert first.more and PageCursor.parse(first.cursor, service="t").page == "Cg0I-qLi5wUQgKXD8gI"
    (russian,) = second.items
    assert russian.text == "Отличное приложение Всё работает быстро" and russian.language_hint == "ru"
    assert not second.more and json.loads(second.cursor or "") == {"since": "2026-11-23T09:00:00.120000+00:00"}


def test_play_refuses_an_account_without_access_and_says_how_to_grant_it(clock, key_file) -> None:
    error = error_from(play(clock, key_file, answer(403, "play_error_403.json")))
    assert error.kind is ErrorKind.AUTH
    assert "The caller does not have permission" in error.message and "Play Console" in error.message


def test_play_without_a_key_file_names_the_setting(clock, tmp_path: Path) -> None:
    error = error_from(play(clock, None))
    assert error.kind is ErrorKind.AUTH and "GOOGLE_PLAY_SERVICE_ACCOUNT_FILE" in error.message
    error = error_from(play(clock, str(tmp_path / "missing.json")))
    assert error.kind is ErrorKind.AUTH and "key file unusable" in error.message


def test_play_rejecting_the_key_is_an_auth_error(clock, key_file) -> None:
    listener = build_review_listener(
        "google_play_reviews",
        "android",
        {"package": PACKAGE},
        default_brand="N",
        play_credentials_file=key_file,
        http=HttpMockSequence(
            [({"status": "400"}, json.dumps({"error": "invalid_grant", "error_description": "Invalid JWT Signature."}))]
        ),
        clock=clock,
    )
    error = error_from(listener)
    assert error.kind is ErrorKind.AUTH and "Invalid JWT Signature" in error.message


def test_play_empty_week_and_server_errors(clock, key_file) -> None:
    listener = play(
        clock,
        key_file,
        ({"status": "200"}, "{}"),
        ({"status": "503"}, '{"error": {"code": 503, "message": "Backend Error"}}'),
    )
    assert listener.fetch(None).items == []
    assert error_from(listener).kind is ErrorKind.TRANSIENT


def test_play_check_asks_for_one_review(clock, key_file) -> None:
    listener = play(clock, key_file, answer(200, "play_page_1.json"))
    assert listener.check() == f"Connected to Google Play for {PACKAGE}: reviews from the last week found."


def test_sent_parameters_follow_the_reviews_list_method(clock, key_file) -> None:
    seen: list[str] = []

    class Recording(HttpMockSequence):
        def request(self, uri: str, method: str = "GET", *args: Any, **kwargs: Any) -> Any:
            seen.append(uri)
            return super().request(uri, method, *args, **kwargs)

    listener = build_review_listener(
        "google_play_reviews",
        "android",
        {"package": PACKAGE},
        default_brand="N",
        play_credentials_file=key_file,
        http=Recording(
            [answer(200, "play_token.json"), answer(200, "play_page_1.json"), answer(200, "play_page_2.json")]
        ),
        clock=clock,
    )
    listener.fetch(listener.fetch(None).cursor)
    reviews = [urlparse(u) for u in seen if "/reviews" in u]
    assert reviews[0].path == f"/androidpublisher/v3/applications/{PACKAGE}/reviews"
    assert parse_qs(reviews[0].query)["maxResults"] == ["100"]
    assert parse_qs(reviews[1].query)["token"] == ["Cg0I-qLi5wUQgKXD8gI"]


def test_a_page_of_app_store_reviews_without_updated_is_stored_with_the_fetch_time(api, clock) -> None:
    # Issue 17: a whole page was once lost so. Apple's entries carry no other date.
    api.get(PAGE_1, json=fixture_json("reviews", "app_store_without_updated.json"))
    batch = app_store(clock).fetch(None)
    assert [item.csat for item in batch.items] == [1, 5, 3]
    assert {item.posted_at for item in batch.items} == {clock()}
    assert {item.extra["posted_at_from"] for item in batch.items} == {"fetched_at"}
    assert not batch.skipped


def test_play_review_without_a_time_is_stored_and_one_with_stars_only_is_counted(clock, key_file) -> None:
    listener = play(clock, key_file, answer(200, "play_undated_and_rating_only.json"))
    batch = listener.fetch(None)
    undated, anonymous = batch.items
    assert undated.text == "Northwind app Great since the last update"
    assert undated.posted_at == clock() and undated.extra["posted_at_from"] == "fetched_at"
    assert anonymous.author is None and anonymous.extra["posted_at_from"] == "lastModified"
    assert dict(batch.skipped) == {"review with a rating but no words": 1}
    # The undated review says nothing about the watermark: it moves to the dated one only.
    assert json.loads(batch.cursor or "") == {"since": anonymous.posted_at.isoformat()}
