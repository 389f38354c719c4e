"""Duplicate fingerprints: retweets and pasted copies share one; different complaints do not."""

from __future__ import annotations

from voc.inbox.duplicates import duplicate_key, fingerprint

ORIGINAL = "No signal in Leeds since 6am, @NorthwindHelp what is going on? https://t.co/abc"
COPIES = [
    "RT @angry_dan: No signal in Leeds since 6am, @NorthwindHelp what is going on? https://t.co/abc",
    "no signal in leeds since 6am,  what is going on??",
    "No signal in Leeds since 6am @NorthwindMobile what is going on https://t.co/xyz",
]
DIFFERENT = [
    "No signal in Bristol since 6am, @NorthwindHelp what is going on?",
    "No signal in Leeds since 9am, what is going on?",
    "My bill is wrong again and nobody answers",
]


def test_retweets_and_copy_paste_share_the_originals_fingerprint() -> None:
    assert {fingerprint(text) for text in COPIES} == {fingerprint(ORIGINAL)}


def test_different_complaints_keep_their_own_fingerprint() -> None:
    prints = {fingerprint(text) for text in [ORIGINAL, *DIFFERENT]}
    assert len(prints) == 1 + len(DIFFERENT)


def test_short_texts_are_never_merged() -> None:
    assert fingerprint("ok thanks") is None
    assert fingerprint("RT @x: +1") is None


def test_only_mentions_have_a_duplicate_key_and_it_keeps_brands_apart() -> None:
    text = "Still no signal in Leeds since this morning"
    ours = duplicate_key("mention", "Northwind", text)
    assert ours is not None and ours == duplicate_key("mention", "Northwind", f"RT @a: {text.upper()}")
    assert duplicate_key("mention", "Contoso", text) != ours
    assert duplicate_key("survey", "Northwind", text) is None
    assert duplicate_key("mention", "Northwind", "ok thanks") is None
