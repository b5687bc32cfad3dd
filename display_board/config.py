"""The board's settings: a TOML file, then the command line on top (the line wins).

``qms-display --config FILE [--server URL] [--counters 1,2,3] [--windowed]``

The device key is a secret: it goes in the file (``chmod 600``; the board warns when others
may read it) or in the environment variable ``QMS_DEVICE_KEY``, never on the command line,
which every account on the machine can read. Example file::

    server = "http://10.0.0.2:8000"
    device_key = "…"              # from `qms-server add-device board-1 --kind display`
    counters = [1, 2, 3, 4]       # counter numbers shown here (default: all of the centre's)
    agencies = ["STP", "CAT"]     # or the counters of these agencies (codes); both may be given
    title = ""                    # heading; default the centre's name
    orientation = "auto"          # or "landscape" / "portrait" when the TV reports it wrong
    voice = "clips"               # "clips" (shipped or own recordings), "tts", "chime" or "off"
    voice_dir = ""                # a folder of own recordings (names as display_board/voice/vi)
    volume = 80                   # 0–100
    mute = false
    quiet_hours = ["11:30-13:30"] # no sound in these spans (the screen still shows every call)
    feature_seconds = 6           # a call stays large at least this long (and until it is spoken)
    page_seconds = 12             # with more counters than fit, pages turn this often
    counters_per_page = 12
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import pathlib

from qtkit import settings

ConfigError = settings.ConfigError

VOICES = ("clips", "tts", "chime", "off")


def _numbers(text: str) -> tuple[int, ...]:
    """``"1,2, 3"`` -> ``(1, 2, 3)``; argparse turns the ValueError into a usage error."""
    return tuple(int(part) for part in text.split(",") if part.strip())


def _span(text: str) -> tuple[dt.time, dt.time]:
    try:
        start, end = (dt.time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise ConfigError(f'quiet_hours: {text!r} is not a span like "11:30-13:30"') from None
    return start, end


@dataclasses.dataclass(frozen=True)
class BoardConfig:
    server: str
    device_key: str
    counters: tuple[int, ...] = ()
    agencies: tuple[str, ...] = ()
    title: str = ""
    windowed: bool = False
    orientation: str = "auto"
    voice: str = "clips"
    voice_dir: str = ""
    tts_engine: str = ""  # a QTextToSpeech engine name; empty is the system's default
    volume: int = 80
    mute: bool = False
    quiet_hours: tuple[str, ...] = ()
    feature_seconds: float = 6.0
    page_seconds: float = 12.0
    counters_per_page: int = 12
    recent_calls: int = 6
    resync_seconds: float = 60.0
    # A call older than this when it reaches the board (missed while the board was away) is
    # listed but neither featured nor spoken: the citizen has long been called.
    stale_seconds: float = 90.0

    def __post_init__(self) -> None:
        # A TOML file gives lists; the dataclass is frozen, hence object.__setattr__.
        for name in ("counters", "agencies", "quiet_hours"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if not self.server.startswith(("http://", "https://")):
            raise ConfigError(f"server must be an http:// or https:// address, not {self.server!r}")
        if not self.device_key.strip():
            raise ConfigError(
                "device_key is empty: create one with `qms-server add-device NAME --kind display`"
            )
        if any(not isinstance(n, int) or n < 1 for n in self.counters):
            raise ConfigError("counters must be counter numbers (1, 2, …)")
        if self.orientation not in ("auto", "portrait", "landscape"):
            raise ConfigError(f"orientation must be auto, portrait or landscape, not {self.orientation!r}")
        if self.voice not in VOICES:
            raise ConfigError(f"voice must be one of {', '.join(VOICES)}, not {self.voice!r}")
        if self.voice_dir and not pathlib.Path(self.voice_dir).is_dir():
            raise ConfigError(f"voice_dir {self.voice_dir!r} is not a folder")
        if not 0 <= self.volume <= 100:
            raise ConfigError("volume must be 0 to 100")
        self.quiet_spans()  # raises on a bad span
        for name in ("feature_seconds", "page_seconds", "resync_seconds", "stale_seconds"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive")
        for name in ("counters_per_page", "recent_calls"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1")

    def quiet_spans(self) -> list[tuple[dt.time, dt.time]]:
        return [_span(text) for text in self.quiet_hours]

    def is_quiet(self, moment: dt.time) -> bool:
        """In a quiet span; a span may run over midnight ("22:00-06:00")."""
        for start, end in self.quiet_spans():
            inside = start <= moment < end if start <= end else (moment >= start or moment < end)
            if inside:
                return True
        return False


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qms-display", description="Màn hình gọi số ở sảnh chờ.")
    parser.add_argument("--config", type=pathlib.Path, help="TOML file with the settings (see the docs)")
    parser.add_argument("--server", help="the server's address, e.g. http://10.0.0.2:8000")
    settings.refuse_device_key_option(parser)  # the key: in the file or QMS_DEVICE_KEY
    parser.add_argument("--counters", type=_numbers, help="counter numbers to show, e.g. 1,2,3 (default all)")
    parser.add_argument("--voice", choices=VOICES, help="how calls are announced")
    parser.add_argument("--volume", type=int, help="0–100")
    parser.add_argument("--mute", action="store_true", default=None, help="no sound at all")
    parser.add_argument("--orientation", choices=("auto", "portrait", "landscape"))
    parser.add_argument(
        "--windowed", action="store_true", default=None, help="a normal window (demos, set-up)"
    )
    return parser


def load(argv: list[str] | None = None) -> BoardConfig:
    """Settings from ``--config``, QMS_DEVICE_KEY, then the command line; raises ConfigError."""
    return settings.load(
        BoardConfig, parser().parse_args(argv), required=("server", "device_key"), secrets=settings.DEVICE_KEY
    )
