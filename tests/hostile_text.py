"""Hostile customer text stored everywhere a page shows customer words, for the AppTests and the
browser test of "customer text is inert" (docs/privacy.md).

Every text points at `attacker` (another loopback host and port in the browser test): if any page
rendered one as Markdown or HTML, the reader's browser would fetch from there or show a link.
Everything is stored the way the product stores it: posts through the real runner and pipeline,
a survey export through the importer, alerts, notes, tags, a theme and a proposal through the
store and the theme service, a failing source through the runner.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from listeners.base import Batch, ErrorKind, SourceError
from listeners.runner import Runner
from tests.actors import admin
from tests.factories import queued_ids
from voc.alerts.service import raise_alert
from voc.models import RawItem
from voc.store.facade import Store
from voc.store.schema import theme_proposals
from voc.surveys.importer import import_survey
from voc.themes import service as theme_service
from voc.themes.rules import ANY_LANGUAGE, LanguageRule
from voc.themes.taxonomy import Example

OWN = "Northwind Mobile"
SOURCE = "social"
FAILING = "feed ![src](ATTACKER/source.png)"
SURVEY = "Pulse ![survey](ATTACKER/survey.png)"
RESPONSE_ID = "r`1`` ![id](ATTACKER/id.png)"
THEME = "Billing ![theme](ATTACKER/theme.png)"
AUTHOR = "@mallory![a](ATTACKER/author.png)"


def hostile(attacker: str) -> list[str]:
    """The payloads, each a complaint (negative words) so it reaches the inbox and the recovery list."""
    return [
        f"Awful outage, terrible service ![pixel]({attacker}/pixel.png)",
        f'Horrible support <img src="{attacker}/img.png"> <script src="{attacker}/x.js"></script>',
        f"Worst network ever [click here]({attacker}/click) [js](javascript:alert(1))",
        f"Useless app, awful <{attacker}/autolink> bare {attacker}/bare www.example.com",
        "Terrible billing `code` ``more`` $\\href{http://x}{LaTeX}$ :red[red] <!-- comment -->",
    ]


def fill(store: Store, attacker: str, now: datetime | None = None) -> dict[str, str]:
    """Store the hostile texts everywhere; returns the names the tests look for."""
    now = now or datetime.now(UTC)
    texts = hostile(attacker)

    def at(value: str) -> str:
        return value.replace("ATTACKER", attacker)

    store.ensure_source(SOURCE, "scripted", poll_interval_s=60)
    store.ensure_source(at(FAILING), "scripted", poll_interval_s=60)
    posts = [
        RawItem(
            external_id=f"hostile-{n}",
            text=text,
            posted_at=now - timedelta(minutes=10 + n),
            channel="x",
            brand=OWN,
            author=at(AUTHOR),
            author_reach=500_000,
            link="javascript:alert(document.cookie)" if n == 0 else f"{attacker}/post/{n}",
            # One thread, the oldest post first: the workspace quotes the others as its conversation.
            in_reply_to=f"hostile-{n + 1}" if n + 1 < len(texts) else None,
            conversation_id=f"hostile-{len(texts) - 1}",
        )
        for n, text in enumerate(texts)
    ]
    Runner(store, {SOURCE: _Scripted(posts), at(FAILING): _Failing(attacker)}, owner="hostile").run_once()
    item_ids = sorted(queued_ids(store))
    actor = admin("lead")
    store.add_note(item_ids[0], f"Called back ![note]({attacker}/note.png)", actor=actor, now=now)
    store.set_tags([item_ids[0]], [f"tag![t]({attacker}/tag.png)"], actor=actor, now=now, mode="replace")

    lines = ["#,How likely are you to recommend us?,Why?,Response Type,Start Date (UTC),Stage Date (UTC),"
             "Submit Date (UTC),Network ID,Tags"]  # fmt: skip
    when = (now - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    quoted_id = at(RESPONSE_ID).replace('"', '""')
    for n, text in enumerate(texts[:2]):
        lines.append(f'"{quoted_id}{n}",1,"{text.replace(chr(34), chr(34) * 2)}",completed,{when},{when},{when},n{n},')
    import_survey(store, io.BytesIO(("\n".join(lines) + "\n").encode()), "pulse.csv", survey=at(SURVEY), actor=actor)

    raise_alert(store, rule="urgent_words", dedupe_key="hostile", title=f"Urgent words from {at(AUTHOR)}: refund",
                details={}, now=now, item_id=item_ids[0])  # fmt: skip
    theme_id = theme_service.create_theme(
        store, name=at(THEME), owner=f"team ![o]({attacker}/owner.png)", parent_id=None,
        rules={ANY_LANGUAGE: LanguageRule(any=("billing",))}, examples=[Example(texts[4], "en")], actor=actor, now=now,
    )  # fmt: skip
    with store.write() as connection:
        connection.execute(
            theme_proposals.insert().values(
                id="p-hostile0001", label=f"outage ![p]({attacker}/proposal.png), network", language="en",
                keywords=["outage", f"![k]({attacker}/keyword.png)"], representative_item_ids=item_ids[:3],
                member_item_ids=item_ids, size=len(item_ids), growth=3.0, sentiment={"negative": len(item_ids)},
                emerging=True, status="open", discovered_at=now,
            )
        )  # fmt: skip
    return {"survey": at(SURVEY), "response_id": at(RESPONSE_ID), "theme": at(THEME), "author": at(AUTHOR),
            "source": at(FAILING), "theme_id": theme_id, "noted_item": str(item_ids[0])}  # fmt: skip


@dataclass
class _Scripted:
    items: list[RawItem]

    def fetch(self, cursor: str | None) -> Batch:
        return Batch([] if cursor else self.items, "done")


@dataclass
class _Failing:
    """A source whose server answers with a page quoting hostile text (shown as the last error)."""

    attacker: str

    def fetch(self, cursor: str | None) -> Batch:
        raise SourceError(ErrorKind.INVALID_QUERY, f"400: ![err]({self.attacker}/error.png) <b>bad</b> query")
