"""Sound out of the display board: WAV bytes through the default audio device, or text through
the system's Vietnamese text-to-speech voice.

Both outputs are non-blocking and never raise from ``play``/``say``: each call ends with exactly
one ``finished``, after ``failed(reason)`` if it could not be heard (no device, broken data, no
Vietnamese voice). Those signals are emitted from the event loop, never from inside ``play``/``say``,
so a caller may connect after calling. ``stop`` cuts the sound short and emits ``finished`` at once.

QtMultimedia and QtTextToSpeech fail to import without libpulse0 (docs/hardware.md, "Sound"):
then nothing is available and every call fails cleanly.
"""

from __future__ import annotations

import functools
import io
import logging
import wave

from PySide6 import QtCore

log = logging.getLogger(__name__)

try:
    from PySide6 import QtMultimedia
except ImportError as exc:  # pragma: no cover - depends on the system's libraries
    QtMultimedia = None  # type: ignore[assignment]
    _MULTIMEDIA_ERROR = str(exc)
else:
    _MULTIMEDIA_ERROR = ""

try:
    from PySide6 import QtTextToSpeech
except ImportError as exc:  # pragma: no cover - depends on the system's libraries
    QtTextToSpeech = None  # type: ignore[assignment]
    _SPEECH_ERROR = str(exc)
else:
    _SPEECH_ERROR = ""

NO_MULTIMEDIA = "Không tải được thư viện âm thanh của Qt (cần libpulse0)."
NO_DEVICE = "Không có thiết bị âm thanh."
BAD_DATA = "Dữ liệu âm thanh hỏng, không phát được."
NO_TTS = "Không tải được bộ đọc văn bản của Qt (cần libpulse0)."
NO_ENGINE = "Bộ đọc văn bản không dùng được."
NO_VIETNAMESE = "Không có giọng đọc tiếng Việt."
TOO_LONG = "Âm thanh phát quá lâu, đã dừng."

# Silence added after the sound: the sink reports "idle" when it has taken the last bytes,
# which may still be in the device's buffer; stopping it then would cut the last word short.
TAIL_MS = 250


class _Output(QtCore.QObject):
    """The finished/failed bookkeeping shared by the outputs: one ``finished`` per call."""

    finished = QtCore.Signal()
    failed = QtCore.Signal(str)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._volume = 1.0
        self._active = False  # a play()/say() whose finished is not yet sent
        self._watchdog = QtCore.QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._timed_out)

    def _begin(self, seconds: float) -> None:
        """A call starts: it must end within ``seconds`` (or it is cut short as failed)."""
        self._active = True
        self._watchdog.start(round(seconds * 1000))

    def _end(self, reason: str | None = None, *, now: bool = False) -> None:
        """The current call is over (failed for ``reason`` if given): release the engine and
        emit from the event loop, or right away if ``now`` (stop, or a new call replacing it)."""
        if not self._active:
            return
        self._active = False
        self._watchdog.stop()
        self._release()
        if reason:
            log.warning("%s: %s", type(self).__name__, reason)
        if now:
            self._emit_end(reason)
        else:
            QtCore.QTimer.singleShot(0, self, functools.partial(self._emit_end, reason))

    def _fail_later(self, reason: str) -> None:
        """A call that could not start: failed then finished, from the event loop."""
        self._active = True
        self._end(reason)

    def _emit_end(self, reason: str | None) -> None:
        if reason:
            self.failed.emit(reason)
        self.finished.emit()

    def _timed_out(self) -> None:
        self._end(TOO_LONG)

    def _release(self) -> None:
        """Stop and drop whatever plays the current call."""

    def stop(self) -> None:
        """Stop at once; ``finished`` is emitted (before this returns) if something was playing."""
        self._end(now=True)


