"""Every kind's form: what the Sources page checks before it stores a source, and what it stores."""

from __future__ import annotations

import pytest

from voc.settings import Settings
from voc.sources.forms import (
    FAMILIES,
    FAMILY_OF,
    MISSING_BLUESKY,
    MISSING_GOOGLE_PLAY,
    MISSING_MASTODON_TOKEN,
    MISSING_REDDIT,
    SourceForm,
    credential_problems,
)


def form(kind: str, name: str = "src", **values: str) -> SourceForm:
    return SourceForm(name=name, kind=kind, values=values, poll_interval_s=FAMILY_OF[kind].default_poll_s)


@pytest.mark.parametrize(
    ("kind", "values", "config"),
    [
        (
            "mastodon_hashtag",
            {"instance": "https://Mastodon.Social/", "hashtag": "#northwind"},
            {"instance": "https://mastodon.social", "hashtag": "northwind"},
        ),
        (
            "mastodon_search",
            {"instance": "mastodon.example", "query": '"Northwind Mobile"'},
            {"instance": "https://mastodon.example", "query": '"Northwind Mobile"'},
        ),
        ("bluesky_search", {"query": "northwind", "lang": "PT"}, {"query": "northwind", "lang": "pt"}),
        (
            "reddit_posts",
            {"subreddits": "r/Northwind +mobile", "query": "Northwind"},
            {"subreddits": "Northwind, mobile", "query": "Northwind"},
        ),
        (
            "reddit_comments",
            {"subreddits": "Northwind", "keywords": "northwind, ノースウィンド"},
            {"subreddits": "Northwind", "keywords": "northwind, ノースウィンド"},
        ),
        (
            "feed",
            {"url": "https://www.google.com/alerts/feeds/1/2"},
            {"url": "https://www.google.com/alerts/feeds/1/2"},
        ),
        (
            "news_search",
            {"query": '"Northwind Mobile"'},
            {"query": '"Northwind Mobile"', "language": "en", "country": "US"},
        ),
        ("app_store_reviews", {"app_id": "id1234567890", "country": "GB"}, {"app_id": "id1234567890", "country": "gb"}),
        ("google_play_reviews", {"package": "com.northwind.mobile"}, {"package": "com.northwind.mobile"}),
    ],
)
def test_a_good_form_of_every_kind_becomes_its_config(
    kind: str, values: dict[str, str], config: dict[str, str]
) -> None:
    filled = form(kind, **values)
    assert filled.problems() == []
    assert filled.config() == {**config, "competitor": False}


@pytest.mark.parametrize(
    ("kind", "values", "problem"),
    [
        ("mastodon_hashtag", {"instance": "nowhere", "hashtag": "two words"}, "Instance:"),
        ("mastodon_hashtag", {"instance": "mastodon.social", "hashtag": "two words"}, "Hashtag:"),
        ("bluesky_search", {"query": ""}, "Query:"),
        ("bluesky_search", {"query": "x", "lang": "english"}, "Language:"),
        ("reddit_posts", {}, "Search query: give a query, or some subreddits"),
        ("reddit_posts", {"subreddits": "r/no spaces allowed!"}, "Subreddits:"),
        ("reddit_comments", {}, "Subreddits: comments need"),
        ("feed", {"url": "www.example.com/feed"}, "Feed URL:"),
        ("news_search", {"query": "x", "country": "United Kingdom"}, "Country:"),
        ("app_store_reviews", {"app_id": "northwind"}, "App id:"),
        ("google_play_reviews", {"package": "northwind"}, "Package:"),
    ],
)
def test_every_problem_is_named_in_words(kind: str, values: dict[str, str], problem: str) -> None:
    assert any(found.startswith(problem) for found in form(kind, **values).problems())


def test_each_family_sets_its_own_poll_floor_and_only_x_shows_a_budget() -> None:
    too_fast = SourceForm(name="r", kind="app_store_reviews", values={"app_id": "1"}, poll_interval_s=60)
    assert too_fast.problems() == [
        "Poll interval: at least 300 s (stores add reviews slowly; Google Play's API allows 200 review reads an hour)."
    ]
    assert [family.key for family in FAMILIES if family.paid] == ["x"]


def test_editing_keeps_keys_the_form_does_not_own_and_drops_the_other_kinds_fields() -> None:
    previous = {"url": "https://old.example/feed", "channel": "press", "query": "stale", "brand": "Old"}
    config = form("feed", url="https://new.example/feed").config(previous)
    assert config == {"url": "https://new.example/feed", "channel": "press", "competitor": False}


def test_credential_problems_name_only_what_the_configured_kinds_need() -> None:
    nothing = Settings()
    assert credential_problems(nothing, {"feed", "mastodon_hashtag", "app_store_reviews"}) == []
    assert credential_problems(
        nothing, {"mastodon_search", "bluesky_search", "reddit_comments", "google_play_reviews"}
    ) == [
        MISSING_MASTODON_TOKEN,
        MISSING_BLUESKY,
        MISSING_REDDIT,
        MISSING_GOOGLE_PLAY,
    ]
    ready = Settings(
        bluesky_handle="a.bsky.social", bluesky_app_password="pw", reddit_client_id="i", reddit_client_secret="s"
    )
    assert credential_problems(ready, {"bluesky_search", "reddit_posts"}) == []


def test_the_new_credentials_load_from_the_environment_and_never_show_in_the_repr(tmp_path) -> None:
    settings = Settings.load(
        environ={
            "MASTODON_ACCESS_TOKEN": " mastodon-token-secret\n",
            "VOC_MASTODON_INSTANCE": "https://mastodon.example",
            "BLUESKY_HANDLE": "northwind.bsky.social",
            "BLUESKY_APP_PASSWORD": "app-password-secret",
            "REDDIT_CLIENT_ID": "reddit-id",
            "REDDIT_CLIENT_SECRET": "reddit-secret-value",
            "GOOGLE_PLAY_SERVICE_ACCOUNT_FILE": "/keys/play.json",
        },
        secrets_path=tmp_path / "none.toml",
    )
    assert settings.mastodon_access_token == "mastodon-token-secret"
    assert (settings.bluesky_handle, settings.reddit_client_id) == ("northwind.bsky.social", "reddit-id")
    assert settings.google_play_service_account_file == "/keys/play.json"
    for secret in ("mastodon-token-secret", "app-password-secret", "reddit-secret-value"):
        assert secret not in repr(settings)


def test_credentials_can_come_from_secrets_toml(tmp_path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('bluesky_handle = "northwind.bsky.social"\nbluesky_app_password = "from-secrets"\n')
    settings = Settings.load(environ={}, secrets_path=secrets)
    assert (settings.bluesky_handle, settings.bluesky_app_password) == ("northwind.bsky.social", "from-secrets")
