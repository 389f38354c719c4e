"""Newest-first paging with a time watermark: the polling pattern Reddit, Bluesky and review feeds share.

A poll asks for the newest page, then older pages, until it meets an item at or before the
watermark `since` (or runs out of pages, or reaches the page cap). The newest time seen on the
way waits as `pending` and becomes the next `since` only when the poll is over, so a crash between
pages resumes at the next page with nothing lost; the runner saves each page's cursor with its
items, and an item fetched twice is stored once. A poll that stops at the page cap while older
new items remain reports a coverage gap instead of losing them silently. No Streamlit import here.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from listeners.base import CoverageGap, ErrorKind, SourceError

DEFAULT_BACKFILL = timedelta(hours=24)  # how far the first poll reaches back
DEFAULT_PAGE_CAP = 10  # pages per poll; past it the rest is a coverage gap


@dataclass(frozen=True)
class PageCursor:
    """Where a newest-first source resumes; stored as JSON with each page's items."""

    since: str | None = None  # ISO time: items at or before it were stored by a finished poll
    pending: str | None = None  # the newest item time seen by the poll in progress
    page: str | None = None  # the provider's token for the next, older page of that poll
    pages: int = 0  # pages fetched so far by that poll

    @classmethod
    def parse(cls, text: str | None, *, service: str) -> PageCursor:
        if not text:
            return cls()
        try:
            fields = json.loads(text)
            return cls(
                since=fields.get("since"),
                pending=fields.get("pending"),
                page=None if fields.get("page") is None else str(fields["page"]),
                pages=int(fields.get("pages") or 0),
            )
        except (ValueError, TypeError, AttributeError) as error:
            raise SourceError(
                ErrorKind.BAD_DATA, f"stored {service} cursor is unreadable ({error}); clear it to start again"
            ) from None

    def dump(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v not in (None, 0)}, sort_keys=True)

    @property
    def since_time(self) -> datetime | None:
        return datetime.fromisoformat(self.since) if self.since else None

    def started(self, now: datetime, backfill: timedelta = DEFAULT_BACKFILL) -> PageCursor:
        """The cursor a poll starts from: the first poll reaches back `backfill`."""
        if self.since is None and self.page is None:
            return replace(self, since=(now - backfill).isoformat())
        return self

    def is_new(self, moment: datetime) -> bool:
        """Whether an item from `moment` is after the watermark (equal counts: the store dedupes)."""
        since = self.since_time
        return since is None or moment >= since

    def after_page(
        self, times: list[datetime], next_page: str | None, *, ordered: bool = True, page_cap: int = DEFAULT_PAGE_CAP
    ) -> tuple[PageCursor, bool, CoverageGap | None]:
        """The cursor after a page with these item times; whether another page is due now; any gap.

        `ordered`: the provider sorts newest first, so an item at or before `since` ends the poll.
        """
        newest = max(times, default=None)
        pending = _latest(self.pending, newest.isoformat() if newest else None)
        since = self.since_time
        reached_old = ordered and since is not None and any(t <= since for t in times)
        pages = self.pages + 1
        if next_page and not reached_old and pages < page_cap:
            return replace(self, pending=pending, page=str(next_page), pages=pages), True, None
        gap = None
        if next_page and not reached_old and times:
            oldest = min(times)
            gap = CoverageGap(
                start=self.since_time,
                end=oldest,
                reason=(
                    f"more than {page_cap} pages of new items since the last poll: items between the last poll "
                    "and the oldest fetched were skipped; poll this source more often"
                ),
            )
        return PageCursor(since=_latest(self.since, pending)), False, gap


def _latest(a: str | None, b: str | None) -> str | None:
    present = [x for x in (a, b) if x]
    return max(present, key=datetime.fromisoformat) if present else None