class WavOutput(_Output):
    """Plays WAV bytes through the default audio device with QAudioSink (not QSoundEffect/QMediaPlayer)."""

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._sink: QtMultimedia.QAudioSink | None = None
        self._buffer: QtCore.QBuffer | None = None
        if QtMultimedia is None:
            log.error("QtMultimedia cannot be imported, no sound: %s", _MULTIMEDIA_ERROR)

    def available(self) -> bool:
        """A default output device exists."""
        return QtMultimedia is not None and not QtMultimedia.QMediaDevices.defaultAudioOutput().isNull()

    def set_volume(self, volume: float) -> None:
        """0.0 (silent) to 1.0 (full), linear."""
        self._volume = min(1.0, max(0.0, float(volume)))
        if self._sink is not None:
            self._sink.setVolume(self._volume)

    def play(self, wav: bytes) -> None:
        """Start playing the WAV file ``wav`` (PCM, 8/16/32-bit) and return at once."""
        self._end(now=True)  # the one playing, if any, is cut short
        if QtMultimedia is None:
            self._fail_later(NO_MULTIMEDIA)
            return
        try:
            with wave.open(io.BytesIO(wav), "rb") as reader:
                channels, width, rate = reader.getnchannels(), reader.getsampwidth(), reader.getframerate()
                frames = reader.readframes(reader.getnframes())
        except (wave.Error, EOFError, ValueError, TypeError) as exc:
            log.warning("cannot read the WAV data: %s", exc)
            self._fail_later(BAD_DATA)
            return
        sample_formats = {
            1: QtMultimedia.QAudioFormat.SampleFormat.UInt8,
            2: QtMultimedia.QAudioFormat.SampleFormat.Int16,
            4: QtMultimedia.QAudioFormat.SampleFormat.Int32,
        }
        if width not in sample_formats:
            log.warning("%d-bit WAV data cannot be played", 8 * width)
            self._fail_later(BAD_DATA)
            return
        device = QtMultimedia.QMediaDevices.defaultAudioOutput()
        if device.isNull():
            self._fail_later(NO_DEVICE)
            return
        fmt = QtMultimedia.QAudioFormat()
        fmt.setChannelCount(channels)
        fmt.setSampleRate(rate)
        fmt.setSampleFormat(sample_formats[width])
        if not device.isFormatSupported(fmt):
            self._fail_later(
                f"Thiết bị âm thanh không phát được định dạng {rate} Hz, {8 * width} bit, {channels} kênh."
            )
            return
        silent = b"\x80" if width == 1 else b"\x00" * width
        frames += silent * channels * (rate * TAIL_MS // 1000)
        seconds = len(frames) / (rate * channels * width)

        self._buffer = QtCore.QBuffer(self)
        self._buffer.setData(QtCore.QByteArray(frames))
        self._buffer.open(QtCore.QIODevice.OpenModeFlag.ReadOnly)
        self._sink = QtMultimedia.QAudioSink(device, fmt, self)
        self._sink.setVolume(self._volume)
        self._sink.stateChanged.connect(self._on_state)
        self._begin(seconds + 5)
        log.debug("playing %.2f s on %s", seconds, device.description())
        self._sink.start(self._buffer)
        if self._active and self._sink.error() != QtMultimedia.QtAudio.Error.NoError:
            self._end(self._sink_error(self._sink.error()))

    @staticmethod
    def _sink_error(error: QtMultimedia.QtAudio.Error) -> str:
        errors = QtMultimedia.QtAudio.Error
        if error == errors.OpenError:
            return "Không mở được thiết bị âm thanh."
        if error == errors.IOError:
            return "Lỗi khi đưa âm thanh ra thiết bị."
        return "Thiết bị âm thanh bị lỗi."

    def _on_state(self) -> None:
        # No state argument: PySide 6.11 cannot convert the QAudio::State that stateChanged carries
        # ("Cannot call meta function ... cannot be converted"); a slot without parameters works.
        sink = self._sink
        if not self._active or sink is None:
            return
        states = QtMultimedia.QtAudio.State
        state = sink.state()
        if state == states.IdleState:  # every byte taken: done (an underrun here is the end of data)
            self._end()
        elif state == states.StoppedState:
            error = sink.error()
            self._end(None if error == QtMultimedia.QtAudio.Error.NoError else self._sink_error(error))

    def _release(self) -> None:
        sink, buffer = self._sink, self._buffer
        self._sink = self._buffer = None
        if sink is not None:
            sink.stateChanged.disconnect(self._on_state)
            sink.stop()
            sink.deleteLater()
        if buffer is not None:
            buffer.close()
            buffer.deleteLater()


class SpeechOutput(_Output):
    """Speaks text with QTextToSpeech using a Vietnamese voice/locale, if the system has one."""

    language = QtCore.QLocale.Language.Vietnamese

    def __init__(self, engine: str | None = None, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._tts: QtTextToSpeech.QTextToSpeech | None = None
        self._has_voice = False
        self._told_no_voice = False
        self._spoke = False  # the engine has started speaking the current text
        if QtTextToSpeech is None:
            log.error("QtTextToSpeech cannot be imported, no speech: %s", _SPEECH_ERROR)
            return
        if engine:
            self._tts = QtTextToSpeech.QTextToSpeech(engine, self)
        else:
            self._tts = QtTextToSpeech.QTextToSpeech(self)
        self._tts.stateChanged.connect(self._on_state)
        self._tts.errorOccurred.connect(self._on_error)
        self._pick_voice()

    def _pick_voice(self) -> None:
        """Switch the engine to the language's locale and a voice of it, once it is ready."""
        tts = self._tts
        if tts is None or self._has_voice or tts.state() == QtTextToSpeech.QTextToSpeech.State.Error:
            return
        locales = [loc for loc in tts.availableLocales() if loc.language() == self.language]
        if locales:
            # the country's own variant first (vi_VN)
            locales.sort(key=lambda loc: loc.territory() != QtCore.QLocale(self.language).territory())
            tts.setLocale(locales[0])
        voices = [voice for voice in tts.availableVoices() if voice.locale().language() == self.language]
        if voices:
            tts.setVoice(voices[0])
        self._has_voice = bool(locales or voices)
        if self._has_voice:
            log.info(
                "text to speech: engine %s, locale %s, voice %s",
                tts.engine() or "(default)",
                tts.locale().name(),
                tts.voice().name(),
            )
        elif not self._told_no_voice:
            self._told_no_voice = True
            log.info(
                "text to speech engine %s has no %s voice (locales: %s)",
                tts.engine() or "(default)",
                QtCore.QLocale.languageToString(self.language),
                ", ".join(loc.name() for loc in tts.availableLocales()) or "none",
            )

    def _unavailable_reason(self) -> str | None:
        if self._tts is None:
            return NO_TTS
        if self._tts.state() == QtTextToSpeech.QTextToSpeech.State.Error:
            detail = self._tts.errorString()
            return f"{NO_ENGINE} ({detail})" if detail else NO_ENGINE
        self._pick_voice()
        return None if self._has_voice else NO_VIETNAMESE

    def available(self) -> bool:
        """The engine is loaded and has a voice of the language (Vietnamese)."""
        return self._unavailable_reason() is None

    def set_volume(self, volume: float) -> None:
        """0.0 (silent) to 1.0 (full)."""
        self._volume = min(1.0, max(0.0, float(volume)))
        if self._tts is not None:
            self._tts.setVolume(self._volume)

    def say(self, text: str) -> None:
        """Start speaking ``text`` and return at once; finished when the engine is Ready again."""
        self._end(now=True)
        reason = self._unavailable_reason()
        if reason is not None:
            self._fail_later(reason)
            return
        assert self._tts is not None
        if not text.strip():
            self._begin(1)
            self._end()
            return
        self._spoke = False
        # about 3 characters a word, at most 4 words a second, and a margin for a slow start
        self._begin(10 + len(text) / 6)
        self._tts.setVolume(self._volume)
        self._tts.say(text)

    def _on_state(self, state: QtTextToSpeech.QTextToSpeech.State) -> None:
        states = QtTextToSpeech.QTextToSpeech.State
        if state == states.Ready:
            self._pick_voice()  # engines that load asynchronously have their voices now
        if not self._active:
            return
        if state in (states.Speaking, states.Synthesizing):
            self._spoke = True
        elif state == states.Ready and self._spoke:
            self._end()
        elif state == states.Error:
            self._end(f"{NO_ENGINE} ({self._tts.errorString() if self._tts else ''})")

    def _on_error(self, reason: QtTextToSpeech.QTextToSpeech.ErrorReason, message: str) -> None:
        if self._active:
            self._end(f"{NO_ENGINE} ({message})" if message else NO_ENGINE)

    def _release(self) -> None:
        tts = self._tts
        if tts is not None and tts.state() in (
            QtTextToSpeech.QTextToSpeech.State.Speaking,
            QtTextToSpeech.QTextToSpeech.State.Paused,
            QtTextToSpeech.QTextToSpeech.State.Synthesizing,
        ):
            tts.stop(QtTextToSpeech.QTextToSpeech.BoundaryHint.Immediate)
