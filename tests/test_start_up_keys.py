"""Keys fail fast: a start that would make up a key per host (or per worker) stops with one
line saying what is missing, before it serves anything."""
import subprocess

import pytest

from tests import gunicorn_server
from tests.conftest import TEST_CONFIG
from tinnhiem import create_app
from tinnhiem.platform.config import KeysMissing, require_shared_keys

POSTGRES_URL = "postgresql+psycopg://tinnhiem_app:x@127.0.0.1:9/tinnhiem"
KEYS = {"SECRET_KEY": "s" * 40, "VOTE_CODE_KEY": "v" * 40, "AUDIT_KEY": "a" * 40}


@pytest.mark.parametrize("missing", sorted(KEYS))
def test_on_postgresql_each_key_must_be_configured(missing, tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    for key in KEYS:
        monkeypatch.delenv(key, raising=False)
    config = {**TEST_CONFIG, **KEYS, missing: None, "SQLALCHEMY_DATABASE_URI": POSTGRES_URL}
    with pytest.raises(KeysMissing) as refused:
        create_app(config)
    line = str(refused.value)
    assert "\n" not in line and missing in line and "refusing to start" in line
    assert not (tmp_path / "secret_key").exists()  # nothing was made up instead


def test_on_postgresql_configured_keys_start(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app({**TEST_CONFIG, **KEYS, "SQLALCHEMY_DATABASE_URI": POSTGRES_URL})
    assert app.config["VOTE_CODE_KEY"] == KEYS["VOTE_CODE_KEY"]


def test_one_sqlite_host_keeps_one_secret_key_in_its_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = {**TEST_CONFIG, "SECRET_KEY": None,
              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    first, second = create_app(config), create_app(config)
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_several_workers_need_a_key_they_all_read(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    require_shared_keys(str(tmp_path), workers=1)  # one process cannot disagree with itself
    with pytest.raises(KeysMissing) as refused:
        require_shared_keys(str(tmp_path), workers=4)
    assert "SECRET_KEY" in str(refused.value) and "4 workers" in str(refused.value)
    (tmp_path / "secret_key").write_text("k" * 48)
    require_shared_keys(str(tmp_path), workers=4)
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    (tmp_path / "secret_key").unlink()
    require_shared_keys(str(tmp_path), workers=4)


@pytest.mark.parametrize("setting", [
    {"DATABASE_URL": POSTGRES_URL, **{k: v for k, v in KEYS.items() if k != "AUDIT_KEY"}},
    {"WEB_CONCURRENCY": "3"},
], ids=["postgresql-without-AUDIT_KEY", "sqlite-three-workers-without-a-key"])
def test_gunicorn_stops_with_one_line(setting, tmp_path):
    env = gunicorn_server.production_env(tmp_path, **setting)
    process = gunicorn_server.start(env, gunicorn_server.free_port())
    try:
        _out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        _out, err = process.communicate()
        pytest.fail(f"gunicorn kept running without its keys: {err[-2000:]}")
    assert process.returncode != 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and "refusing to start" in lines[-1], err[-2000:]
    assert not any("Traceback" in line for line in lines), err[-2000:]
