"""Optional translation through a self-hosted LibreTranslate server, for agents and their replies.

Off unless an admin sets the server's address (Settings → Replies). Without it nothing is sent
anywhere and the workspace is unchanged. With it: the customer's message can be shown in the
agent's language, and a reply translated into the customer's language and shown side by side
before it is posted (the agent posts the translation, or their own words).

LibreTranslate's documented API: `POST /translate` with `q`, `source` (a code or `auto`),
`target`, `format: text` and an optional `api_key`; the answer is `{"translatedText": ...}` (and
`detectedLanguage` for `auto`), an error `{"error": "..."}` with 400, 403, 429 or 500.
Domain: no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import requests

from voc.access.roles import Permission
from voc.store.settings import register_setting

TRANSLATION_KEY = register_setting(
    "translation",
    dict,
    Permission.CONFIGURE_CARE,
    "the LibreTranslate server that translates messages and replies (off when empty)",
)
TIMEOUT_S = (3.0, 20.0)


class TranslationError(Exception):
    """The server could not translate; the message says why in words (never the text)."""


@dataclass(frozen=True)
class TranslationSettings:
    """Where translations come from: empty `url` means off."""

    url: str = ""
    agent_language: str = "en"

    @property
    def enabled(self) -> bool:
        return bool(self.url)

    @classmethod
    def from_stored(cls, value: Any) -> TranslationSettings:
        if not isinstance(value, dict):
            return cls()
        return cls(url=str(value.get("url") or "").strip(), agent_language=str(value.get("agent_language") or "en"))

    def to_stored(self) -> dict[str, str]:
        return {"url": self.url, "agent_language": self.agent_language}


def check_url(url: str) -> str | None:
    """Why `url` cannot be a LibreTranslate server's address, or None."""
    if not url.strip():
        return None
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return "Give the server's full address, e.g. http://translate.internal:5000"
    return None


@dataclass(frozen=True)
class Translation:
    text: str
    source_language: str


def translate(
    text: str,
    *,
    target: str,
    source: str = "auto",
    settings: TranslationSettings,
    api_key: str | None = None,
    session: requests.Session | None = None,
) -> Translation:
    """`text` in `target`, from the configured server; raises TranslationError when off or failing."""
    if not settings.enabled:
        raise TranslationError("Translation is off: an admin can set a LibreTranslate server in Settings.")
    payload: dict[str, str] = {"q": text, "source": source or "auto", "target": target, "format": "text"}
    if api_key:
        payload["api_key"] = api_key
    http = session or requests.Session()
    try:
        response = http.post(settings.url.rstrip("/") + "/translate", json=payload, timeout=TIMEOUT_S)
        body = response.json()
    except requests.Timeout:
        raise TranslationError("The translation server did not answer in time.") from None
    except requests.RequestException as error:
        raise TranslationError(f"Could not reach the translation server ({type(error).__name__}).") from None
    except ValueError:
        raise TranslationError("The translation server did not answer with JSON: is the address right?") from None
    if response.status_code != 200 or not isinstance(body, dict) or "translatedText" not in body:
        said = body.get("error") if isinstance(body, dict) else None
        raise TranslationError(f"The translation server refused ({response.status_code}): {said or 'no reason given'}")
    detected = body.get("detectedLanguage")
    language = str(detected.get("language")) if isinstance(detected, dict) and detected.get("language") else source
    return Translation(str(body["translatedText"]), language)
