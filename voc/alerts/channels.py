"""Alert channels: Slack and Microsoft Teams incoming webhooks, a generic JSON webhook, SMTP e-mail.

Each channel turns one `AlertMessage` into its own payload and sends it; a failure raises
`DeliveryError` and the caller retries. Webhook URLs and SMTP passwords are secrets: `masked`
is what the UI shows, and neither is logged. Domain: no Streamlit.
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from enum import StrEnum
from typing import Any, Final

import httpx

SETTINGS_KEY: Final = "alerts.channels"
TIMEOUT_S: Final = 10.0


class ChannelKind(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"
    WEBHOOK = "webhook"
    EMAIL = "email"


class DeliveryError(RuntimeError):
    """A channel refused or could not be reached; worth retrying later."""


@dataclass(frozen=True)
class AlertMessage:
    """What every channel says about one alert: the item, its priority reasons, and links."""

    alert_id: int
    rule: str
    title: str
    text: str = ""
    reasons: tuple[str, ...] = ()
    link: str | None = None  # the post itself
    app_link: str | None = None  # the item (or chart) in the app
    escalation: bool = False

    @property
    def heading(self) -> str:
        return ("ESCALATED — not acknowledged: " if self.escalation else "") + self.title


@dataclass(frozen=True)
class Channel:
    """One configured destination; `escalation` channels get alerts nobody acknowledged in time."""

    name: str
    kind: ChannelKind
    url: str = ""  # webhook URL (slack, teams, webhook)
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    mail_from: str = ""
    mail_to: tuple[str, ...] = ()
    escalation: bool = False
    max_per_hour: int = 30  # rate limit: beyond this, messages wait for the next hour

    @property
    def masked(self) -> str:
        """Where it goes, without the secret part of a webhook URL."""
        if self.kind is ChannelKind.EMAIL:
            return f"{', '.join(self.mail_to)} via {self.smtp_host}:{self.smtp_port}"
        head = self.url.split("//", 1)[-1].split("/", 1)[0]
        return f"{self.url.split('//', 1)[0]}//{head}/…" if self.url else "(no URL)"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "kind": str(self.kind), "url": self.url, "smtp_host": self.smtp_host,
            "smtp_port": self.smtp_port, "smtp_starttls": self.smtp_starttls, "smtp_username": self.smtp_username,
            "smtp_password": self.smtp_password, "mail_from": self.mail_from, "mail_to": list(self.mail_to),
            "escalation": self.escalation, "max_per_hour": self.max_per_hour,
        }  # fmt: skip

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Channel:
        channel = cls(
            name=str(raw["name"]).strip(),
            kind=ChannelKind(raw["kind"]),
            url=str(raw.get("url") or "").strip(),
            smtp_host=str(raw.get("smtp_host") or "").strip(),
            smtp_port=int(raw.get("smtp_port") or 25),
            smtp_starttls=bool(raw.get("smtp_starttls")),
            smtp_username=str(raw.get("smtp_username") or ""),
            smtp_password=str(raw.get("smtp_password") or ""),
            mail_from=str(raw.get("mail_from") or "").strip(),
            mail_to=tuple(str(a).strip() for a in raw.get("mail_to") or () if str(a).strip()),
            escalation=bool(raw.get("escalation")),
            max_per_hour=int(raw.get("max_per_hour") or 30),
        )
        channel.validate()
        return channel

    def validate(self) -> None:
        if not self.name:
            raise ValueError("a channel needs a name")
        if self.kind is ChannelKind.EMAIL:
            if not self.smtp_host or not self.mail_to or not self.mail_from:
                raise ValueError(f"{self.name}: e-mail needs an SMTP host, a sender and at least one recipient")
        elif not self.url.startswith(("https://", "http://")):
            raise ValueError(f"{self.name}: the webhook URL must start with https://")


def slack_escape(text: str) -> str:
    """Customer text for Slack's mrkdwn: `&`, `<` and `>` escaped as Slack documents, so a text
    cannot make a link (`<https://x|click>`) or ping a room (`<!channel>`)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe_link(url: str | None) -> str | None:
    """`url` when it is a plain http(s) address: the post's link comes from the source, and a
    `javascript:` link, or one that could end Slack's `<url|label>` early, is left out."""
    if not url or not url.lower().startswith(("https://", "http://")):
        return None
    return None if any(c.isspace() or c in '<>|"' for c in url) else url


