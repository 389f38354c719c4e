"""The example files in deploy/ parse, and every command and file they name exists in this repository.

A systems person copies these files; a typo found here is one not found at 2 a.m. Paths under the
documented install folder /opt/voc map to the repository, its virtualenv's python to this one.
"""

from __future__ import annotations

import configparser
import json
import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

import pytest
import streamlit.config

from voc.access import users
from voc.access.deployment import check_sign_in
from voc.settings import CREDENTIALS, Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
INSTALL_DIR = "/opt/voc"
VENV_PYTHON = f"{INSTALL_DIR}/.venv/bin/python"
UNITS = sorted((DEPLOY / "systemd").glob("*.service")) + sorted((DEPLOY / "systemd").glob("*.timer"))
EXEC_KEYS = ("ExecStartPre", "ExecStart", "ExecStartPost", "ExecStop")
PROVIDERS = ("Google", "Microsoft Entra ID", "Okta", "Keycloak")


# ---- systemd --------------------------------------------------------------------------------


def read_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file as sections of keys with every value (systemd allows repeated keys)."""
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",), comment_prefixes=("#", ";"))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read(path)  # raises on anything that is not INI-shaped
    unit: dict[str, dict[str, list[str]]] = {}
    section = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            assert line.endswith("]"), f"{path.name}: bad section line {line!r}"
            section = line[1:-1]
            unit.setdefault(section, {})
            continue
        assert section, f"{path.name}: {line!r} before any section"
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: {line!r} is not Key=Value"
        unit[section].setdefault(key.strip(), []).append(value.strip())
    assert set(unit) == set(parser.sections())
    return unit


def local_path(path: str) -> Path:
    """Where a path under the install folder is in this repository."""
    assert path.startswith(INSTALL_DIR + "/"), path
    return ROOT / path.removeprefix(INSTALL_DIR + "/")


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_each_unit_parses_with_the_sections_and_keys_systemd_needs(path: Path) -> None:
    unit = read_unit(path)
    assert unit["Unit"]["Description"]
    if path.suffix == ".timer":
        assert unit["Timer"]["OnCalendar"] and unit["Install"]["WantedBy"] == ["timers.target"]
        assert (path.parent / unit["Timer"]["Unit"][0]).is_file()
        return
    service = unit["Service"]
    assert service["ExecStart"], path.name
    assert service["User"] == ["voc"] and service["Group"] == ["voc"]  # never root
    assert service["WorkingDirectory"] == [INSTALL_DIR]
    assert service["EnvironmentFile"] == ["/etc/voc/voc.env"]
    if service.get("Type") != ["oneshot"]:
        assert unit["Install"]["WantedBy"] == ["multi-user.target"] and service["Restart"] == ["on-failure"]


def exec_lines() -> list[tuple[str, str, str]]:
    return [
        (path.name, key, line)
        for path in UNITS
        if path.suffix == ".service"
        for key, values in read_unit(path)["Service"].items()
        if key in EXEC_KEYS
        for line in values
    ]


@dataclass
class Command:
    argv: list[str]
    kind: str = ""
    args: list[str] = field(default_factory=list)


def classify(line: str) -> Command:
    argv = shlex.split(line.lstrip("-@:+!"))  # systemd's prefixes (ignore failure etc.)
    if argv[0] == VENV_PYTHON and argv[1:2] == ["-m"]:
        return Command(argv, kind=argv[2], args=argv[3:])
    return Command(argv, kind="script")


# Runs each module's command line up to argparse and stops there, in one interpreter: exit code 0
# means its parser accepts these exact arguments (subcommand, options, choices); nothing is executed.
PARSE_ONLY = """
import argparse, json, runpy, sys

def parse_only(self, args=None, namespace=None):
    _, unknown = self.parse_known_args(args, namespace)
    if unknown:
        self.error("unrecognized arguments: " + " ".join(unknown))
    raise SystemExit(0)

argparse.ArgumentParser.parse_args = parse_only
codes = []
for module, *args in json.loads(sys.argv[1]):
    sys.argv = [module, *args]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        codes.append(None)  # the module finished without parsing anything
    except SystemExit as stop:
        codes.append(stop.code or 0)
