"""What author a reader is shown: the one decision behind "hide author handles from viewers".

Viewers (marketing, product) read dashboards and exports; they do not answer customers, so with
the setting on they see `HIDDEN_AUTHOR` where a handle would be, and no link (a link to a post
names its author on X, Mastodon and Bluesky). Agents, admins and system processes always see
handles: they reply to people. The readers the pages use (`ui/data.py`) pass every frame that
carries an author through `mask_people`, so a new page gets the rule by using them.
Domain: no Streamlit.
"""

from __future__ import annotations

import re
from typing import Final

import pandas as pd

from voc.access.roles import Actor, Role
from voc.privacy.settings import PrivacySettings

HIDDEN_AUTHOR: Final = "(hidden)"
# "@name", "@name@instance.example", "u/name": how handles appear in alert titles and explanations.
_HANDLE: Final = re.compile(r"(?<![\w.])@[\w.-]+(?:@[\w-]+(?:\.[\w-]+)+)?|(?<![\w/])u/[\w-]+")


def hides_handles(actor: Actor, settings: PrivacySettings) -> bool:
    """True when `actor` must not see author handles (a viewer, with the setting on)."""
    return settings.hide_handles_from_viewers and actor.role is Role.VIEWER


def visible_author(author: str | None, actor: Actor, settings: PrivacySettings) -> str | None:
    """The author as `actor` may see it: the handle, or `HIDDEN_AUTHOR` (no author stays none)."""
    if not author or not hides_handles(actor, settings):
        return author
    return HIDDEN_AUTHOR


def mask_handles_in_text(text: str, actor: Actor, settings: PrivacySettings) -> str:
    """`text` (an alert title, a spike explanation) with every handle in it hidden from `actor`."""
    if not text or not hides_handles(actor, settings):
        return text
    return _HANDLE.sub(HIDDEN_AUTHOR, text)


def mask_people(
    frame: pd.DataFrame, actor: Actor, settings: PrivacySettings, *, text_columns: tuple[str, ...] = ()
) -> pd.DataFrame:
    """A copy of `frame` as `actor` may see it: `author` masked, `link` emptied, handles in
    `text_columns` hidden. The frame itself is never changed (it may be a cached one)."""
    if frame.empty or not hides_handles(actor, settings):
        return frame
    masked = frame.copy()
    # Lists, not Series.map: `map` turns a missing author (None) into NaN.
    if "author" in masked.columns:
        masked["author"] = [visible_author(a, actor, settings) if isinstance(a, str) else a for a in masked["author"]]
    if "link" in masked.columns:
        masked["link"] = None
    for column in text_columns:
        if column in masked.columns:
            masked[column] = [
                mask_handles_in_text(t, actor, settings) if isinstance(t, str) else t for t in masked[column]
            ]
    return masked
