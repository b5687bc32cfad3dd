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
    ("args", "message"),
    [
        (["--device-key", "k"], "missing: --server"),
        (["--server", "10.0.0.2", "--device-key", "k"], "http://"),
        (["--server", "http://s", "--device-key", " "], "add-device"),
        (["--server", "http://s", "--device-key", "k", "--volume", "120"], "volume"),
    ],
)
def test_mistakes_are_named(args, message):
    with pytest.raises(config.ConfigError, match=message):
        config.load(args)


def test_bad_counters_on_the_command_line_are_a_usage_error(capsys):
    with pytest.raises(SystemExit):
        config.load(["--server", "http://s", "--device-key", "k", "--counters", "1,x"])
    assert "--counters" in capsys.readouterr().err


def test_quiet_hours_may_run_over_midnight():
    board = config.BoardConfig(server="http://s", device_key="k", quiet_hours=("11:30-13:30", "21:00-06:00"))
    assert (
        board.is_quiet(dt.time(12, 0)) and board.is_quiet(dt.time(23, 0)) and board.is_quiet(dt.time(5, 59))
    )
    assert not board.is_quiet(dt.time(13, 30)) and not board.is_quiet(dt.time(8, 0))
    with pytest.raises(config.ConfigError, match="11h30"):
        config.BoardConfig(server="http://s", device_key="k", quiet_hours=("11h30",))