def _links(message: AlertMessage) -> list[tuple[str, str]]:
    candidates = (("Open in the app", message.app_link), ("Original post", safe_link(message.link)))
    return [(label, url) for label, url in candidates if url]


def slack_payload(message: AlertMessage) -> dict[str, Any]:
    """Slack incoming webhook: a text fallback and Block Kit sections.

    Titles, texts and reasons quote customers: escaped for mrkdwn, and no unfurling, so a URL in
    a post does not make Slack fetch it and show a preview the customer chose.
    """
    lines = [f"*{slack_escape(message.heading)}*"]
    if message.text:
        lines.append("> " + slack_escape(" ".join(message.text[:500].split())))
    if message.reasons:
        lines.append("Why: " + slack_escape("; ".join(message.reasons)))
    links = [f"<{url}|{label}>" for label, url in _links(message)]
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}]
    if links:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(links)}]})
    return {"text": slack_escape(message.heading), "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


def _plain(text: str, **style: Any) -> dict[str, Any]:
    """An Adaptive Card block whose text is never read as Markdown (a TextRun, unlike a TextBlock)."""
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text, **style}]}


def teams_payload(message: AlertMessage) -> dict[str, Any]:
    """Microsoft Teams incoming webhook (Workflows): one Adaptive Card; customer text in TextRuns,
    which Teams shows as written (a TextBlock would render its Markdown links)."""
    body: list[dict[str, Any]] = [_plain(message.heading, weight="Bolder")]
    if message.text:
        body.append(_plain(message.text[:500], isSubtle=True))
    if message.reasons:
        body.append(_plain("Why: " + "; ".join(message.reasons)))
    actions = [{"type": "Action.OpenUrl", "title": label, "url": url} for label, url in _links(message)]
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": actions,
    }
    return {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
    }


def webhook_payload(message: AlertMessage) -> dict[str, Any]:
    """The generic JSON webhook: every field, flat."""
    return {
        "alert_id": message.alert_id, "rule": message.rule, "title": message.title, "text": message.text,
        "reasons": list(message.reasons), "link": message.link, "app_link": message.app_link, "escalation": message.escalation,
    }  # fmt: skip


def email_message(channel: Channel, message: AlertMessage) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = " ".join(message.heading.split())[:200]  # a line break in a title is no header
    mail["From"] = channel.mail_from
    mail["To"] = ", ".join(channel.mail_to)
    lines = [message.heading, ""]
    if message.text:
        lines += [message.text, ""]
    lines += [f"Why: {reason}" for reason in message.reasons]
    lines += [f"{label}: {url}" for label, url in _links(message)]
    mail.set_content("\n".join(lines))  # text/plain: nothing in it is markup
    return mail


PAYLOADS: Final = {
    ChannelKind.SLACK: slack_payload,
    ChannelKind.TEAMS: teams_payload,
    ChannelKind.WEBHOOK: webhook_payload,
}


def send(channel: Channel, message: AlertMessage, *, timeout: float = TIMEOUT_S) -> None:
    """Deliver `message` through `channel`; raises DeliveryError on any failure."""
    if channel.kind is ChannelKind.EMAIL:
        try:
            with smtplib.SMTP(channel.smtp_host, channel.smtp_port, timeout=timeout) as smtp:
                if channel.smtp_starttls:
                    smtp.starttls()
                if channel.smtp_username:
                    smtp.login(channel.smtp_username, channel.smtp_password)
                smtp.send_message(email_message(channel, message))
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(
                f"SMTP {channel.smtp_host}:{channel.smtp_port}: {type(error).__name__}: {error}"
            ) from None
        return
    try:
        response = httpx.post(channel.url, json=PAYLOADS[channel.kind](message), timeout=timeout)
    except httpx.HTTPError as error:
        raise DeliveryError(f"{channel.masked}: {type(error).__name__}") from None  # no URL: it holds the token
    if response.status_code >= 300:
        raise DeliveryError(f"{channel.masked}: HTTP {response.status_code} {response.text[:200]}")
