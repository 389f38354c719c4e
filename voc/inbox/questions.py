"""What makes an item a question: a question mark in its text, in any of the scripts' forms.

Its own module (no imports) so that the save path (`voc.inbox.storing`, which stores the flag) and
the priority formula (`voc.inbox.priority`) share it without importing each other. Domain: no Streamlit.
"""

from __future__ import annotations

from typing import Final

QUESTION_MARKS: Final = ("?", "？", "¿")


def asks_question(text: str | None) -> bool:
    """Whether `text` holds a question mark: the stored `items.asks_question` (revision 0019). No
    text (refused by the database's NOT NULL, which the save path leaves to say so): no question."""
    return text is not None and any(mark in text for mark in QUESTION_MARKS)
