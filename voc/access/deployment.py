"""Is this deployment fit to start? The checks behind `python -m voc check` (docs/deploy.md).

Team mode must not start without sign-in: a complete `[auth]` section for st.login, and someone who
will be an admin (`VOC_FIRST_ADMIN`, or an admin mapping already in the database), or nobody could
ever let colleagues in. Either mode needs a database that answers and is at the schema revision
this code expects, so an upgrade that forgot `python -m voc migrate` stops at the door instead of
half-working. Findings name what to change, never a secret's value. Domain: no Streamlit.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from voc.access import users
from voc.access.roles import Role
from voc.settings import PROJECT_ROOT, Settings
from voc.store.engine import create_engine_for
from voc.store.migrate import current_revision, head_revision
from voc.store.schema import role_assignments

MIN_COOKIE_SECRET_CHARS: Final = 32
LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "::1", "localhost"})
PLACEHOLDER: Final = re.compile(r"<[^<>]+>")  # how deploy/secrets.toml.example marks what to fill in


class Severity(StrEnum):
    ERROR = "error"  # the service must not start
    WARNING = "warning"  # it may start, but someone should look


class Process(StrEnum):
    """Which process is about to start: the app needs sign-in, a listener only the database."""

    APP = "app"
    LISTENER = "listener"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.severity.value}: {self.message}"


def default_secrets_files() -> list[Path]:
    """Where `streamlit run app.py` looks for secrets when started in the project folder (later wins)."""
    return [Path.home() / ".streamlit" / "secrets.toml", PROJECT_ROOT / ".streamlit" / "secrets.toml"]


def read_secrets(files: Sequence[Path]) -> tuple[dict[str, Any], list[Finding]]:
    """Merge the secrets files the way Streamlit does (top-level keys, later files win)."""
    merged: dict[str, Any] = {}
    findings: list[Finding] = []
    for path in files:
        if not path.is_file():
            continue
        try:
            with path.open("rb") as handle:
                merged.update(tomllib.load(handle))
        except (OSError, tomllib.TOMLDecodeError) as error:
            findings.append(Finding(Severity.ERROR, f"{path} cannot be read as TOML: {error}"))
            continue
        if path.stat().st_mode & 0o077:
            findings.append(
                Finding(
                    Severity.WARNING, f"{path} is readable by other users: chmod 600 it (it holds the client secret)"
                )
            )
    return merged, findings


def check_sign_in(settings: Settings, secrets: Mapping[str, Any]) -> list[Finding]:
    """Team mode: st.login's `[auth]` is complete, and its redirect and cookie secret look deployable."""
    if settings.mode != "team":
        return []
    auth = secrets.get("auth")
    auth = auth if isinstance(auth, Mapping) else None
    findings = [
        Finding(Severity.ERROR, f"team mode needs sign-in: {problem}") for problem in users.sign_in_problems(auth)
    ]
    if auth is None:
        return findings
    findings += [
        Finding(Severity.ERROR, f"[auth] {key} still holds a <...> placeholder from the example: replace it")
        for key in _placeholders(auth)
    ]
    redirect = urlsplit(str(auth.get("redirect_uri") or ""))
    if redirect.scheme == "http" and redirect.hostname not in LOOPBACK_HOSTS:
        findings.append(
            Finding(Severity.WARNING, "[auth] redirect_uri is plain http: use the https address of the reverse proxy")
        )
    secret = str(auth.get("cookie_secret") or "")
    if secret and len(secret) < MIN_COOKIE_SECRET_CHARS and not PLACEHOLDER.search(secret):
        findings.append(
            Finding(
                Severity.WARNING,
                f"[auth] cookie_secret is shorter than {MIN_COOKIE_SECRET_CHARS} characters: "
                'generate one with python -c "import secrets; print(secrets.token_urlsafe(48))"',
            )
        )
    return findings


