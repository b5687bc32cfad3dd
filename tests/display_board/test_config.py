"""qms-display's settings: the command line over a TOML file, each mistake named."""

from __future__ import annotations

import datetime as dt

import pytest

from display_board import config


def test_command_line_over_file(tmp_path):
    path = tmp_path / "board.toml"
    path.write_text(
        'server = "http://10.0.0.2:8000"\ndevice_key = "k"\ncounters = [1, 2]\n'
        'quiet_hours = ["11:30-13:30"]\nvolume = 40\n',
        encoding="utf-8",
    )
    loaded = config.load(["--config", str(path), "--counters", "3,4, 5", "--windowed"])
    assert loaded.counters == (3, 4, 5) and loaded.windowed and loaded.volume == 40
    assert loaded.quiet_hours == ("11:30-13:30",)
    assert config.load(["--config", str(path)]).counters == (1, 2)


@pytest.mark.parametrize(
    ("args", "key", "message"),
    [
        ([], "k", "missing: --server"),
        (["--server", "10.0.0.2"], "k", "http://"),
        (["--server", "http://s"], " ", "add-device"),
        (["--server", "http://s"], "k", None),
        (["--server", "http://s", "--volume", "120"], "k", "volume"),
        (
            ["--server", "http://s"],
            None,
            r"missing: device_key \(in the --config file, or .* QMS_DEVICE_KEY\)",
        ),
        (["--server", "http://s", "--device-key", "k"], "k", "--device-key không còn được dùng"),
    ],
)
def test_mistakes_are_named(args, key, message, monkeypatch):
    if key is None:
        monkeypatch.delenv("QMS_DEVICE_KEY", raising=False)
    else:
        monkeypatch.setenv("QMS_DEVICE_KEY", key)
    if message is None:
        assert config.load(args).device_key == "k"
        return
    with pytest.raises(config.ConfigError, match=message):
        config.load(args)


def test_a_key_file_others_may_read_is_warned_about(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("QMS_DEVICE_KEY", raising=False)
    path = tmp_path / "board.toml"
    path.write_text('server = "http://s"\ndevice_key = "k"\n', encoding="utf-8")
    path.chmod(0o640)
    assert config.load(["--config", str(path)]).device_key == "k"
    assert f"chmod 600 {path}" in capsys.readouterr().err
    path.chmod(0o600)
    config.load(["--config", str(path)])
    assert capsys.readouterr().err == ""


def test_bad_counters_on_the_command_line_are_a_usage_error(capsys, monkeypatch):
    monkeypatch.setenv("QMS_DEVICE_KEY", "k")
    with pytest.raises(SystemExit):
        config.load(["--server", "http://s", "--counters", "1,x"])
    assert "--counters" in capsys.readouterr().err


def test_quiet_hours_may_run_over_midnight():
    board = config.BoardConfig(server="http://s", device_key="k", quiet_hours=("11:30-13:30", "21:00-06:00"))
    assert (
        board.is_quiet(dt.time(12, 0)) and board.is_quiet(dt.time(23, 0)) and board.is_quiet(dt.time(5, 59))
    )
    assert not board.is_quiet(dt.time(13, 30)) and not board.is_quiet(dt.time(8, 0))
    with pytest.raises(config.ConfigError, match="11h30"):
        config.BoardConfig(server="http://s", device_key="k", quiet_hours=("11h30",))
