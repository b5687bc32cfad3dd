import pathlib

import pytest

from counter_app import config

SERVER = ["--server", "http://10.0.0.2:8000"]


def test_file_then_command_line(tmp_path: pathlib.Path):
    path = tmp_path / "counter.toml"
    path.write_text('server = "http://old:1"\ncounter = 4\ndisplay = "loop://"\nresync_seconds = 30\n')
    loaded = config.load(["--config", str(path), *SERVER, "--counter", "5", "--keypad", "/dev/ttyUSB1"], {})
    assert (loaded.server, loaded.counter, loaded.display, loaded.keypad) == (
        "http://10.0.0.2:8000",
        5,
        "loop://",
        "/dev/ttyUSB1",
    )
    assert loaded.resync_seconds == 30.0
    assert loaded.display_driver == "qms"
    assert loaded.user is None and loaded.password is None


def test_demo_sign_in_takes_the_password_from_the_environment():
    loaded = config.load([*SERVER, "--counter", "1", "--user", "canbo1"], {"QMS_PASSWORD": "bí mật"})
    assert (loaded.user, loaded.password) == ("canbo1", "bí mật")
    with pytest.raises(config.ConfigError, match="QMS_PASSWORD"):
        config.load([*SERVER, "--user", "canbo1"], {})


@pytest.mark.parametrize(
    ("args", "file", "words"),
    [
        ([], None, "missing: --server"),
        ([*SERVER, "--counter", "0"], None, "counter must be a counter number"),
        ([*SERVER, "--display-address", "100"], None, "display_address must be 1..99"),
        (SERVER, 'display_driver = "acme"', "display_driver must be qms or modbus"),
        (SERVER, "resync_seconds = 0", "resync_seconds must be positive"),
        (SERVER, "colour = 1", "unknown settings colour"),
        (["--server", "10.0.0.2:8000"], None, "http:// or https://"),
    ],
)
def test_bad_settings_are_named(tmp_path: pathlib.Path, args, file, words):
    if file is not None:
        path = tmp_path / "counter.toml"
        path.write_text(file)
        args = ["--config", str(path), *args]
    with pytest.raises(config.ConfigError, match=words):
        config.load(args, {})