def _placeholders(section: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Keys whose value still holds a `<...>` from deploy/secrets.toml.example."""
    found: list[str] = []
    for key, value in section.items():
        if isinstance(value, Mapping):
            found += _placeholders(value, f"{prefix}{key}.")
        elif isinstance(value, str) and PLACEHOLDER.search(value):
            found.append(prefix + key)
    return found


def check_first_admin(settings: Settings) -> list[Finding]:
    """The first admin, when given, must be one e-mail address (not a domain)."""
    if settings.mode != "team" or not settings.first_admin:
        return []
    try:
        principal = users.normalise_principal(settings.first_admin)
    except ValueError as error:
        return [Finding(Severity.ERROR, f"VOC_FIRST_ADMIN: {error}")]
    if principal.startswith("@"):
        return [Finding(Severity.ERROR, "VOC_FIRST_ADMIN must be one person's e-mail address, not a whole domain")]
    return []


def check_local_binding(
    settings: Settings, environ: Mapping[str, str], config_file: Path | None = None
) -> list[Finding]:
    """Local mode has no sign-in, so the app must listen on loopback only (`.streamlit/config.toml`)."""
    if settings.mode != "local":
        return []
    address = environ.get("STREAMLIT_SERVER_ADDRESS")
    path = config_file or PROJECT_ROOT / ".streamlit" / "config.toml"
    if address is None and path.is_file():
        try:
            with path.open("rb") as handle:
                address = tomllib.load(handle).get("server", {}).get("address")
        except (OSError, tomllib.TOMLDecodeError) as error:
            return [Finding(Severity.ERROR, f"{path} cannot be read as TOML: {error}")]
    if address is None or str(address) not in LOOPBACK_HOSTS:
        return [
            Finding(
                Severity.ERROR,
                f"local mode has no sign-in but the app would listen on {address or 'every interface'}: "
                'set [server] address = "127.0.0.1" in .streamlit/config.toml, or VOC_MODE=team for a shared server',
            )
        ]
    return []


def _display_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def check_database(settings: Settings, *, need_admin: bool = True) -> list[Finding]:
    """The database answers, is at this code's schema revision, and (team mode app) has someone to be admin."""
    url = make_url(settings.database_url)
    shown = _display_url(settings.database_url)
    findings: list[Finding] = []
    sqlite = url.get_backend_name() == "sqlite"
    if sqlite and settings.mode == "team":
        findings.append(
            Finding(
                Severity.WARNING,
                "team mode on SQLite: fine for one machine and a small team; use PostgreSQL (VOC_DATABASE_URL) "
                "when listeners run on several machines or for backups while running",
            )
        )
    if sqlite and url.database not in (None, "", ":memory:") and not Path(url.database).is_file():
        findings.append(Finding(Severity.ERROR, f"no database at {shown}: run python -m voc migrate first"))
        return findings
    engine = create_engine_for(settings.database_url)
    try:
        try:
            found = current_revision(engine)
        except sa.exc.SQLAlchemyError as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            findings.append(Finding(Severity.ERROR, f"database {shown} is not reachable: {reason}"))
            return findings
        expected = head_revision()
        if found is None:
            findings.append(Finding(Severity.ERROR, f"database {shown} has no schema yet: run python -m voc migrate"))
            return findings
        if found != expected:
            findings.append(
                Finding(
                    Severity.ERROR,
                    f"database {shown} is at schema revision {found}, this code needs {expected}: "
                    "stop the listeners and run python -m voc migrate (docs/deploy.md, Upgrades)",
                )
            )
            return findings
        if need_admin and settings.mode == "team" and not settings.first_admin:
            with engine.connect() as connection:
                admins = connection.execute(
                    sa.select(sa.func.count())
                    .select_from(role_assignments)
                    .where(role_assignments.c.role == Role.ADMIN.value)
                ).scalar_one()
            if not admins:
                findings.append(
                    Finding(
                        Severity.ERROR,
                        "team mode needs an admin: set VOC_FIRST_ADMIN to the e-mail of the person who will add "
                        "everyone else (no admin mapping exists in the database yet)",
                    )
                )
    finally:
        engine.dispose()
    return findings


def check_deployment(
    settings: Settings,
    secrets: Mapping[str, Any],
    *,
    process: Process = Process.APP,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> list[Finding]:
    """Every finding for the process about to start, errors first."""
    findings: list[Finding] = []
    if process is Process.APP:
        findings += check_sign_in(settings, secrets)
        findings += check_first_admin(settings)
        findings += check_local_binding(settings, os.environ if environ is None else environ, config_file)
    findings += check_database(settings, need_admin=process is Process.APP)
    return sorted(findings, key=lambda finding: finding.severity is not Severity.ERROR)
