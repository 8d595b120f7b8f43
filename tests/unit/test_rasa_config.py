"""Endpoints and credentials written from the environment."""

from pathlib import Path

import yaml

from bot.settings import StackSettings
from bot.stack import rasa_config

FAST_STORE = "bot.stack.fast_tracker.FastSQLTrackerStore"


def _settings(tmp_path: Path, **overrides) -> StackSettings:
    values = dict(
        var_dir=tmp_path,
        models_dir=tmp_path / "models",
        rasa_port=5005,
        actions_port=5055,
        dossier_port=8081,
        web_port=8080,
        host="127.0.0.1",
        rasa_token="t",
        database_url="",
        redis_url="",
        dossier_api_url="",
        dossier_db_url="",
        telegram_token="",
        zalo_app_id="",
    )
    values.update(overrides)
    return StackSettings(**values)


def test_defaults_are_sqlite_and_no_lock_store(tmp_path):
    config = rasa_config.endpoints(_settings(tmp_path))
    assert config["tracker_store"] == {
        "type": rasa_config.TRACKER_STORE_TYPE,
        "dialect": "sqlite",
        "db": str(tmp_path / "tracker.db"),
    }
    assert "lock_store" not in config
    assert config["action_endpoint"]["url"] == "http://127.0.0.1:5055/webhook"
    assert config["action_endpoint"]["enable_selective_domain"] is True


def test_postgresql_and_redis_from_urls(tmp_path):
    config = rasa_config.endpoints(
        _settings(
            tmp_path,
            database_url="postgresql://rasa:p%40ss@db.local:5433/assistant",
            redis_url="redis://:secret@cache.local:6380/2",
        )
    )
    assert config["tracker_store"] == {
        "type": rasa_config.TRACKER_STORE_TYPE,
        "dialect": "postgresql",
        "url": "db.local",
        "port": 5433,
        "db": "assistant",
        "username": "rasa",
        "password": "p@ss",
    }
    assert config["lock_store"] == {
        "type": "redis",
        "url": "cache.local",
        "port": 6380,
        "db": 2,
        "key_prefix": "trolydvc",
        "password": "secret",
    }


def test_wrong_scheme_is_refused(tmp_path):
    import pytest

    with pytest.raises(SystemExit):
        rasa_config.endpoints(_settings(tmp_path, database_url="mysql://x/y"))


def test_zalo_channel_only_when_configured(tmp_path):
    assert "bot.channels.zalo.ZaloInput" not in rasa_config.credentials(_settings(tmp_path))
    assert "bot.channels.zalo.ZaloInput" in rasa_config.credentials(_settings(tmp_path, zalo_app_id="123"))


def test_files_are_written_as_yaml(tmp_path):
    endpoints, credentials = rasa_config.write(_settings(tmp_path))
    assert yaml.safe_load(Path(endpoints).read_text())["tracker_store"]["dialect"] == "sqlite"
    assert yaml.safe_load(Path(credentials).read_text()) == {"rest": None}


def test_dotenv_fills_only_unset_variables(tmp_path, monkeypatch):
    from bot.settings import load_dotenv

    env_file = tmp_path / ".env"
    env_file.write_text(
        '# comment\nA_SET=from-file\nB_NEW="quoted value"\nexport C_NEW=x  # why\nD_EMPTY=   # default\nnot a line\n'
    )
    monkeypatch.setenv("A_SET", "from-env")
    monkeypatch.delenv("B_NEW", raising=False)
    monkeypatch.delenv("C_NEW", raising=False)
    monkeypatch.delenv("D_EMPTY", raising=False)
    load_dotenv(env_file)
    import os

    assert (os.environ["A_SET"], os.environ["B_NEW"], os.environ["C_NEW"]) == ("from-env", "quoted value", "x")
    assert "D_EMPTY" not in os.environ


def test_env_example_parses_and_names_every_setting_the_stack_reads(tmp_path, monkeypatch):
    from bot.settings import REPO_ROOT, load_dotenv

    text = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    names = [line.split("=", 1)[0] for line in text.splitlines() if line and not line.startswith("#")]
    for name in names:
        monkeypatch.delenv(name, raising=False)
    load_dotenv(REPO_ROOT / ".env.example")
    import os

    assert os.environ["RASA_PORT"] == "5005" and os.environ["HOTLINE"] == "1800 1096"
    for name in (
        "RASA_PORT",
        "ACTIONS_PORT",
        "WEB_PORT",
        "DOSSIER_SERVICE_PORT",
        "DATABASE_URL",
        "REDIS_URL",
        "DOSSIER_API_URL",
        "TELEGRAM_BOT_TOKEN",
        "ZALO_APP_ID",
        "RASA_TOKEN",
        "VAR_DIR",
        "MODELS_DIR",
    ):
        assert name in names


def test_action_calls_carry_the_shared_token_and_the_file_is_private(tmp_path):
    settings = _settings(tmp_path, actions_token="shared")
    assert rasa_config.endpoints(settings)["action_endpoint"] == {
        "url": "http://127.0.0.1:5055/webhook",
        "headers": {"Authorization": "Bearer shared"},
        "enable_selective_domain": True,
    }
    endpoints_path, _ = rasa_config.write(settings)
    assert Path(endpoints_path).stat().st_mode & 0o777 == 0o600
