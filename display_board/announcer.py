"""Announcements: a chime, then "Mời công dân có số thứ tự A 0 1 2 đến quầy số 5".

One at a time, in order, never overlapping. The voice is, by preference: the clips shipped
with the package (or a centre's own recordings) joined into one WAV; the system's
Vietnamese text-to-speech voice when configured or when a clip is missing; the chime alone
as the last fallback. Muted, in quiet hours or with no sound device, calls pass silently.
The outputs are objects with ``play``/``say``, ``finished`` and ``failed``: tests pass their own.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import pathlib
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore

from display_board import audio, speech
from display_board.config import BoardConfig
from display_board.state import Call
from onestop import calendar

log = logging.getLogger(__name__)

NO_DEVICE = audio.NO_DEVICE


def _now() -> dt.datetime:
    return dt.datetime.now(calendar.VN_TZ)


class Announcer(QtCore.QObject):
    """Speaks each call it is given, in order.

    Signals:
        started(object, object): a Call and what is said for it: clip names (list), text
            (str) or nothing (an empty list: silent).
        spoken(object): the Call, once its announcement is over, played or not.
    """

    started = QtCore.Signal(object, object)
    spoken = QtCore.Signal(object)

    def __init__(
        self,
        config: BoardConfig,
        *,
        wav_output: Any = None,
        speech_output: Any = None,
        clock: Callable[[], dt.datetime] = _now,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.config = config
        self.muted = config.mute
        self._clock = clock
        self._queue: collections.deque[Call] = collections.deque()
        self._current: Call | None = None
        self._then: Callable[[], None] | None = None  # the step after the one playing
        self.library = self._library(config.voice_dir)
        self.wav = wav_output if wav_output is not None else audio.WavOutput(self)
        self.wav.set_volume(config.volume / 100)
        self.wav.finished.connect(self._step_done)
        self.wav.failed.connect(self._failed)
        self._speech = speech_output
        if self._speech is None and config.voice == "tts":
            self._speech = audio.SpeechOutput(config.tts_engine or None, self)
        if self._speech is not None:
            self._speech.set_volume(config.volume / 100)
            self._speech.finished.connect(self._step_done)
            self._speech.failed.connect(self._failed)
        self.fault: str | None = None if self.wav.available() or config.voice == "off" else NO_DEVICE

    @staticmethod
    def _library(folder: str) -> speech.ClipLibrary | None:
        for path in ([pathlib.Path(folder)] if folder else []) + [speech.CLIPS_DIR]:
            try:
                return speech.ClipLibrary(path)
            except (OSError, ValueError) as exc:
                log.error("voice clips in %s cannot be used: %s", path, exc)
        return None

    # ------------------------------------------------------------ the queue

    def announce(self, call: Call) -> None:
        self._queue.append(call)
        if self._current is None:
            self._next()

    def stop(self) -> None:
        """Drop what is queued and cut the one playing short (at quit)."""
        self._queue.clear()
        self._then = None
        self.wav.stop()
        if self._speech is not None:
            self._speech.stop()

    def _next(self) -> None:
        if not self._queue:
            self._current = None
            return
        call = self._current = self._queue.popleft()
        plan = self.plan(call)
        self.started.emit(call, plan)
        if not plan:
            QtCore.QTimer.singleShot(0, self._step_done)
        elif isinstance(plan, str):  # text to speech, after the chime
            self._then = lambda: self._speech.say(plan)
            self._play([speech.CHIME])
        else:
            self._play(plan)

    def plan(self, call: Call) -> list[str] | str:
        """What will be said for ``call``: clip names, a text for the speech engine, or [] (silence)."""
        if self.config.voice == "off" or self.muted or self.fault is not None:
            return []
        if self.config.is_quiet(self._clock().astimezone(calendar.VN_TZ).time()):
            return []
        chime = [speech.CHIME] if self.library is not None and self.library.has(speech.CHIME) else []
        if self.config.voice == "chime":
            return chime
        clips = speech.announcement_clips(call.number, call.counter_number, recall=call.recall)
        text = speech.announcement_text(call.number, call.counter_number, recall=call.recall)
        can_clip = self.library is not None and not self.library.missing(clips)
        can_speak = self._speech is not None and self._speech.available()
        if self.config.voice == "tts" and can_speak:
            return text
        if can_clip:
            return clips
        return text if can_speak else chime

    def _play(self, clips: list[str]) -> None:
        assert self.library is not None
        self.wav.play(self.library.join(clips))

    def _failed(self, reason: str) -> None:
        log.warning("announcement not heard: %s", reason)

    def _step_done(self) -> None:
        if self._current is None:
            return
        then, self._then = self._then, None
        if then is not None:
            then()
            return
        call = self._current
        self.spoken.emit(call)
        self._next()
