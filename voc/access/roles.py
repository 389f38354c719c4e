"""Who may do what: roles, the acting person, and the one check every write path makes.

The app has three roles, each including the one before: a *viewer* reads dashboards and exports,
an *agent* also triages, corrects sentiment and writes notes, an *admin* also configures sources,
alert channels, the taxonomy, users and retention. Background processes (listeners, the command
line) act as a *system* actor with every permission, named so the audit log says which process.

Every write in `voc/` takes an `Actor` and calls `require(actor, Permission.X)` before touching
the database, so a page reached by URL or a crafted request cannot write beyond its role: the
check lives in the domain, not in the UI. Domain: no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Final


class Role(StrEnum):
    VIEWER = "viewer"
    AGENT = "agent"
    ADMIN = "admin"


def role_name(stored: str | None) -> str:
    """A role as a table or list names it: "Admin", "Agent", "Viewer", "System process" (the store
    and the audit log keep "admin" ... "system process"; sentences say "an agent")."""
    return str(stored or "").capitalize()


class _Rank(IntEnum):
    VIEWER = 1
    AGENT = 2
    ADMIN = 3
    SYSTEM = 4


_RANK: Final = {Role.VIEWER: _Rank.VIEWER, Role.AGENT: _Rank.AGENT, Role.ADMIN: _Rank.ADMIN}


class Permission(StrEnum):
    """What an actor wants to do; `REQUIRED_ROLE` says the least role that may."""

    VIEW = "view"  # dashboards, inbox (read), themes, surveys
    EXPORT = "export"  # download and schedule-free exports
    TRIAGE = "triage"  # status, assignee, tags, responded, duplicates
    NOTE = "note"  # internal notes
    CORRECT_SENTIMENT = "correct_sentiment"  # corrections and imported labels
    ACKNOWLEDGE_ALERT = "acknowledge_alert"
    IMPORT_SURVEYS = "import_surveys"
    RETRAIN = "retrain"  # retrain the sentiment model, queue re-scoring
    CONFIGURE_SOURCES = "configure_sources"
    CONFIGURE_ALERTS = "configure_alerts"  # channels, rules, escalation contacts
    CONFIGURE_CARE = "configure_care"  # SLA policies, business hours, VIP list
    EDIT_TAXONOMY = "edit_taxonomy"
    SCHEDULE_EXPORTS = "schedule_exports"
    MANAGE_USERS = "manage_users"  # the role mapping
    MANAGE_PRIVACY = "manage_privacy"  # retention, erasure, handle visibility
    READ_AUDIT = "read_audit"


REQUIRED_ROLE: Final[dict[Permission, Role]] = {
    Permission.VIEW: Role.VIEWER,
    Permission.EXPORT: Role.VIEWER,
    Permission.TRIAGE: Role.AGENT,
    Permission.NOTE: Role.AGENT,
    Permission.CORRECT_SENTIMENT: Role.AGENT,
    Permission.ACKNOWLEDGE_ALERT: Role.AGENT,
    Permission.IMPORT_SURVEYS: Role.AGENT,
    Permission.RETRAIN: Role.ADMIN,
    Permission.CONFIGURE_SOURCES: Role.ADMIN,
    Permission.CONFIGURE_ALERTS: Role.ADMIN,
    Permission.CONFIGURE_CARE: Role.ADMIN,
    Permission.EDIT_TAXONOMY: Role.ADMIN,
    Permission.SCHEDULE_EXPORTS: Role.ADMIN,
    Permission.MANAGE_USERS: Role.ADMIN,
    Permission.MANAGE_PRIVACY: Role.ADMIN,
    Permission.READ_AUDIT: Role.ADMIN,
}


def with_article(word: str) -> str:
    """ "an admin", "an agent", "a viewer": a role in a sentence."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


class AccessDenied(PermissionError):
    """An actor tried something beyond its role; the message says what and which role it needs."""

    def __init__(self, actor: Actor, permission: Permission) -> None:
        self.actor = actor
        self.permission = permission
        needed = REQUIRED_ROLE[permission]
        super().__init__(
            f"{actor.name} is {with_article(actor.role_label)}; “{permission.value}” needs the {needed.value} role"
        )


@dataclass(frozen=True)
class Actor:
    """The person (or process) behind a write: `name` goes into the audit log."""

    name: str
    role: Role | None  # None: a system process (every permission)

    @classmethod
    def system(cls, process: str) -> Actor:
        """A background process or the command line, e.g. `Actor.system("listener")`."""
        return cls(name=f"system:{process}", role=None)

    @property
    def is_system(self) -> bool:
        return self.role is None

    @property
    def role_label(self) -> str:
        return "system process" if self.role is None else self.role.value

    def can(self, permission: Permission) -> bool:
        rank = _Rank.SYSTEM if self.role is None else _RANK[self.role]
        return rank >= _RANK[REQUIRED_ROLE[permission]]


def can(actor: Actor, permission: Permission) -> bool:
    """True when `actor` may do `permission` (for the UI to hide what would be refused)."""
    return actor.can(permission)


def require(actor: Actor, permission: Permission) -> None:
    """Raise `AccessDenied` unless `actor` may do `permission`; every write path calls this first."""
    if not isinstance(actor, Actor):
        raise TypeError(f"a write needs an Actor, not {type(actor).__name__}")
    if not actor.can(permission):
        raise AccessDenied(actor, permission)


LOCAL_ACTOR: Final = Actor(name="local user", role=Role.ADMIN)  # local mode: the one user is an admin
COMMAND_LINE: Final = Actor.system("command-line")  # `python -m voc ...`: whoever may run it owns the database
