"""Announcements: what is said for each call, one at a time, and when nothing is said."""

from __future__ import annotations

import datetime as dt
import shutil

from PySide6 import QtCore

from display_board import speech
from display_board.announcer import NO_DEVICE, Announcer
from display_board.config import BoardConfig
from display_board.state import Call
from onestop import calendar
from tests.gui.board.conftest import RecordingOutput

NOON = dt.datetime(2026, 11, 27, 12, 0, tzinfo=calendar.VN_TZ)
MORNING = dt.datetime(2026, 11, 27, 9, 0, tzinfo=calendar.VN_TZ)


def call(number: str = "A012", counter: int = 5, *, recall: bool = False, event_id: int = 1) -> Call:
    return Call(event_id, event_id, number, counter, counter, False, recall, MORNING)


class FakeSpeech(QtCore.QObject):
    finished = QtCore.Signal()
    failed = QtCore.Signal(str)

    def __init__(self, available: bool = True) -> None:
        super().__init__()
        self._available = available
        self.said: list[str] = []

    def available(self) -> bool:
        return self._available

    def set_volume(self, volume: float) -> None:
        pass

    def say(self, text: str) -> None:
        self.said.append(text)
        QtCore.QTimer.singleShot(10, self.finished.emit)

    def stop(self) -> None:
        pass


def make(qtbot, *, clock=lambda: MORNING, output=None, speech_output=None, **settings) -> Announcer:
    config = BoardConfig(server="http://s", device_key="k", **settings)
    announcer = Announcer(
        config, wav_output=output or RecordingOutput(0.05), speech_output=speech_output, clock=clock
    )
    announcer.plans = []  # type: ignore[attr-defined]
    announcer.started.connect(lambda c, plan: announcer.plans.append(plan))  # type: ignore[attr-defined]
    return announcer


def test_a_call_and_a_recall_in_clips(qtbot):
    announcer = make(qtbot, volume=60)
    assert announcer.wav.volume == 0.6
    with qtbot.waitSignal(announcer.spoken, timeout=2000):
        announcer.announce(call("A012", 12))
    assert announcer.plans == [speech.announcement_clips("A012", 12)]
    assert announcer.plans[0][-2:] == ["word_muoi", "digit_2"]
    with qtbot.waitSignal(announcer.spoken, timeout=2000):
        announcer.announce(call("B007", 21, recall=True))
    assert announcer.plans[1][:3] == ["chime", "nhac_lai", "moi_cong_dan"]
    assert announcer.plans[1][-3:] == ["digit_2", "word_muoi2", "word_mot"]


def test_announcements_never_overlap_and_keep_their_order(qtbot):
    output = RecordingOutput(0.05)
    announcer = make(qtbot, output=output)
    spoken: list[str] = []
    announcer.spoken.connect(lambda c: spoken.append(c.number))
    for index, number in enumerate(["A001", "B001", "C001"]):
        announcer.announce(call(number, index + 1, event_id=index + 1))
    qtbot.waitUntil(lambda: len(spoken) == 3, timeout=3000)
    assert spoken == ["A001", "B001", "C001"] and not output.overlapped
    assert len(output.played) == 3


def test_muted_quiet_off_or_no_device_pass_silently(qtbot):
    class NoDevice(RecordingOutput):
        def available(self) -> bool:
            return False

    silent = [
        make(qtbot, mute=True),
        make(qtbot, voice="off"),
        make(qtbot, clock=lambda: NOON, quiet_hours=("11:30-13:30",)),
        make(qtbot, output=NoDevice()),
    ]
    assert silent[3].fault == NO_DEVICE and silent[0].fault is None
    for announcer in silent:
        with qtbot.waitSignal(announcer.spoken, timeout=1000):
            announcer.announce(call())
        assert announcer.plans == [[]]
        assert announcer.wav.played == []


def test_text_to_speech_speaks_after_the_chime_and_falls_back_to_clips(qtbot):
    voice = FakeSpeech()
    announcer = make(qtbot, voice="tts", speech_output=voice)
    with qtbot.waitSignal(announcer.spoken, timeout=2000):
        announcer.announce(call("Đ007", 3))
    assert voice.said == ["Mời công dân có số thứ tự đê, không, không, bảy, đến quầy số ba."]
    assert announcer.wav.played == [speech.ClipLibrary().join(["chime"])]
    no_voice = make(qtbot, voice="tts", speech_output=FakeSpeech(available=False))
    assert no_voice.plan(call())[0] == "chime" and len(no_voice.plan(call())) > 1


def test_own_recordings_missing_a_clip_fall_back_to_speech_then_to_the_chime(qtbot, tmp_path):
    for clip in speech.CLIPS_DIR.glob("*.wav"):
        if clip.stem != "letter_q":
            shutil.copy(clip, tmp_path)
    with_speech = make(qtbot, voice_dir=str(tmp_path), speech_output=FakeSpeech())
    assert (
        with_speech.plan(call("Q001", 1))
        == "Mời công dân có số thứ tự quy, không, không, một, đến quầy số một."
    )
    assert isinstance(with_speech.plan(call("A001", 1)), list)  # the clips it has are used
    chime_only = make(qtbot, voice_dir=str(tmp_path))
    assert chime_only.plan(call("Q001", 1)) == ["chime"]
    assert make(qtbot, voice="chime").plan(call()) == ["chime"]
