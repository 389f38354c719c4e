"""Saved replies: the team's library of answers per language, with placeholders filled per item.

Placeholders are `{author}` (the customer's handle or name as the source gives it), `{brand}` and
`{agent}` (the agent's first name). An unknown placeholder is an error when the reply is saved,
so a typo never reaches a customer as "{agnet}". Suggestions put the item's language first, then
replies written for one of the item's themes, then the most used. Domain: no Streamlit.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PLACEHOLDERS: dict[str, str] = {
    "author": "the customer's handle or name",
    "brand": "the brand's name",
    "agent": "your first name",
}
MAX_TITLE = 120
MAX_TEXT = 5_000
# When an item has no author (a deleted account, an anonymous survey): a greeting still reads well.
NO_AUTHOR = "there"


@dataclass(frozen=True)
class SavedReply:
    """One reply in the team's library."""

    id: int
    title: str
    language: str
    text: str
    theme_id: str | None = None
    use_count: int = 0


def check_saved_reply(title: str, language: str, text: str) -> list[str]:
    """Every problem with a saved reply, in words (an empty list: it can be saved)."""
    problems = []
    if not title.strip():
        problems.append("Give the reply a title, e.g. “Refund on its way”.")
    elif len(title) > MAX_TITLE:
        problems.append(f"The title is longer than {MAX_TITLE} characters.")
    if not re.fullmatch(r"[a-z]{2,3}", language.strip().lower()):
        problems.append("Choose the language it is written in (a two-letter code such as en or de).")
    if not text.strip():
        problems.append("Write the reply's text.")
    elif len(text) > MAX_TEXT:
        problems.append(f"The text is longer than {MAX_TEXT:,} characters.")
    unknown = sorted(set(placeholders_in(text)) - PLACEHOLDERS.keys())
    if unknown:
        known = ", ".join("{" + k + "}" for k in PLACEHOLDERS)
        problems.append(f"Unknown placeholder {', '.join('{' + u + '}' for u in unknown)}; use {known}.")
    return problems


def placeholders_in(text: str) -> list[str]:
    """The placeholder names a text uses (`{author}` -> `author`)."""
    try:
        return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:  # a lone brace: not a placeholder, and saving will say nothing about it
        return []


def fill(text: str, *, author: str | None, brand: str, agent_name: str) -> str:
    """The saved text with its placeholders replaced for one item and one agent."""
    values = {"author": (author or "").strip() or NO_AUTHOR, "brand": brand, "agent": first_name(agent_name)}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def first_name(name: str) -> str:
    """An agent's first name from their display name or e-mail ("jane.doe@example.com" -> "Jane")."""
    local = name.split("@")[0] if "@" in name else name
    first = re.split(r"[\s._-]+", local.strip())[0] if local.strip() else ""
    return first[:1].upper() + first[1:] if first else "the team"


def suggest(replies: Iterable[SavedReply], *, language: str | None, theme_ids: Sequence[str] = ()) -> list[SavedReply]:
    """Replies in the item's language first, those written for its themes before others, then by use."""
    themes = set(theme_ids)

    def order(reply: SavedReply) -> tuple[int, int, int, str]:
        return (
            0 if language and reply.language == language else 1,
            0 if reply.theme_id and reply.theme_id in themes else 1,
            -reply.use_count,
            reply.title.casefold(),
        )

    return sorted(replies, key=order)