print(json.dumps(codes))
"""


def parse_codes(commands: list[list[str]]) -> dict[str, int | str | None]:
    """For each `[module, *args]`, the exit code of its argument parser (0 accepted, 2 refused)."""
    result = subprocess.run(
        [sys.executable, "-c", PARSE_ONLY, json.dumps(commands)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    codes = json.loads(result.stdout.splitlines()[-1])
    return {" ".join(command): code for command, code in zip(commands, codes, strict=True)}


def test_the_parse_only_runner_refuses_what_argparse_refuses() -> None:
    assert parse_codes([["voc", "check", "--for", "listener"], ["voc", "chek"], ["voc", "check", "--for", "all"]]) == {
        "voc check --for listener": 0,
        "voc chek": 2,
        "voc check --for all": 2,
    }
    assert parse_codes([["listeners", "--forever"]]) == {"listeners --forever": 2}


def test_the_services_run_only_commands_this_repository_has() -> None:
    seen = set()
    cli: list[list[str]] = []
    for unit, _key, line in exec_lines():
        command = classify(line)
        seen.add(command.kind)
        if command.kind in ("voc", "listeners"):
            cli.append([command.kind, *command.args])
        elif command.kind in ("streamlit", "ui.serve"):  # `ui.serve` is `streamlit run app.py` (ui/serve.py)
            if command.kind == "streamlit":
                assert command.args[:2] == ["run", "app.py"], line
            assert (ROOT / "app.py").is_file()
            options = streamlit.config.get_config_options()
            for option in command.args[2 if command.kind == "streamlit" else 0 :]:
                name, _, value = option.removeprefix("--").partition("=")
                assert name in options and value, f"{unit}: {option} is not a Streamlit option"
        else:
            script = local_path(command.argv[0])
            assert script.is_file() and script.stat().st_mode & 0o111, f"{unit}: {script} missing or not executable"
    assert {"voc", "listeners", "script"} <= seen and seen & {"streamlit", "ui.serve"}
    refused = {command: code for command, code in parse_codes(cli).items() if code != 0}
    assert not refused, f"the units name commands the code does not accept: {refused}"


def test_each_service_checks_the_deployment_before_it_starts() -> None:
    app = read_unit(DEPLOY / "systemd" / "voc-app.service")["Service"]
    listener = read_unit(DEPLOY / "systemd" / "voc-listener@.service")["Service"]
    assert app["ExecStartPre"] == [f"{VENV_PYTHON} -m voc check --for app"]
    assert listener["ExecStartPre"] == [f"{VENV_PYTHON} -m voc check --for listener"]
    assert "--server.address=127.0.0.1" in shlex.split(app["ExecStart"][0])  # only the proxy reaches it
    assert classify(listener["ExecStart"][0]).kind == "listeners"
    assert listener["KillSignal"] == ["SIGTERM"]  # the runner releases its leases on SIGTERM


# ---- reverse proxies --------------------------------------------------------------------------


@dataclass
class Block:
    """One nginx directive: its words, and its children when it opens a block."""

    words: list[str]
    children: list[Block] = field(default_factory=list)

    def find(self, *words: str) -> list[Block]:
        """Every directive below this one whose words start with `words`."""
        found = []
        for child in self.children:
            if child.words[: len(words)] == list(words):
                found.append(child)
            found += child.find(*words)
        return found


def parse_nginx(text: str) -> Block:
    """nginx's grammar, enough to check the file: words, `;` ends a directive, `{ }` nest."""
    text = re.sub(r"#[^\n]*", "", text)
    tokens = re.findall(r"\"[^\"]*\"|'[^']*'|[{};]|[^\s{};]+", text)
    root = Block(["<root>"])
    stack, words = [root], []
    for token in tokens:
        if token == ";":
            assert words, "an empty directive"
            stack[-1].children.append(Block(words))
            words = []
        elif token == "{":
            block = Block(words)
            stack[-1].children.append(block)
            stack.append(block)
            words = []
        elif token == "}":
            assert not words and len(stack) > 1, "unbalanced braces or a directive without ;"
            stack.pop()
        else:
            words.append(token)
    assert len(stack) == 1 and not words, "unbalanced braces or a directive without ;"
    return root


def test_nginx_proxies_https_and_upgrades_streamlits_websocket() -> None:
    conf = parse_nginx((DEPLOY / "nginx" / "voc.conf").read_text())
    assert conf.find("map", "$http_upgrade", "$connection_upgrade")
    assert conf.find("upstream", "voc_app")[0].find("server") == [Block(["server", "127.0.0.1:8501"])]
    tls = next(s for s in conf.find("server") if s.find("listen", "443", "ssl"))
    assert tls.find("server_name") and tls.find("ssl_certificate") and tls.find("ssl_certificate_key")
    assert next(s for s in conf.find("server") if s.find("listen", "80")).find("return", "301")
    stream = tls.find("location", "/_stcore/stream")
    assert len(stream) == 1
    for location in (stream[0], tls.find("location", "/")[0]):
        assert location.find("proxy_pass", "http://voc_app")
        assert location.find("proxy_http_version", "1.1")
        assert location.find("proxy_set_header", "Host", "$host")  # Streamlit's same-origin WebSocket check
        assert location.find("proxy_set_header", "X-Forwarded-For", "$proxy_add_x_forwarded_for")
        assert location.find("proxy_set_header", "X-Forwarded-Proto", "$scheme")
    assert stream[0].find("proxy_set_header", "Upgrade", "$http_upgrade")
    assert stream[0].find("proxy_set_header", "Connection", "$connection_upgrade")
    assert stream[0].find("proxy_read_timeout")


