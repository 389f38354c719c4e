"""Settings come from the environment first, then secrets.toml; bad values say what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from voc.settings import Settings


def test_the_default_database_is_a_sqlite_file_under_the_data_folder(tmp_path: Path) -> None:
    settings = Settings.load(environ={"VOC_DATA_DIR": str(tmp_path)}, secrets_path=tmp_path / "none.toml")
    assert settings.database_url == f"sqlite:///{tmp_path / 'voc.db'}"


def test_the_environment_wins_over_secrets(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('database_url = "sqlite:///from-secrets.db"\nbrand = "Acme"\n')
    settings = Settings.load(environ={"VOC_DATABASE_URL": "sqlite:///from-env.db"}, secrets_path=secrets)
    assert settings.database_url == "sqlite:///from-env.db"
    assert settings.brand == "Acme"


def test_a_malformed_number_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="VOC_REPLAY_POLL_SECONDS='fast'"):
        Settings.load(environ={"VOC_REPLAY_POLL_SECONDS": "fast"}, secrets_path=tmp_path / "none.toml")


def test_the_bearer_token_never_appears_in_the_settings_repr(tmp_path: Path) -> None:
    settings = Settings.load(environ={"X_BEARER_TOKEN": "AAAA-secret-token"}, secrets_path=tmp_path / "none.toml")
    assert settings.x_bearer_token == "AAAA-secret-token"
    assert "AAAA-secret-token" not in repr(settings)


def test_recovery_rules_read_secrets_toml_like_every_other_setting(tmp_path: Path) -> None:
    from voc.settings import configuration
    from voc.surveys.recovery import RecoveryRules

    secrets = tmp_path / "secrets.toml"
    secrets.write_text('recovery_csat_at_most = "off"\nrecovery_target_hours = 4\n')
    rules = RecoveryRules.from_env(configuration({"VOC_RECOVERY_TARGET_HOURS": "1"}, secrets_path=secrets))
    assert rules.csat_at_most is None  # from secrets.toml (ignored before: environment only)
    assert rules.target.total_seconds() == 3600  # the environment still wins
