"""Replying from the app without ever losing a reply or posting it twice.

1. `prepare`: the text is checked (payment-data guard, the network's limit) and stored as a
   draft with an idempotency key *before* anything is sent. A guarded text is never stored.
2. `send`: a compare-and-set takes the draft (two sessions pressing *Send* cannot both send),
   the network is called, and the answer is recorded with the network's time of the reply,
   which stamps the item's first response. A refusal keeps the draft with the network's own
   explanation (`failed`, retry when ready); a timeout or 5xx leaves it `unknown`.
3. Before any attempt that might have reached the network (`unknown`, or `sending` from a process
   that died), the network is asked first whether the reply is there (`Sender.find`: by the
   record key on Bluesky, by parent on the others). Found: recorded as posted, not sent again.
   Not found: `failed`, with that said, for the agent to send again. `reconcile_pending` does this
   for every such draft when the app starts, so a crash between the network accepting the post
   and the app recording it ends as one reply, recorded.

Domain: no Streamlit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from voc.access.roles import Actor
from voc.background import BackgroundStep
from voc.inbox.replies.guard import refusal
from voc.inbox.replies.networks import Network, Route, route_for, with_mention
from voc.inbox.replies.repository import CALL_BACK_OUTCOMES, ReplyStatus
from voc.inbox.replies.senders import FailureKind, Posted, ReplyTarget, SenderFactory, SendFailure, mint_tid
from voc.store.core import json_dict
from voc.store.facade import Store

log = logging.getLogger(__name__)

RECONCILER = Actor.system("reply-reconcile")


class ReplyRefused(ValueError):
    """The reply cannot be stored or sent as written; the message says why and what to do."""


@dataclass(frozen=True)
class Outcome:
    """What happened to a draft, in words for the agent."""

    draft_id: int
    status: ReplyStatus
    message: str


def network_for(store: Store, item_id: int) -> tuple[dict[str, Any], Network]:
    """The item (with its source) and the network it can be answered on; ReplyRefused otherwise."""
    context = store.reply_context(item_id)
    if context is None:
        raise ReplyRefused(f"Item #{item_id} is no longer stored.")
    route = route_for(context, context.get("source_kind"))
    if route.route is not Route.REPLY or route.network is None:
        raise ReplyRefused(route.why)
    return context, route.network


def target_of(context: dict[str, Any]) -> ReplyTarget:
    return ReplyTarget(
        item_id=int(context["id"]),
        external_id=str(context["external_id"]),
        link=context.get("link"),
        author=context.get("author"),
        language=context.get("language") if context.get("language") not in (None, "", "unknown") else None,
        source_config=json_dict(context.get("source_config")),
    )


def final_text(network: Network, text: str, context: dict[str, Any], senders: SenderFactory) -> str:
    """Exactly what will be posted: the agent's words, led by the customer's handle where the
    network needs it to reach them (Mastodon)."""
    sender = senders(network.key)
    mention = getattr(sender, "mention", None)
    author = mention(target_of(context)) if callable(mention) else context.get("author")
    return with_mention(network, text, author)


def check_text(network: Network, text: str) -> str | None:
    """Why `text` cannot go out on `network`, or None."""
    if not text.strip():
        return "Write the reply first."
    guarded = refusal(text)
    if guarded:
        return guarded
    over = network.length(text) - network.limit
    if over > 0:
        return f"Too long for {network.name}: {network.length(text):,} of {network.limit:,} {network.unit}; shorten it by {over:,}."
    return None


def prepare(
    store: Store,
    item_id: int,
    text: str,
    *,
    senders: SenderFactory,
    actor: Actor,
    now: datetime,
    saved_reply_id: int | None = None,
) -> dict[str, Any]:
    """Store the reply as a draft (or update the item's open draft), after every check; returns it."""
    context, network = network_for(store, item_id)
    posted_text = final_text(network, text, context, senders)
    problem = check_text(network, posted_text)
    if problem:
        raise ReplyRefused(problem)
    current = store.open_reply_draft(item_id)
    if current is not None:
        if current["status"] in (ReplyStatus.SENDING, ReplyStatus.UNKNOWN):
            raise ReplyRefused(
                "A reply to this customer is on its way and not confirmed yet: check it before writing another."
            )
        store.edit_reply_draft(int(current["id"]), posted_text, actor=actor, now=now)
        return {**current, "text": posted_text}
    return store.create_reply_draft(
        item_id,
        network=network.key,
        text=posted_text,
        language=target_of(context).language,
        actor=actor,
        now=now,
        saved_reply_id=saved_reply_id,
        network_key=mint_tid(now) if network.key == "bluesky" else None,
    )


def send(store: Store, draft_id: int, *, senders: SenderFactory, actor: Actor, now: datetime) -> Outcome:
    """Send a draft (or send it again): looks on the network first when an earlier attempt may have landed."""
    draft = store.reply_draft(draft_id)
    if draft is None:
        raise ReplyRefused("This draft is gone (discarded in another session).")
    if draft["status"] == ReplyStatus.POSTED:
        return Outcome(draft_id, ReplyStatus.POSTED, "Already posted.")
    context, network = network_for(store, int(draft["item_id"]))
    problem = check_text(network, draft["text"])
    if problem:
        raise ReplyRefused(problem)
    may_have_landed = draft["status"] in (ReplyStatus.SENDING, ReplyStatus.UNKNOWN)
    if not store.claim_reply_for_sending(draft_id, now=now):
        return Outcome(draft_id, ReplyStatus.SENDING, "This reply is being sent from another session.")
    sender = senders(network.key)
    target = target_of(context)
    try:
        if may_have_landed:
            try:
                found = sender.find(
                    target,
                    draft["text"],
                    since=draft["first_attempt_at"] or now,
                    key=draft["idempotency_key"],
                    network_key=draft["network_key"],
                )
            except SendFailure as failure:
                failure.confirmed = False  # we could not look: the earlier attempt may still be there
                raise
            if found is not None:
                _record_posted(store, draft_id, found, network, actor=actor, now=now)
                return Outcome(
                    draft_id, ReplyStatus.POSTED, f"The reply was already on {network.name}: recorded, not sent again."
                )
        posted = sender.post(target, draft["text"], key=draft["idempotency_key"], network_key=draft["network_key"])
    except SendFailure as failure:
        _record_reply_failure(store, draft_id, failure, now)
        status = ReplyStatus.FAILED if failure.confirmed else ReplyStatus.UNKNOWN
        return Outcome(draft_id, status, failure.explanation)
    _record_posted(store, draft_id, posted, network, actor=actor, now=now)
    return Outcome(draft_id, ReplyStatus.POSTED, f"Posted on {network.name}.")


def _record_posted(
    store: Store, draft_id: int, posted: Posted, network: Network, *, actor: Actor, now: datetime
) -> None:
    """The network has the reply (`posted`, as sent or as found there): record it on the draft and the item."""
    store.record_reply_posted(
        draft_id,
        remote_id=posted.remote_id,
        remote_url=posted.url,
        posted_at=posted.posted_at,
        actor=actor,
        now=now,
        how=f"reply on {network.name}",
    )


def reconcile_pending(store: Store, *, senders: SenderFactory, now: datetime) -> list[Outcome]:
    """Settle every attempt whose outcome was never recorded (a crash, a timeout): posted if the
    network has it, else `failed` for the agent to send again. Never posts anything itself."""
    outcomes = []
    for draft in store.replies_to_reconcile(now=now):
        draft_id = int(draft["id"])
        if not store.claim_reply_for_sending(draft_id, now=now):
            continue
        try:
            context, network = network_for(store, int(draft["item_id"]))
            found = senders(network.key).find(
                target_of(context),
                draft["text"],
                since=draft["first_attempt_at"] or draft["created_at"],
                key=draft["idempotency_key"],
                network_key=draft["network_key"],
            )
        except ReplyRefused as refused:
            store.record_reply_failure(
                draft_id, kind=FailureKind.REFUSED, explanation=str(refused), confirmed=False, retry_after=None, now=now
            )
            continue
        except SendFailure as failure:
            # Could not look: still unknown; the next start (or the agent's retry) looks again.
            failure.confirmed = False
            _record_reply_failure(store, draft_id, failure, now)
            outcomes.append(Outcome(draft_id, ReplyStatus.UNKNOWN, failure.explanation))
            continue
        if found is not None:
            _record_posted(store, draft_id, found, network, actor=RECONCILER, now=now)
            outcomes.append(Outcome(draft_id, ReplyStatus.POSTED, f"Found on {network.name} and recorded."))
        else:
            message = (
                f"Not on {network.name}: the app stopped (or the network did not answer) before the reply went out. "
                "Nothing was posted; send it again when ready."
            )
            store.record_reply_failure(
                draft_id, kind="not_posted", explanation=message, confirmed=True, retry_after=None, now=now
            )
            outcomes.append(Outcome(draft_id, ReplyStatus.FAILED, message))
    return outcomes


def record_call_back(
    store: Store,
    item_id: int,
    *,
    outcome: str,
    note: str,
    actor: Actor,
    now: datetime,
    called_at: datetime | None = None,
) -> int:
    """A survey respondent called back; reaching them is their first response."""
    context = store.reply_context(item_id)
    if context is None:
        raise ReplyRefused(f"Item #{item_id} is no longer stored.")
    if route_for(context, context.get("source_kind")).route is not Route.CALL_BACK:
        raise ReplyRefused("Call-backs are recorded for survey respondents; reply to this customer on their network.")
    if outcome not in CALL_BACK_OUTCOMES:
        raise ReplyRefused(f"Choose how the call went: {', '.join(CALL_BACK_OUTCOMES.values())}.")
    guarded = refusal(note)
    if guarded:
        raise ReplyRefused(guarded.replace("Public replies", "Notes"))
    return store.record_call_back(item_id, outcome=outcome, note=note, called_at=called_at or now, actor=actor, now=now)


def _record_reply_failure(store: Store, draft_id: int, failure: SendFailure, now: datetime) -> None:
    retry_after = now + timedelta(seconds=failure.retry_after_s) if failure.retry_after_s else None
    store.record_reply_failure(
        draft_id,
        kind=failure.kind,
        explanation=failure.explanation,
        confirmed=failure.confirmed,
        retry_after=retry_after,
        now=now,
    )


class ReconcileWorker:
    """A step of the listener loop: settles unrecorded reply attempts once a minute (the app also
    does it once per server start), so a crash is reconciled even when nobody opens the Inbox.

    It calls the networks only when there is something to settle (a rare draft), never otherwise.
    Asking a network can take its full timeout, so the work runs in a thread beside the polling
    (`voc.background`, like the weekly export); `background=False` runs it inline (tests)."""

    def __init__(
        self,
        store: Store,
        senders: SenderFactory,
        *,
        clock: Callable[[], datetime],
        every: timedelta = timedelta(minutes=1),
        background: bool = True,
    ) -> None:
        self.store = store
        self.senders = senders
        self.clock = clock
        self.every = every
        self._next: datetime | None = None
        self._step = BackgroundStep(self._run, name="reply-reconcile", background=background)
        self.last_outcomes: list[Outcome] = []

    def tick(self) -> list[Outcome]:
        """Starts a settling run when one is due; inline, returns its outcomes (else [])."""
        now = self.clock()
        if self._step.busy or (self._next is not None and now < self._next):
            return []
        self._next = now + self.every
        self.last_outcomes = []
        self._step.start(now)
        return [] if self._step.background else self.last_outcomes

    def _run(self, now: datetime) -> None:
        try:
            self.last_outcomes = reconcile_pending(self.store, senders=self.senders, now=now)
        except Exception as error:  # the next minute tries again; the draft stays unconfirmed meanwhile
            # the kind of failure only: a network's message may quote the reply or the customer
            log.error("settling unrecorded replies failed (%s); trying again in %s", type(error).__name__, self.every)

    def join(self, timeout: float | None = None) -> None:
        self._step.join(timeout)
