"""Hiding author handles from viewers: one rule, applied to values, frames and alert titles."""

from __future__ import annotations

import pandas as pd
import pytest

from voc.access.roles import LOCAL_ACTOR, Actor, Role
from voc.privacy.masking import HIDDEN_AUTHOR, hides_handles, mask_handles_in_text, mask_people, visible_author
from voc.privacy.settings import PrivacySettings, retention_from_json

ON, OFF = PrivacySettings(hide_handles_from_viewers=True), PrivacySettings()
VIEWER = Actor("vera@northwind.example", Role.VIEWER)
AGENT = Actor("ana@northwind.example", Role.AGENT)
ADMIN = Actor("olga@northwind.example", Role.ADMIN)


@pytest.mark.parametrize(
    ("actor", "settings", "shown"),
    [
        (VIEWER, ON, HIDDEN_AUTHOR),
        (VIEWER, OFF, "@lena@social.example"),
        (AGENT, ON, "@lena@social.example"),  # agents answer people: they see who
        (ADMIN, ON, "@lena@social.example"),
        (LOCAL_ACTOR, ON, "@lena@social.example"),
        (Actor.system("listener"), ON, "@lena@social.example"),
    ],
)
def test_only_viewers_lose_the_handle_and_only_when_the_setting_is_on(
    actor: Actor, settings: PrivacySettings, shown: str
) -> None:
    assert visible_author("@lena@social.example", actor, settings) == shown
    assert hides_handles(actor, settings) is (shown == HIDDEN_AUTHOR)


def test_no_author_stays_no_author() -> None:
    assert visible_author(None, VIEWER, ON) is None
    assert visible_author("", VIEWER, ON) == ""


def test_a_frame_is_masked_as_a_copy_with_links_emptied() -> None:
    frame = pd.DataFrame(
        {"id": [1, 2, 3], "author": ["@lena@social.example", "u/someone", None],
         "link": ["https://social.example/@lena/1", "https://reddit.com/r/x/1", None], "text": ["a", "b", "c"]}
    )  # fmt: skip
    masked = mask_people(frame, VIEWER, ON)
    assert masked["author"].tolist()[:2] == [HIDDEN_AUTHOR, HIDDEN_AUTHOR] and pd.isna(masked["author"].iloc[2])
    assert masked["link"].isna().all()  # a link to a post names its author
    assert masked["text"].tolist() == ["a", "b", "c"]
    assert frame["author"].iloc[0] == "@lena@social.example"  # the cached original is untouched
    assert mask_people(frame, AGENT, ON) is frame
    assert mask_people(pd.DataFrame(), VIEWER, ON).empty


def test_handles_inside_alert_titles_are_hidden_from_viewers() -> None:
    title = "Negative post from @lena@social.example (20,000 followers) on mastodon; also u/someone and @x_user"
    assert mask_handles_in_text(title, VIEWER, ON) == (
        f"Negative post from {HIDDEN_AUTHOR} (20,000 followers) on mastodon; also {HIDDEN_AUTHOR} and {HIDDEN_AUTHOR}"
    )
    assert mask_handles_in_text("write to care@northwind.example", VIEWER, ON) == "write to care@northwind.example"
    assert mask_handles_in_text(title, AGENT, ON) == title
    frame = pd.DataFrame({"title": [title], "author": ["@x"]})
    assert HIDDEN_AUTHOR in mask_people(frame, VIEWER, ON, text_columns=("title",))["title"].iloc[0]


def test_retention_read_from_storage_ignores_entries_that_would_not_switch_it_on() -> None:
    stored = {"x-brand": 30, "forum": 0, "feeds": "", "broken": -4, "typo": "ten", "surveys": "90"}
    assert retention_from_json(stored) == (("surveys", 90), ("x-brand", 30))
    assert retention_from_json(None) == ()
    assert PrivacySettings(retention=(("x-brand", 30),)).retention_days("forum") is None
