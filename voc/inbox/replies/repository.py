"""Reads and writes of replies: drafts and their sending states, saved replies, call-backs, and the
first response stamped at the network's time.

Every state change is one compare-and-set statement, so two sessions pressing *Send* on the same
draft cannot both send it, and a crash leaves a state that says what to check (see
`voc.inbox.replies.service`). Domain module: no Streamlit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from voc.access.repository import AccessRepository, audit_items
from voc.access.roles import Actor, Permission, require
from voc.analysis.redaction import redact
from voc.inbox.replies.saved import SavedReply, check_saved_reply
from voc.inbox.repository import record_history
from voc.models import TriageStatus
from voc.store.core import Database
from voc.store.schema import item_themes, items, reply_drafts, saved_replies, sources

# An attempt older than this with no outcome is from a process that is gone: reconcile it.
SENDING_LEASE = timedelta(minutes=2)
CALL_BACK = "call_back"
# A posted reply moves these statuses on: the customer has their answer and the next move is theirs.
ANSWERED_FROM = (str(TriageStatus.NEW), str(TriageStatus.ASSIGNED))
CALL_BACK_OUTCOMES: dict[str, str] = {
    "reached": "Reached the customer",
    "left_message": "Left a message",
    "no_answer": "No answer",
    "wrong_number": "Wrong number",
}


class ReplyStatus(StrEnum):
    DRAFT = "draft"  # stored, never sent
    SENDING = "sending"  # an attempt is under way (or its process died: reconcile after the lease)
    UNKNOWN = "unknown"  # the network did not confirm (timeout, 5xx): look before sending again
    FAILED = "failed"  # the network refused; nothing was posted; can be retried
    POSTED = "posted"
    RECORDED = "recorded"  # a call-back, recorded by the agent


OPEN_STATUSES = (ReplyStatus.DRAFT, ReplyStatus.SENDING, ReplyStatus.UNKNOWN, ReplyStatus.FAILED)


def new_key() -> str:
    """An idempotency key: unique per draft, kept across every retry of it."""
    return uuid.uuid4().hex


def stamp_first_response(
    connection: sa.Connection, item_id: int, *, at: datetime, how: str, actor: Actor, now: datetime
) -> bool:
    """Record that the customer was answered at `at` (the network's time of the reply, or when the
    agent answered elsewhere). Keeps the earliest answer; returns whether the stamp moved.

    Also moves a New or Assigned item to *waiting on customer*, in its history like any change.
    """
    row = connection.execute(
        sa.select(items.c.first_response_at, items.c.triage_status).where(items.c.id == item_id)
    ).first()
    if row is None:
        raise ValueError(f"no item {item_id}")
    moved = row.first_response_at is None or at < row.first_response_at
    if moved:
        connection.execute(items.update().where(items.c.id == item_id).values(first_response_at=at))
        record_history(
            connection,
            item_id,
            actor=actor,
            at=now,
            field="first_response_at",
            old=row.first_response_at.isoformat() if row.first_response_at else None,
            new=f"{at.isoformat()} ({how})",
        )
    if row.triage_status in ANSWERED_FROM:
        waiting = str(TriageStatus.WAITING_ON_CUSTOMER)
        connection.execute(items.update().where(items.c.id == item_id).values(triage_status=waiting))
        record_history(
            connection, item_id, actor=actor, at=now, field="triage_status", old=row.triage_status, new=waiting
        )
    return moved


class ReplyRepository(Database):
    """Reply drafts, saved replies and call-backs."""

    # ---- drafts -----------------------------------------------------------------------------

    def create_reply_draft(
        self,
        item_id: int,
        *,
        network: str,
        text: str,
        language: str | None,
        actor: Actor,
        now: datetime,
        saved_reply_id: int | None = None,
        network_key: str | None = None,
    ) -> dict[str, Any]:
        """Store a new draft (with its idempotency key) before anything is sent."""
        require(actor, Permission.TRIAGE)
        values = {
            "item_id": item_id,
            "network": network,
            "idempotency_key": new_key(),
            "network_key": network_key,
            "text": text,
            "language": language,
            "saved_reply_id": saved_reply_id,
            "status": str(ReplyStatus.DRAFT),
            "attempts": 0,
            "created_by": actor.name,
            "created_at": now,
            "updated_at": now,
        }
        with self.write() as connection:
            draft_id = connection.execute(
                reply_drafts.insert().values(values).returning(reply_drafts.c.id)
            ).scalar_one()
            if saved_reply_id is not None:
                connection.execute(
                    saved_replies.update()
                    .where(saved_replies.c.id == saved_reply_id)
                    .values(use_count=saved_replies.c.use_count + 1)
                )
            audit_items(connection, actor, "reply.draft", [item_id], now, network=network)
        return {**values, "id": int(draft_id)}

    def edit_reply_draft(self, draft_id: int, text: str, *, actor: Actor, now: datetime) -> bool:
        """Change a draft's text while nothing of it can be on the network (draft or failed)."""
        require(actor, Permission.TRIAGE)
        with self.write() as connection:
            done = connection.execute(
                reply_drafts.update()
                .where(
                    reply_drafts.c.id == draft_id,
                    reply_drafts.c.status.in_([str(ReplyStatus.DRAFT), str(ReplyStatus.FAILED)]),
                )
                .values(text=text, updated_at=now)
            )
        return bool(done.rowcount)

    def discard_reply_draft(self, draft_id: int, *, actor: Actor, now: datetime) -> bool:
        """Delete a draft that was never sent (a failed one was refused, so nothing is out there)."""
        require(actor, Permission.TRIAGE)
        with self.write() as connection:
            item_id = connection.execute(
                sa.select(reply_drafts.c.item_id).where(reply_drafts.c.id == draft_id)
            ).scalar_one_or_none()
            done = connection.execute(
                reply_drafts.delete().where(
                    reply_drafts.c.id == draft_id,
                    reply_drafts.c.status.in_([str(ReplyStatus.DRAFT), str(ReplyStatus.FAILED)]),
                )
            )
            if done.rowcount and item_id is not None:
                audit_items(connection, actor, "reply.discard", [int(item_id)], now)
        return bool(done.rowcount)

    def reply_draft(self, draft_id: int) -> dict[str, Any] | None:
        with self.read() as connection:
            row = connection.execute(sa.select(reply_drafts).where(reply_drafts.c.id == draft_id)).mappings().first()
        return dict(row) if row else None

    def replies_of(self, item_id: int) -> list[dict[str, Any]]:
        """Every reply and call-back of an item, oldest first."""
        with self.read() as connection:
            rows = (
                connection.execute(
                    sa.select(reply_drafts).where(reply_drafts.c.item_id == item_id).order_by(reply_drafts.c.id)
                )
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]

    def open_reply_draft(self, item_id: int) -> dict[str, Any] | None:
        """The item's reply still on its way (draft, sending, unknown or failed), if any."""
        open_ones = [r for r in self.replies_of(item_id) if r["status"] in OPEN_STATUSES]
        return open_ones[-1] if open_ones else None

    def claim_reply_for_sending(self, draft_id: int, *, now: datetime, lease: timedelta = SENDING_LEASE) -> bool:
        """Take the draft for one attempt: a compare-and-set, so only one session ever sends it.

        A draft in `sending` whose attempt is older than the lease is taken too (its process is gone;
        the caller reconciles before posting again)."""
        with self.write() as connection:
            done = connection.execute(
                reply_drafts.update()
                .where(
                    reply_drafts.c.id == draft_id,
                    sa.or_(
                        reply_drafts.c.status.in_(
                            [str(ReplyStatus.DRAFT), str(ReplyStatus.FAILED), str(ReplyStatus.UNKNOWN)]
                        ),
                        sa.and_(
                            reply_drafts.c.status == str(ReplyStatus.SENDING),
                            reply_drafts.c.sending_since < now - lease,
                        ),
                    ),
                )
                .values(
                    status=str(ReplyStatus.SENDING),
                    sending_since=now,
                    attempts=reply_drafts.c.attempts + 1,
                    first_attempt_at=sa.func.coalesce(reply_drafts.c.first_attempt_at, now),
                    updated_at=now,
                )
            )
        return bool(done.rowcount)

    def record_reply_posted(
        self,
        draft_id: int,
        *,
        remote_id: str,
        remote_url: str | None,
        posted_at: datetime,
        actor: Actor,
        now: datetime,
        how: str,
    ) -> bool:
        """The network has the reply: mark it posted and stamp the item's first response at the
        network's time, in one transaction. Returns False when it was recorded already."""
        with self.write() as connection:
            item_id = connection.execute(
                sa.select(reply_drafts.c.item_id).where(
                    reply_drafts.c.id == draft_id, reply_drafts.c.status != str(ReplyStatus.POSTED)
                )
            ).scalar_one_or_none()
            if item_id is None:
                return False
            connection.execute(
                reply_drafts.update()
                .where(reply_drafts.c.id == draft_id)
                .values(
                    status=str(ReplyStatus.POSTED),
                    remote_id=remote_id,
                    remote_url=remote_url,
                    posted_at=posted_at,
                    error=None,
                    error_kind=None,
                    retry_after=None,
                    sending_since=None,
                    sent_by=actor.name,
                    updated_at=now,
                )
            )
            stamp_first_response(connection, int(item_id), at=posted_at, how=how, actor=actor, now=now)
            audit_items(connection, actor, "reply.posted", [int(item_id)], now, draft=draft_id)
        return True

    def record_reply_failure(
        self,
        draft_id: int,
        *,
        kind: str,
        explanation: str,
        confirmed: bool,
        retry_after: datetime | None,
        now: datetime,
    ) -> None:
        """The attempt failed. `confirmed`: the network said no (nothing posted, `failed`); otherwise
        it may have gone through (`unknown`), and the next attempt looks on the network first."""
        status = ReplyStatus.FAILED if confirmed else ReplyStatus.UNKNOWN
        with self.write() as connection:
            connection.execute(
                reply_drafts.update()
                .where(reply_drafts.c.id == draft_id, reply_drafts.c.status != str(ReplyStatus.POSTED))
                .values(
                    status=str(status),
                    error=redact(explanation).text[:2000],  # a network may echo an address or a number
                    error_kind=kind,
                    retry_after=retry_after,
                    sending_since=None,
                    updated_at=now,
                )
            )

    def replies_to_reconcile(self, *, now: datetime, lease: timedelta = SENDING_LEASE) -> list[dict[str, Any]]:
        """Attempts whose outcome nobody recorded: `unknown`, and `sending` past the lease."""
        with self.read() as connection:
            rows = (
                connection.execute(
                    sa.select(reply_drafts).where(
                        sa.or_(
                            reply_drafts.c.status == str(ReplyStatus.UNKNOWN),
                            sa.and_(
                                reply_drafts.c.status == str(ReplyStatus.SENDING),
                                reply_drafts.c.sending_since < now - lease,
                            ),
                        )
                    )
                )
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]

    def reply_context(self, item_id: int) -> dict[str, Any] | None:
        """The item with its source's kind and config: what a sender needs to address the reply."""
        with self.read() as connection:
            row = (
                connection.execute(
                    sa.select(items, sources.c.kind.label("source_kind"), sources.c.config.label("source_config"))
                    .select_from(items.outerjoin(sources, sources.c.name == items.c.source))
                    .where(items.c.id == item_id)
                )
                .mappings()
                .first()
            )
            if row is None:
                return None
            themes = connection.execute(
                sa.select(item_themes.c.theme_id).where(item_themes.c.item_id == item_id)
            ).scalars()
            return {**dict(row), "theme_ids": list(themes)}

    # ---- call-backs ---------------------------------------------------------------------------

    def record_call_back(
        self, item_id: int, *, outcome: str, note: str, called_at: datetime, actor: Actor, now: datetime
    ) -> int:
        """A call-back to a survey respondent: it answers them (first response at `called_at`)."""
        require(actor, Permission.TRIAGE)
        if outcome not in CALL_BACK_OUTCOMES:
            raise ValueError(f"unknown call-back outcome {outcome!r}; use one of {', '.join(CALL_BACK_OUTCOMES)}")
        with self.write() as connection:
            draft_id = connection.execute(
                reply_drafts.insert()
                .values(
                    item_id=item_id,
                    network=CALL_BACK,
                    idempotency_key=new_key(),
                    text=note.strip()[:5000],
                    status=str(ReplyStatus.RECORDED),
                    outcome=outcome,
                    posted_at=called_at,
                    created_by=actor.name,
                    sent_by=actor.name,
                    created_at=now,
                    updated_at=now,
                )
                .returning(reply_drafts.c.id)
            ).scalar_one()
            if outcome == "reached":
                stamp_first_response(connection, item_id, at=called_at, how="call-back", actor=actor, now=now)
            audit_items(connection, actor, "reply.call_back", [item_id], now, outcome=outcome)
        return int(draft_id)

    # ---- saved replies -------------------------------------------------------------------------

    def list_saved_replies(self, language: str | None = None) -> list[SavedReply]:
        query = sa.select(saved_replies).order_by(saved_replies.c.language, saved_replies.c.title)
        if language:
            query = query.where(saved_replies.c.language == language)
        with self.read() as connection:
            rows = connection.execute(query).mappings().all()
        return [
            SavedReply(
                id=int(r["id"]),
                title=r["title"],
                language=r["language"],
                text=r["text"],
                theme_id=r["theme_id"],
                use_count=int(r["use_count"]),
            )
            for r in rows
        ]

    def save_saved_reply(
        self,
        *,
        title: str,
        language: str,
        text: str,
        theme_id: str | None,
        actor: Actor,
        now: datetime,
        reply_id: int | None = None,
    ) -> int:
        """Add a saved reply (or change `reply_id`); admins only. Raises ValueError listing every problem."""
        require(actor, Permission.CONFIGURE_CARE)
        problems = check_saved_reply(title, language, text)
        if problems:
            raise ValueError(" ".join(problems))
        values = {
            "title": title.strip(),
            "language": language.strip().lower(),
            "text": text.strip(),
            "theme_id": theme_id or None,
            "updated_at": now,
        }
        with self.write() as connection:
            clash = connection.execute(
                sa.select(saved_replies.c.id).where(
                    saved_replies.c.title == values["title"], saved_replies.c.language == values["language"]
                )
            ).scalar_one_or_none()
            if clash is not None and clash != reply_id:
                raise ValueError(f"A saved reply called “{values['title']}” exists in {values['language']} already.")
            if reply_id is None:
                reply_id = connection.execute(
                    saved_replies.insert()
                    .values(**values, created_by=actor.name, use_count=0)
                    .returning(saved_replies.c.id)
                ).scalar_one()
            else:
                connection.execute(saved_replies.update().where(saved_replies.c.id == reply_id).values(**values))
            AccessRepository.record_audit(connection, actor, "saved_reply.save", now=now, subject=str(reply_id))
        return int(reply_id)

    def delete_saved_reply(self, reply_id: int, *, actor: Actor, now: datetime) -> bool:
        require(actor, Permission.CONFIGURE_CARE)
        with self.write() as connection:
            done = connection.execute(saved_replies.delete().where(saved_replies.c.id == reply_id))
            if done.rowcount:
                AccessRepository.record_audit(connection, actor, "saved_reply.delete", now=now, subject=str(reply_id))
        return bool(done.rowcount)


def reply_history(replies: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Posted replies and recorded call-backs, for the item's history."""
    return [r for r in replies if r["status"] in (ReplyStatus.POSTED, ReplyStatus.RECORDED)]
