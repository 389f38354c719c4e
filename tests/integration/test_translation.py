"""Translation through a local stand-in of LibreTranslate's documented API; off means nothing is sent."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from voc.inbox.replies.translation import TranslationError, TranslationSettings, check_url, translate

DICTIONARY = {
    ("fr", "en"): {"Ma facture est fausse": "My bill is wrong"},
    ("en", "fr"): {"We are on it.": "Nous nous en occupons."},
}


class LibreTranslate:
    """`POST /translate` as LibreTranslate documents it, with an API key when `key` is set."""

    def __init__(self, key: str | None = None) -> None:
        self.key = key
        self.received: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.received.append(body)
                status, answer = outer.answer(body)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.key and body.get("api_key") != self.key:
            return 403, {"error": "Invalid API key"}
        source = body["source"]
        detected = None
        if source == "auto":
            source, detected = "fr", {"confidence": 92.0, "language": "fr"}
        text = DICTIONARY.get((source, body["target"]), {}).get(body["q"])
        if text is None:
            return 400, {"error": f"{body['target']} is not supported"}
        answer: dict[str, Any] = {"translatedText": text}
        if detected:
            answer["detectedLanguage"] = detected
        return 200, answer


@pytest.fixture
def server() -> Iterator[LibreTranslate]:
    stand_in = LibreTranslate(key="lt-key")
    yield stand_in
    stand_in.server.shutdown()


def test_the_customers_words_are_shown_in_the_agents_language(server: LibreTranslate) -> None:
    settings = TranslationSettings(url=server.url, agent_language="en")
    result = translate("Ma facture est fausse", target="en", settings=settings, api_key="lt-key")
    assert result.text == "My bill is wrong" and result.source_language == "fr"
    assert server.received[0]["format"] == "text"


def test_a_reply_is_translated_into_the_customers_language(server: LibreTranslate) -> None:
    settings = TranslationSettings(url=server.url)
    result = translate("We are on it.", source="en", target="fr", settings=settings, api_key="lt-key")
    assert result.text == "Nous nous en occupons."


def test_the_servers_refusal_is_said_in_its_words(server: LibreTranslate) -> None:
    with pytest.raises(TranslationError, match="Invalid API key"):
        translate("Ma facture est fausse", target="en", settings=TranslationSettings(url=server.url), api_key="wrong")


def test_off_by_default_and_nothing_is_sent(server: LibreTranslate) -> None:
    assert not TranslationSettings().enabled
    with pytest.raises(TranslationError, match="off"):
        translate("Ma facture est fausse", target="en", settings=TranslationSettings())
    assert server.received == []
    assert check_url("ftp://x") is not None and check_url("http://translate.internal:5000") is None
