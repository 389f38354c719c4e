"""Named people for tests: write paths take an `Actor`, and the history keeps the name."""

from __future__ import annotations

from voc.access.roles import Actor, Role


def admin(name: str) -> Actor:
    """Someone allowed everything a person may do (the role most tests need to write)."""
    return Actor(name, Role.ADMIN)


def agent(name: str) -> Actor:
    return Actor(name, Role.AGENT)


def viewer(name: str) -> Actor:
    return Actor(name, Role.VIEWER)
