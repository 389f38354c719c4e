"""The team's valued customers (the VIP list) and their tiers.

Handles are kept as typed (case-insensitive, without @); e-mails and customer ids only as their
salted `respondent_key` hash, so the list never holds an address. Domain: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from voc.access.roles import Permission
from voc.sources.ingest import respondent_key
from voc.store.settings import register_setting

VIP_SETTINGS_KEY: Final = register_setting(
    "vip_list", dict, Permission.CONFIGURE_CARE, "VIP handles and hashed customer keys, with their tier"
)


@dataclass(frozen=True)
class VipList:
    """Valued customers: handles as typed (case-insensitive, without @), others by hashed key."""

    handles: Mapping[str, str] = field(default_factory=dict)  # handle -> tier
    keys: Mapping[str, str] = field(default_factory=dict)  # respondent_key -> tier

    def with_entry(self, who: str, tier: str = "vip") -> VipList:
        """Add a handle ("@name") or an e-mail / customer id (stored only as its hash)."""
        who = who.strip()
        if not who:
            return self
        if who.startswith("@"):
            return VipList({**self.handles, who[1:].lower(): tier}, self.keys)
        key = respondent_key(who)
        assert key is not None
        return VipList(self.handles, {**self.keys, key: tier})

    def tier_of(self, author: str | None, key: str | None) -> str | None:
        if author and author.lstrip("@").lower() in self.handles:
            return self.handles[author.lstrip("@").lower()]
        if key and key in self.keys:
            return self.keys[key]
        return None

    def to_json(self) -> dict[str, Any]:
        return {"handles": dict(self.handles), "keys": dict(self.keys)}

    @classmethod
    def from_json(cls, value: Mapping[str, Any] | None) -> VipList:
        value = value or {}
        return cls(dict(value.get("handles") or {}), dict(value.get("keys") or {}))