def test_the_parser_catches_unbalanced_braces() -> None:
    with pytest.raises(AssertionError):
        parse_nginx("server { location / { proxy_pass http://x; }")
    with pytest.raises(AssertionError):
        parse_nginx("server { listen 80 }")


def test_caddy_proxies_to_the_loopback_app() -> None:
    text = re.sub(r"#[^\n]*", "", (DEPLOY / "Caddyfile").read_text())
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    assert re.search(r"^voc\.example\.com \{", text, re.MULTILINE)
    assert re.search(r"^\s*reverse_proxy 127\.0\.0\.1:8501\b", text, re.MULTILINE)


# ---- environment and secrets --------------------------------------------------------------------


def env_example() -> dict[str, str]:
    """Every KEY=value in deploy/voc.env.example, including the commented-out suggestions."""
    pairs = {}
    for line in (DEPLOY / "voc.env.example").read_text().splitlines():
        found = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line)
        if found:
            value = found.group(2).strip()
            if len(value) > 1 and value[0] == value[-1] == '"':  # systemd and the shell both unquote
                value = value[1:-1]
            pairs[found.group(1)] = value or "example-value"
    return pairs


def test_every_variable_in_the_env_example_is_one_the_code_reads(tmp_path: Path) -> None:
    no_secrets = tmp_path / "none.toml"
    default = Settings.load(environ={}, secrets_path=no_secrets)
    names = {f.name for f in fields(Settings)}
    streamlit_env = {option.env_var for option in streamlit.config.get_config_options().values()}
    credentials = {name.upper() for name in CREDENTIALS} | {"X_BEARER_TOKEN"}
    pairs = env_example()
    assert {"VOC_MODE", "VOC_FIRST_ADMIN", "VOC_DATABASE_URL"} <= pairs.keys()
    for key, value in pairs.items():
        if key.startswith("STREAMLIT_"):
            assert key in streamlit_env, f"{key} is not a Streamlit option"
            continue
        if key.startswith("VOC_"):
            name = key.removeprefix("VOC_").lower()
            assert name in names, f"{key} is not a Settings field"
        else:
            assert key in credentials, f"{key} is neither a VOC_ setting nor a known credential"
            name = key.lower()
        loaded = Settings.load(environ={key: value}, secrets_path=no_secrets)
        assert getattr(loaded, name) != getattr(default, name), f"{key}={value} changed nothing"
    assert Settings.load(environ=pairs, secrets_path=no_secrets).mode == "team"


def test_the_secrets_example_parses_and_passes_once_placeholders_are_filled() -> None:
    text = (DEPLOY / "secrets.toml.example").read_text()
    assert sorted(tomllib.loads(text)["auth"]) == sorted(users.AUTH_SHARED_KEYS + users.AUTH_PROVIDER_KEYS)
    team = Settings(database_url="sqlite://", mode="team", first_admin="olga@northwind.example")
    unfilled = check_sign_in(team, tomllib.loads(text))
    assert [str(f) for f in unfilled] == [
        f"error: [auth] {key} still holds a <...> placeholder from the example: replace it"
        for key in ("cookie_secret", "client_id", "client_secret")
    ]
    filled = tomllib.loads(re.sub(r"<[^<>]+>", lambda m: "x" * 48 + str(m.start()), text))
    assert users.sign_in_problems(filled["auth"]) == []
    assert check_sign_in(team, filled) == []  # https redirect, long cookie secret: not even a warning


# ---- the guide --------------------------------------------------------------------------------


def test_the_guide_covers_each_provider_and_each_deploy_file() -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text()
    for provider in PROVIDERS:
        assert provider in guide, provider
    for path in sorted(p for p in DEPLOY.rglob("*") if p.is_file()):
        assert str(path.relative_to(ROOT)) in guide, f"docs/deploy.md does not mention {path.relative_to(ROOT)}"


def test_every_voc_command_the_guide_names_exists() -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text()
    subcommands = set(re.findall(r"python -m voc ([a-z][a-z-]*)", guide))
    assert {"check", "migrate"} <= subcommands
    codes = parse_codes([["voc", subcommand] for subcommand in sorted(subcommands)])
    assert all(code == 0 for code in codes.values()), codes
