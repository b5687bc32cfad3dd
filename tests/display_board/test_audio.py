"""Sound output: WAV bytes through QAudioSink, text through QTextToSpeech.

The test machines have no sound device and no Vietnamese text-to-speech voice; the tests that
need their absence skip (saying why) where they exist.
"""

from __future__ import annotations

import io
import time
import wave

import pytest
from PySide6 import QtCore
from pytestqt.qtbot import QtBot

from display_board import audio, speech

# Loading QtMultimedia/QtTextToSpeech without sound server or speech-dispatcher logs these.
pytestmark = pytest.mark.qt_log_ignore(
    "PulseAudioService",
    "Couldn't load",
    "Couldn't resolve",
    "Error loading text-to-speech plug-in",
    "Text-to-speech plug-in",
)


class Recorder:
    """What an output emitted, in order."""

    def __init__(self, output: audio.WavOutput | audio.SpeechOutput) -> None:
        self.events: list[tuple[str, ...]] = []
        output.failed.connect(lambda reason: self.events.append(("failed", reason)))
        output.finished.connect(lambda: self.events.append(("finished",)))

    @property
    def finished(self) -> int:
        return self.events.count(("finished",))


def a_call() -> bytes:
    return speech.ClipLibrary().join(["chime", "digit_1"])


# ------------------------------------------------------------------ WavOutput


@pytest.fixture
def wav_output(qtbot: QtBot) -> audio.WavOutput:
    return audio.WavOutput()


@pytest.fixture
def no_device(wav_output: audio.WavOutput) -> audio.WavOutput:
    if wav_output.available():
        pytest.skip(reason="this machine has a sound device: the no-device behaviour cannot be seen")
    return wav_output


def test_without_a_device_play_fails_then_finishes(qtbot: QtBot, no_device: audio.WavOutput) -> None:
    no_device.set_volume(0.5)
    no_device.play(a_call())
    recorder = Recorder(no_device)  # a caller connecting after play() still hears of it
    with qtbot.waitSignals([no_device.failed, no_device.finished], order="strict", timeout=2000):
        pass
    assert recorder.events == [("failed", "Không có thiết bị âm thanh."), ("finished",)]


def test_every_play_finishes_once(qtbot: QtBot, no_device: audio.WavOutput) -> None:
    recorder = Recorder(no_device)
    no_device.play(a_call())
    no_device.play(a_call())
    no_device.stop()  # nothing is playing: nothing more to report
    no_device.play(a_call())
    qtbot.waitUntil(lambda: recorder.finished == 3, timeout=2000)
    with qtbot.waitSignal(no_device.finished, timeout=2000):
        no_device.play(a_call())
    assert recorder.finished == 4
    assert [event[0] for event in recorder.events] == ["failed", "finished"] * 4


@pytest.mark.parametrize("data", [b"", b"not a wav file", a_call()[:30]])
def test_broken_data_fails_then_finishes(qtbot: QtBot, wav_output: audio.WavOutput, data: bytes) -> None:
    recorder = Recorder(wav_output)
    with qtbot.waitSignals([wav_output.failed, wav_output.finished], order="strict", timeout=2000):
        wav_output.play(data)
    assert recorder.events == [("failed", audio.BAD_DATA), ("finished",)]


def test_without_qt_multimedia_nothing_plays(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audio, "QtMultimedia", None)  # as when libpulse0 is missing
    output = audio.WavOutput()
    assert not output.available()
    recorder = Recorder(output)
    with qtbot.waitSignals([output.failed, output.finished], order="strict", timeout=2000):
        output.play(a_call())
    assert recorder.events == [("failed", audio.NO_MULTIMEDIA), ("finished",)]


