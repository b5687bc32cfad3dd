import pathlib
import re

import pytest

from kiosk_app import config, texts

REQUIRED = ["--server", "http://10.0.0.2:8000", "--printer", "tcp://10.0.0.31:9100"]


@pytest.fixture(autouse=True)
def key_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMS_DEVICE_KEY", "k")


def test_command_line_over_file(tmp_path: pathlib.Path):
    path = tmp_path / "kiosk.toml"
    path.write_text('admin_pin = "0246"\nidle_seconds = 30\nlanguage = "en"\nserver = "http://old:1"\n')
    loaded = config.load(["--config", str(path), *REQUIRED])
    assert loaded.server == "http://10.0.0.2:8000"
    assert (loaded.admin_pin, loaded.idle_seconds, loaded.language) == ("0246", 30.0, "en")
    assert not loaded.windowed
    assert loaded.ticket_link({"id": 7, "public_token": "Ab-9"}) == "http://10.0.0.2:8000/tra-cuu/so/Ab-9"


@pytest.mark.parametrize(
    ("args", "file", "words"),
    [
        ([], None, "full-screen kiosk needs admin_pin"),
        (["--windowed", "--printer", " "], None, "printer is empty"),
        (["--windowed"], "colour = 1", "unknown settings colour"),
        (["--windowed"], "admin_pin = 12", "admin_pin must be 4 to 12 digits"),
        (["--windowed"], "idle_seconds = 0", "idle_seconds must be positive"),
        (["--windowed"], "this is not toml", "kiosk.toml"),
    ],
)
def test_bad_settings_say_what_to_fix(tmp_path: pathlib.Path, args, file, words):
    extra = []
    if file is not None:
        (tmp_path / "kiosk.toml").write_text(file)
        extra = ["--config", str(tmp_path / "kiosk.toml")]
    argv = [*REQUIRED, *args, *extra]
    if file == 'printer = ""':
        argv = ["--server", "http://a:1", *args, *extra]
    with pytest.raises(config.ConfigError, match=words):
        config.load(argv)


def test_missing_required_settings_are_named(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("QMS_DEVICE_KEY")
    with pytest.raises(
        config.ConfigError,
        match=re.escape(
            "device_key (in the --config file, or the environment variable QMS_DEVICE_KEY), --printer"
        ),
    ):
        config.load(["--server", "http://a:1", "--windowed"])


def test_the_device_key_never_comes_from_the_command_line(tmp_path: pathlib.Path, monkeypatch, capsys):
    """The command line is readable by every account (ps, /proc/PID/cmdline): the key is read
    from the settings file, or from QMS_DEVICE_KEY, which wins over the file."""
    with pytest.raises(config.ConfigError, match=r"--device-key không còn được dùng.*QMS_DEVICE_KEY"):
        config.load([*REQUIRED, "--windowed", "--device-key", "qmsd_secret"])
    monkeypatch.delenv("QMS_DEVICE_KEY")
    path = tmp_path / "kiosk.toml"
    path.write_text('device_key = "from-the-file"\nadmin_pin = "2468"\n')
    path.chmod(0o600)
    assert config.load(["--config", str(path), *REQUIRED]).device_key == "from-the-file"
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("QMS_DEVICE_KEY", "from-the-environment")
    assert config.load(["--config", str(path), *REQUIRED]).device_key == "from-the-environment"


def test_a_key_file_others_may_read_is_warned_about(tmp_path: pathlib.Path, monkeypatch, capsys):
    monkeypatch.delenv("QMS_DEVICE_KEY")
    path = tmp_path / "kiosk.toml"
    path.write_text('device_key = "k"\nadmin_pin = "2468"\n')
    path.chmod(0o644)
    assert config.load(["--config", str(path), *REQUIRED]).device_key == "k"  # it still starts
    warning = capsys.readouterr().err
    assert f"Cảnh báo: tệp cấu hình {path} chứa device_key" in warning
    assert f"chmod 600 {path}" in warning


def test_every_text_has_both_languages_and_formats():
    for key, (vi, en) in texts.TEXTS.items():
        assert vi.strip() and en.strip(), key
        assert vi.count("{") == en.count("{"), key
