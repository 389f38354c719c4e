"""Alerts that reach a person: rules, channels, delivery with retries, escalation. Domain: no Streamlit."""

from voc.alerts.channels import AlertMessage, Channel, ChannelKind, DeliveryError
from voc.alerts.service import AlertPolicy, acknowledge, deliver_due, escalate_overdue, history, raise_alert

__all__ = [
    "AlertMessage", "AlertPolicy", "Channel", "ChannelKind", "DeliveryError",
    "acknowledge", "deliver_due", "escalate_overdue", "history", "raise_alert",
]  # fmt: skip
