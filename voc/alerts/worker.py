"""The listener process's alert step: raise item rules, detect spikes, escalate, deliver.

Called from the runner's one loop (`listeners/runner.py`). Spike detection runs every
`spike_every`; everything else every tick (the queries are small). Domain: no Streamlit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from voc.alerts.channels import send
from voc.alerts.rules import raise_item_alerts
from voc.alerts.service import Sender, deliver_due, enqueue_deliveries, escalate_overdue, load_channels, load_policy
from voc.store.facade import Store
from voc.trends.spikes import late_hours, raise_spike_alerts

log = logging.getLogger(__name__)


class AlertWorker:
    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], datetime],
        sender: Sender = send,
        spike_every: timedelta = timedelta(minutes=5),
    ) -> None:
        self.store = store
        self.clock = clock
        self.sender = sender
        self.spike_every = spike_every
        self._since = clock() - timedelta(hours=1)  # items ingested before this process started: a sweep
        self._spikes_at: datetime | None = None
        self._since_start = self._since  # the first spike check also looks at hours back-filled just before

    def tick(self) -> None:
        now = self.clock()
        policy = load_policy(self.store)
        raised = raise_item_alerts(self.store, now=now, since=self._since, policy=policy)
        self._since = now
        if policy.spikes and (self._spikes_at is None or now - self._spikes_at >= self.spike_every):
            late = late_hours(self.store, now=now, since=self._spikes_at or self._since_start)
            self._spikes_at = now
            raised += len(raise_spike_alerts(self.store, now=now, hours=late))
        if raised:
            log.info("raised %d alerts", raised)
        escalated = escalate_overdue(self.store, now=now, policy=policy)
        if escalated:
            log.warning("escalated %d unacknowledged alerts", escalated)
        enqueue_deliveries(self.store, load_channels(self.store), now=now)
        counts = deliver_due(self.store, now=now, sender=self.sender)
        if counts["retrying"] or counts["failed"]:
            log.warning("alert deliveries: %s", counts)
