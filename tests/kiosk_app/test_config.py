import pathlib

import pytest

from kiosk_app import config, texts

REQUIRED = ["--server", "http://10.0.0.2:8000", "--device-key", "k", "--printer", "tcp://10.0.0.31:9100"]


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
        argv = ["--server", "http://a:1", "--device-key", "k", *args, *extra]
    with pytest.raises(config.ConfigError, match=words):
        config.load(argv)


def test_missing_required_settings_are_named():
    with pytest.raises(config.ConfigError, match="--device-key, --printer"):
        config.load(["--server", "http://a:1", "--windowed"])


def test_every_text_has_both_languages_and_formats():
    for key, (vi, en) in texts.TEXTS.items():
        assert vi.strip() and en.strip(), key
        assert vi.count("{") == en.count("{"), key
