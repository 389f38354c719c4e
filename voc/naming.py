"""How channels and languages are named where a person reads them: "X", "Google Play", "French".

The store keeps codes ("x", "google_play", "fr"); pages, alert titles (which also go to Slack,
Teams and e-mail) and spike explanations show names. Domain module: no Streamlit.
"""

from __future__ import annotations

from typing import Final

CHANNEL_NAMES: Final[dict[str, str]] = {
    "x": "X", "twitter": "X", "instagram": "Instagram", "facebook": "Facebook", "reddit": "Reddit",
    "mastodon": "Mastodon", "bluesky": "Bluesky", "rss": "Feeds", "feed": "Feeds", "survey": "Surveys",
    "google_play": "Google Play", "app_store": "App Store", "demo": "Demo feed",
}  # fmt: skip
# One item's channel where the filters' name is a plural ("Surveys" to choose, "Survey" on an answer).
ONE_ITEM_CHANNEL_NAMES: Final[dict[str, str]] = {"survey": "Survey", "rss": "Feed", "feed": "Feed"}
LANGUAGE_NAMES: Final[dict[str, str]] = {
    "ar": "Arabic", "de": "German", "en": "English", "es": "Spanish", "fr": "French", "hi": "Hindi (Latin script)",
    "it": "Italian", "nl": "Dutch", "pt": "Portuguese", "und": "Undetermined", "pl": "Polish", "sv": "Swedish",
    "da": "Danish", "no": "Norwegian", "fi": "Finnish", "tr": "Turkish", "ru": "Russian", "uk": "Ukrainian",
    "ja": "Japanese", "zh": "Chinese", "ko": "Korean", "id": "Indonesian", "cs": "Czech", "el": "Greek",
    "ro": "Romanian", "hu": "Hungarian", "he": "Hebrew", "fa": "Persian", "vi": "Vietnamese", "th": "Thai",
    "pcm": "Nigerian Pidgin", "sw": "Swahili", "ca": "Catalan",
}  # fmt: skip


def channel_name(code: str) -> str:
    """ "google_play" -> "Google Play"; an unknown channel in words from its key ("my_forum" -> "My forum")."""
    return CHANNEL_NAMES.get(code) or code.replace("_", " ").strip().capitalize()


def item_channel_name(code: str) -> str:
    """The channel as one item's line names it: "Survey", "Feed", else as `channel_name`."""
    return ONE_ITEM_CHANNEL_NAMES.get(code) or channel_name(code)


def language_name(code: str) -> str:
    """ "de" -> "German"; a code with no name here stays as it is ("sw-KE")."""
    return LANGUAGE_NAMES.get(code, code)


def languages_name(codes: str) -> str:
    """Several languages as stored together ("it,de,en,+": a theme proposal's) as a person reads
    them: "Italian, German, English and others"."""
    named = [language_name(code) for code in codes.split(",") if code and code != "+"]
    return ", ".join(named) + (" and others" if codes.endswith("+") else "")
