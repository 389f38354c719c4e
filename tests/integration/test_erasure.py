"""Erasure on request removes exactly one person's data, everywhere, on SQLite and PostgreSQL.

The workspace is filled through the real write paths (tests/privacy_workspace.py); what is
asserted is what the database and the exports folder hold afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.privacy_workspace import (
    COPYCAT,
    JO,
    LENA,
    NOW,
    OTHER,
    Workspace,
    everything_stored,
    export_text,
    fill,
    rows_of,
)
from voc.access.roles import AccessDenied, Actor, Role
from voc.exports import list_exports
from voc.inbox.vip import VIP_SETTINGS_KEY
from voc.privacy.erasure import Subject, erase, preview_erasure
from voc.sources.ingest import respondent_key
from voc.store.facade import Store
from voc.store.schema import alerts, item_themes, items, taxonomy_versions, theme_proposals, themes

ADMIN = Actor("olga@northwind.example", Role.ADMIN)


@pytest.fixture
def workspace(store: Store, tmp_path: Path) -> Workspace:
    return fill(store, tmp_path / "exports")


def test_the_preview_counts_what_would_go_and_changes_nothing(store: Store, workspace: Workspace) -> None:
    before = everything_stored(store)
    preview = preview_erasure(
        store, Subject.author("@LENA@social.example"), actor=ADMIN, exports_dir=workspace.exports_dir
    )

    assert preview.counts["items"] == 2
    assert preview.counts["item_notes"] == 1 and preview.counts["sentiment_labels"] == 1
    assert preview.counts["item_embeddings"] == 2 and preview.counts["item_viewers"] == 1
    assert preview.counts["alerts"] == 2 and preview.counts["alert_deliveries"] == 2  # negative, high reach, both posts
    assert preview.counts["theme_proposals"] == 2 and preview.counts["duplicates_relinked"] == 1
    assert (
        preview.counts["vip_list"] == 1
        and preview.counts["spike_alerts"] == 1
        and preview.counts["theme_examples"] == 1
    )
    assert [s.id for s in preview.samples] == workspace.of("lena-2", "lena-1")  # newest first
    assert preview.exports == ("2026-W48",)
    assert preview.masked == "@l***"
    assert everything_stored(store) == before


def test_erasing_an_author_removes_them_from_every_table_and_leaves_everyone_else(
    store: Store, workspace: Workspace
) -> None:
    lena = workspace.of("lena-1", "lena-2")
    others = workspace.of("other-1", "other-old", "jo-1")
    theirs_before = rows_of(store, others)
    assert set(rows_of(store, lena)) >= {
        "items", "item_embeddings", "item_notes", "item_viewers", "triage_events", "sentiment_labels", "alerts",
        "item_themes", "theme_assessments",
    }  # fmt: skip

    result = erase(store, Subject.author(LENA), actor=ADMIN, now=NOW, exports_dir=workspace.exports_dir)

    assert rows_of(store, lena) == {}
    assert rows_of(store, others) == theirs_before  # other people's rows, untouched to the last column
    assert result.counts["items"] == 2 and result.exports_regenerated == ("2026-W48",)
    assert "lena" not in everything_stored(store)  # not in settings, alerts, proposals, taxonomy history, audit
    with store.read() as connection:
        copy = connection.execute(
            sa.select(items.c.duplicate_of, items.c.author).where(items.c.id == workspace.ids["copy-1"])
        ).one()
        proposals = {r.id: r for r in connection.execute(sa.select(theme_proposals))}
        spike = connection.execute(sa.select(alerts.c.details).where(alerts.c.rule == "volume_spike")).scalar_one()
        delivered = connection.execute(
            sa.select(sa.func.count()).select_from(alerts).where(alerts.c.item_id.is_not(None))
        ).scalar_one()
    assert copy == (None, COPYCAT)  # someone else's copy of her post stays, as its own original now
    assert _ids(proposals["p-outage"].member_item_ids) == workspace.of("other-old") and proposals["p-outage"].size == 1
    assert lena[0] not in _ids(proposals["p-billing"].representative_item_ids)
    spike = spike if isinstance(spike, dict) else json.loads(spike)
    assert spike["drivers"]["authors"] == [f"{OTHER} (2)"] and spike["explanation"][-1] == f"top authors: {OTHER} (2)"
    assert delivered == 2  # the other customer's alert and the respondent's recovery alert remain
    vip = store.get_setting(VIP_SETTINGS_KEY)
    assert vip["handles"] == {OTHER.lstrip("@"): "silver"} and len(vip["keys"]) == 1


def test_theme_examples_from_their_words_leave_the_taxonomy_and_its_history(store: Store, workspace: Workspace) -> None:
    with store.read() as connection:
        lena_text = connection.execute(
            sa.select(items.c.text).where(items.c.id == workspace.ids["lena-1"])
        ).scalar_one()
        examples_before = connection.execute(
            sa.select(themes.c.examples).where(themes.c.name == "Billing errors again")
        ).scalar_one()
    assert lena_text in json.dumps(examples_before, ensure_ascii=False)

    erase(store, Subject.author(LENA), actor=ADMIN, now=NOW, exports_dir=workspace.exports_dir)

    with store.read() as connection:
        examples = connection.execute(
            sa.select(themes.c.examples).where(themes.c.name == "Billing errors again")
        ).scalar_one()
        history = [
            json.dumps(s, ensure_ascii=False)
            for s in connection.execute(sa.select(taxonomy_versions.c.snapshot)).scalars()
        ]
        last_action = connection.execute(
            sa.select(taxonomy_versions.c.action).order_by(taxonomy_versions.c.version.desc())
        ).first()
        reasons = list(connection.execute(sa.select(item_themes.c.reason)).scalars())
    examples = examples if isinstance(examples, list) else json.loads(examples)
    assert [e["text"] for e in examples] != [] and lena_text not in [e["text"] for e in examples]  # the other's stays
    assert not any(lena_text in snapshot for snapshot in history)
    assert last_action is not None and last_action[0] == "privacy erasure"
    assert not any(lena_text in str(reason) for reason in reasons)


def test_an_export_that_held_their_items_is_regenerated_without_them(store: Store, workspace: Workspace) -> None:
    this_week, last_week = ("2026-W48", "2026-W47")
    before = {e.slug: e for e in list_exports(workspace.exports_dir)}
    assert "social.example/@lena" in export_text(workspace.exports_dir, this_week)

    erase(store, Subject.author(LENA), actor=ADMIN, now=NOW, exports_dir=workspace.exports_dir)

    after = {e.slug: e for e in list_exports(workspace.exports_dir)}
    # Her two posts go; the copy someone else made of one of them, left out while hers was the
    # original (each post counted once), now counts as the one left.
    assert after[this_week].items == before[this_week].items - 2 + 1
    assert after[this_week].regenerated == "erasure" and after[this_week].requested_by == ADMIN.name  # who erased
    assert {f.format for f in after[this_week].files} == {"csv", "xlsx"}
    assert "lena" not in export_text(workspace.exports_dir, this_week)
    assert "other_customer" in export_text(workspace.exports_dir, this_week)  # everyone else's week is still there
    assert after[last_week] == before[last_week]  # no item of hers in that week: not rebuilt
    index = json.loads((workspace.exports_dir / "index.json").read_text(encoding="utf-8"))
    assert {e["slug"]: e["items"] for e in index}[this_week] == after[this_week].items


def test_the_audit_row_has_counts_and_a_hash_never_the_handle(store: Store, workspace: Workspace) -> None:
    subject = Subject.author(LENA)
    erase(store, subject, actor=ADMIN, now=NOW, exports_dir=workspace.exports_dir)
    erase(store, Subject.author("lena@SOCIAL.example"), actor=ADMIN, now=NOW)  # the same person, typed otherwise

    rows = store.audit_entries(action="privacy.erase")
    assert len(rows) == 2 and {r["subject"] for r in rows} == {subject.audit_subject}  # a re-check finds nothing
    first = rows[-1]
    assert first["actor"] == ADMIN.name and first["role"] == "admin" and first["at"] == NOW
    assert first["detail"]["counts"]["items"] == 2 and first["detail"]["masked"] == "@l***"
    assert rows[0]["detail"]["counts"] == {}
    assert "lena" not in repr(store.audit_entries()).lower()


def test_erasing_a_respondent_matches_the_salted_key_the_store_holds(store: Store, workspace: Workspace) -> None:
    key = respondent_key(JO)
    assert key is not None and key in everything_stored(store)
    preview = preview_erasure(store, Subject.respondent(" Jo@Example.com "), actor=ADMIN)
    assert preview.counts["items"] == 1 and preview.counts["alerts"] == 1 and preview.counts["vip_list"] == 1

    erase(store, Subject.respondent(" Jo@Example.com "), actor=ADMIN, now=NOW, exports_dir=workspace.exports_dir)

    assert rows_of(store, workspace.of("jo-1")) == {}
    assert key not in everything_stored(store)  # neither the items nor the VIP list hold the hash any more
    assert store.count_items() == 5  # of six
    assert JO not in repr(store.audit_entries()).lower()


def test_an_erasure_in_several_batches_is_audited_per_batch_and_finishes_after_a_crash(
    store: Store, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    import voc.privacy.erasure as erasure

    original = erasure.purge_items
    calls = {"n": 0}

    def crash_on_second(connection: sa.Connection, ids: list[int]):  # noqa: ANN202 - the patched function's shape
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the process dies inside the second batch's transaction
        return original(connection, ids)

    monkeypatch.setattr(erasure, "purge_items", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        erase(store, Subject.author(LENA), actor=ADMIN, now=NOW, batch_size=1)
    remaining = rows_of(store, workspace.of("lena-2"))
    assert rows_of(store, workspace.of("lena-1")) == {}  # the first batch is gone whole
    assert {"items", "sentiment_labels", "item_embeddings", "alerts"} <= set(remaining)  # the second untouched
    monkeypatch.setattr(erasure, "purge_items", original)

    erase(store, Subject.author(LENA), actor=ADMIN, now=NOW, batch_size=1)

    assert rows_of(store, workspace.of("lena-1", "lena-2")) == {}
    assert [r["detail"]["batch"] for r in store.audit_entries(action="privacy.erase")] == [1, 0, 0]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENT])
def test_viewers_and_agents_can_neither_preview_nor_erase(store: Store, workspace: Workspace, role: Role) -> None:
    someone = Actor(f"{role}@northwind.example", role)
    before, audit = everything_stored(store), store.audit_entries()
    with pytest.raises(AccessDenied, match="manage_privacy"):
        preview_erasure(store, Subject.author(LENA), actor=someone)
    with pytest.raises(AccessDenied, match="admin"):
        erase(store, Subject.author(LENA), actor=someone, now=NOW, exports_dir=workspace.exports_dir)
    assert everything_stored(store) == before and store.audit_entries() == audit
    assert list_exports(workspace.exports_dir)[0].regenerated == ""


def _ids(value: object) -> list[int]:
    return [int(i) for i in (json.loads(value) if isinstance(value, str) else value)]  # type: ignore[union-attr]