def test_with_a_device_a_call_plays_to_its_end(qtbot: QtBot, wav_output: audio.WavOutput) -> None:
    if not wav_output.available():
        pytest.skip(reason="no sound device on this machine")
    recorder = Recorder(wav_output)
    wav_output.set_volume(0.05)
    call = a_call()
    with wave.open(io.BytesIO(call), "rb") as wav:
        seconds = wav.getnframes() / wav.getframerate()
    started = time.monotonic()
    with qtbot.waitSignal(wav_output.finished, timeout=10_000):
        wav_output.play(call)
    assert recorder.events == [("finished",)]
    assert time.monotonic() - started >= seconds  # played to the end, not cut short
    wav_output.play(a_call())
    wav_output.stop()
    assert recorder.finished == 2  # stop() reports at once


# ------------------------------------------------------------------ SpeechOutput


def test_mock_engine_has_no_vietnamese(qtbot: QtBot) -> None:
    output = audio.SpeechOutput("mock")
    if output.available():
        pytest.skip(reason="Qt's mock engine offers Vietnamese here")
    recorder = Recorder(output)
    output.set_volume(0.3)
    output.say(speech.announcement_text("A012", 5))
    assert recorder.events == []  # never from inside say()
    with qtbot.waitSignals([output.failed, output.finished], order="strict", timeout=2000):
        pass
    assert recorder.events == [("failed", audio.NO_VIETNAMESE), ("finished",)]


def test_unknown_engine_is_unavailable(qtbot: QtBot) -> None:
    output = audio.SpeechOutput("no-such-engine")
    assert not output.available()
    recorder = Recorder(output)
    with qtbot.waitSignals([output.failed, output.finished], order="strict", timeout=2000):
        output.say("Xin chào")
    assert [event[0] for event in recorder.events] == ["failed", "finished"]
    assert recorder.events[0][1].startswith(audio.NO_ENGINE)


def test_without_qt_text_to_speech_nothing_is_said(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audio, "QtTextToSpeech", None)
    output = audio.SpeechOutput("mock")
    assert not output.available()
    recorder = Recorder(output)
    with qtbot.waitSignals([output.failed, output.finished], order="strict", timeout=2000):
        output.say("Xin chào")
    assert recorder.events == [("failed", audio.NO_TTS), ("finished",)]


class EnglishSpeech(audio.SpeechOutput):
    """The same output for a language the mock engine has: how speaking itself goes."""

    language = QtCore.QLocale.Language.English


def test_speaking_finishes_when_the_engine_is_ready_again(qtbot: QtBot) -> None:
    output = EnglishSpeech("mock")
    assert output.available()
    recorder = Recorder(output)
    output.set_volume(0.5)
    with qtbot.waitSignal(output.finished, timeout=5000):
        output.say("one two three")
    assert recorder.events == [("finished",)]


def test_stop_while_speaking_finishes_at_once(qtbot: QtBot) -> None:
    output = EnglishSpeech("mock")
    recorder = Recorder(output)
    output.say("one two three four five six seven eight nine ten")
    output.stop()
    assert recorder.events == [("finished",)]
    output.say("")  # nothing to say: finished without failing
    qtbot.waitUntil(lambda: recorder.finished == 2, timeout=2000)
    assert recorder.events == [("finished",), ("finished",)]


def test_a_new_text_cuts_the_one_spoken(qtbot: QtBot) -> None:
    output = EnglishSpeech("mock")
    recorder = Recorder(output)
    output.say("one two three four five six seven eight nine ten")
    with qtbot.waitSignal(output.finished, timeout=5000):
        output.say("one")
        assert recorder.events == [("finished",)]  # the first one, cut short
    qtbot.waitUntil(lambda: recorder.finished == 2, timeout=5000)
    assert recorder.events == [("finished",), ("finished",)]


def test_the_system_voice_speaks_vietnamese_where_there_is_one(qtbot: QtBot) -> None:
    output = audio.SpeechOutput()
    if not output.available():
        pytest.skip(reason="no Vietnamese text-to-speech voice here (needs speech-dispatcher-espeak-ng)")
    recorder = Recorder(output)
    output.set_volume(0.05)
    with qtbot.waitSignal(output.finished, timeout=30_000):
        output.say(speech.announcement_text("A1", 2))
    assert recorder.events == [("finished",)]
