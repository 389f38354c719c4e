"""`python -m voc check`: team mode refuses to start without sign-in, an admin, or a migrated database."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from voc.access import users
from voc.access.deployment import Finding, Process, Severity, check_deployment, read_secrets
from voc.access.roles import Actor, Role
from voc.settings import Settings
from voc.store.engine import create_engine_for
from voc.store.facade import Store
from voc.store.migrate import head_revision

ROOT = Path(__file__).resolve().parents[2]
AUTH = {
    "redirect_uri": "https://voc.example.com/oauth2callback",
    "cookie_secret": "k" * 48,
    "client_id": "voc",
    "client_secret": "test-client-secret",
    "server_metadata_url": "https://login.example.com/.well-known/openid-configuration",
}
SECRETS = {"auth": AUTH}
LOOPBACK_CONFIG = ROOT / ".streamlit" / "config.toml"


def errors(findings: list[Finding]) -> list[str]:
    return [finding.message for finding in findings if finding.severity is Severity.ERROR]


def warnings(findings: list[Finding]) -> list[str]:
    return [finding.message for finding in findings if finding.severity is Severity.WARNING]


def team(database_url: str, first_admin: str | None = "olga@northwind.example") -> Settings:
    return Settings(database_url=database_url, mode="team", first_admin=first_admin)


def test_a_complete_team_deployment_passes(store: Store, database_url: str) -> None:
    findings = check_deployment(team(database_url), SECRETS)
    assert errors(findings) == []
    on_sqlite = database_url.startswith("sqlite")
    assert any("team mode on SQLite" in w for w in warnings(findings)) is on_sqlite


def test_team_mode_without_auth_names_each_missing_key(store: Store, database_url: str) -> None:
    assert errors(check_deployment(team(database_url), {})) == [
        "team mode needs sign-in: no [auth] section in .streamlit/secrets.toml"
    ]
    partial = {"auth": {k: v for k, v in AUTH.items() if k not in ("client_secret", "cookie_secret")}}
    assert errors(check_deployment(team(database_url), partial)) == [
        "team mode needs sign-in: [auth] needs cookie_secret",
        "team mode needs sign-in: [auth] needs client_secret",
    ]


def test_team_mode_needs_a_first_admin_or_an_admin_mapping(store: Store, database_url: str) -> None:
    nobody = check_deployment(team(database_url, first_admin=None), SECRETS)
    assert len(errors(nobody)) == 1 and "VOC_FIRST_ADMIN" in errors(nobody)[0]
    users.set_role(store, "viewer@northwind.example", Role.VIEWER, actor=Actor.system("test"), now=datetime.now(UTC))
    assert errors(check_deployment(team(database_url, first_admin=None), SECRETS))  # a viewer is not an admin
    users.set_role(store, "ana@northwind.example", Role.ADMIN, actor=Actor.system("test"), now=datetime.now(UTC))
    assert errors(check_deployment(team(database_url, first_admin=None), SECRETS)) == []


def test_a_domain_is_not_a_first_admin(store: Store, database_url: str) -> None:
    found = errors(check_deployment(team(database_url, first_admin="northwind.example"), SECRETS))
    assert found == ["VOC_FIRST_ADMIN must be one person's e-mail address, not a whole domain"]


def test_an_unmigrated_database_is_refused_with_the_command_to_run(database_url: str) -> None:
    engine = create_engine_for(database_url)
    with engine.begin() as connection:  # make the database exist (SQLite: the file) with no schema
        connection.execute(sa.text("SELECT 1"))
    engine.dispose()
    found = errors(check_deployment(Settings(database_url=database_url), {}, config_file=LOOPBACK_CONFIG))
    assert len(found) == 1 and "has no schema yet: run python -m voc migrate" in found[0]


def test_a_database_behind_the_code_is_refused_until_migrated(store: Store, database_url: str) -> None:
    with store.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '0001'"))
    found = errors(check_deployment(Settings(database_url=database_url), {}, process=Process.LISTENER))
    assert len(found) == 1
    assert f"is at schema revision 0001, this code needs {head_revision()}" in found[0]
    assert "python -m voc migrate" in found[0]


def test_a_missing_sqlite_file_is_reported_and_not_created(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/nothing-here.db"
    found = errors(check_deployment(Settings(database_url=url), {}, config_file=LOOPBACK_CONFIG))
    assert found == [f"no database at {url}: run python -m voc migrate first"]
    assert not (tmp_path / "nothing-here.db").exists()


def test_an_unreachable_database_is_reported_without_its_password() -> None:
    url = "postgresql+psycopg://voc:s3cret-pass@127.0.0.1:1/voc"
    found = errors(check_deployment(Settings(database_url=url), {}, process=Process.LISTENER))
    assert len(found) == 1 and "is not reachable" in found[0]
    assert "s3cret-pass" not in found[0] and "voc:***@127.0.0.1:1" in found[0]


def test_a_listener_does_not_need_sign_in(store: Store, database_url: str) -> None:
    assert errors(check_deployment(team(database_url, first_admin=None), {}, process=Process.LISTENER)) == []


def test_local_mode_must_listen_on_loopback_only(sqlite_store: Store, tmp_path: Path) -> None:
    url = str(sqlite_store.engine.url)
    local = Settings(database_url=url)
    assert errors(check_deployment(local, {}, environ={}, config_file=LOOPBACK_CONFIG)) == []
    exposed = tmp_path / "config.toml"
    exposed.write_text('[server]\naddress = "0.0.0.0"\n')
    assert "listen on 0.0.0.0" in errors(check_deployment(local, {}, environ={}, config_file=exposed))[0]
    assert errors(
        check_deployment(local, {}, environ={"STREAMLIT_SERVER_ADDRESS": "0.0.0.0"}, config_file=LOOPBACK_CONFIG)
    )


def test_plain_http_redirects_and_short_cookie_secrets_are_warned_about(store: Store, database_url: str) -> None:
    weak = {"auth": {**AUTH, "redirect_uri": "http://voc.example.com/oauth2callback", "cookie_secret": "short"}}
    found = warnings(check_deployment(team(database_url), weak))
    assert any("plain http" in w for w in found) and any("cookie_secret is shorter" in w for w in found)


def test_a_secrets_file_others_can_read_is_warned_about(tmp_path: Path) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text('[auth]\nclient_id = "voc"\n')
    path.chmod(0o644)
    merged, findings = read_secrets([tmp_path / "absent.toml", path])
    assert merged == {"auth": {"client_id": "voc"}}
    assert [f.severity for f in findings] == [Severity.WARNING] and "chmod 600" in findings[0].message
    path.chmod(0o600)
    assert read_secrets([path])[1] == []


# ---- the command, as the service files run it ---------------------------------------------------


def run_check(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("VOC_", "STREAMLIT_"))}
    return subprocess.run(
        [sys.executable, "-m", "voc", "check", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**environ, "HOME": env.pop("HOME"), **env},
    )


def secrets_file(folder: Path, auth: dict[str, str]) -> Path:
    path = folder / "secrets.toml"
    path.write_text("[auth]\n" + "".join(f'{key} = "{value}"\n' for key, value in auth.items()))
    path.chmod(0o600)
    return path


def test_the_command_refuses_team_mode_without_sign_in_one_problem_per_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/voc.db"
    Store.from_url(url).engine.dispose()
    partial = secrets_file(tmp_path, {k: v for k, v in AUTH.items() if k != "client_id"})
    env = {"HOME": str(tmp_path), "VOC_MODE": "team", "VOC_DATABASE_URL": url}
    result = run_check("--secrets", str(partial), env=env)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert "error: team mode needs sign-in: [auth] needs client_id" in lines
    assert any(line.startswith("error: team mode needs an admin") for line in lines)
    assert any(line.startswith("warning: team mode on SQLite") for line in lines)
    assert lines[-1] == "deployment check failed: 2 problem(s) to fix before starting"
    assert "test-client-secret" not in result.stderr + result.stdout


def test_the_command_passes_a_complete_team_deployment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/voc.db"
    Store.from_url(url).engine.dispose()
    env = {
        "HOME": str(tmp_path),
        "VOC_MODE": "team",
        "VOC_DATABASE_URL": url,
        "VOC_FIRST_ADMIN": "olga@northwind.example",
    }
    result = run_check("--secrets", str(secrets_file(tmp_path, AUTH)), env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "deployment check passed (team mode, app, 1 warning(s))"


def test_the_command_for_a_listener_checks_the_database_only(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "VOC_MODE": "team", "VOC_DATABASE_URL": f"sqlite:///{tmp_path}/missing.db"}
    result = run_check("--for", "listener", env=env)
    assert result.returncode == 1
    assert "sign-in" not in result.stderr and "run python -m voc migrate first" in result.stderr


def test_a_misspelt_mode_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    result = run_check(env={"HOME": str(tmp_path), "VOC_MODE": "teams"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "VOC_MODE='teams'" in result.stderr


@pytest.mark.parametrize("mode", ["local", "team"])
def test_the_command_never_prints_a_secret(tmp_path: Path, mode: str) -> None:
    url = f"sqlite:///{tmp_path}/voc.db"
    Store.from_url(url).engine.dispose()
    env = {"HOME": str(tmp_path), "VOC_MODE": mode, "VOC_DATABASE_URL": url}
    result = run_check("--secrets", str(secrets_file(tmp_path, {**AUTH, "redirect_uri": "x"})), env=env)
    assert AUTH["client_secret"] not in result.stdout + result.stderr
    assert AUTH["cookie_secret"] not in result.stdout + result.stderr


def test_placeholders_left_from_the_example_are_refused(store: Store, database_url: str) -> None:
    example = {"auth": {**AUTH, "client_secret": "<client secret>", "cookie_secret": "<a long random string>"}}
    assert errors(check_deployment(team(database_url), example)) == [
        "[auth] cookie_secret still holds a <...> placeholder from the example: replace it",
        "[auth] client_secret still holds a <...> placeholder from the example: replace it",
    ]
