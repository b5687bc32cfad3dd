"""What an announcement says, and the shipped Vietnamese clips it is said with."""

from __future__ import annotations

import array
import io
import pathlib
import sys
import wave

import pytest

from display_board import speech
from display_board.speech import ClipLibrary

RATE = 8000


@pytest.mark.parametrize(
    ("n", "clips"),
    [
        (0, ["digit_0"]),
        (1, ["digit_1"]),
        (5, ["digit_5"]),
        (9, ["digit_9"]),
        (10, ["word_muoi"]),
        (11, ["word_muoi", "digit_1"]),  # mười một, not mốt
        (12, ["word_muoi", "digit_2"]),
        (14, ["word_muoi", "digit_4"]),  # mười bốn, not tư
        (15, ["word_muoi", "word_lam"]),
        (20, ["digit_2", "word_muoi2"]),
        (21, ["digit_2", "word_muoi2", "word_mot"]),
        (24, ["digit_2", "word_muoi2", "word_tu"]),
        (25, ["digit_2", "word_muoi2", "word_lam"]),
        (30, ["digit_3", "word_muoi2"]),
        (55, ["digit_5", "word_muoi2", "word_lam"]),
        (99, ["digit_9", "word_muoi2", "digit_9"]),
        (100, ["digit_1", "digit_0", "digit_0"]),
        (105, ["digit_1", "digit_0", "digit_5"]),
    ],
)
def test_number_words(n: int, clips: list[str]) -> None:
    assert speech.number_words(n) == clips


def test_number_words_refuses_negative() -> None:
    with pytest.raises(ValueError, match="-3"):
        speech.number_words(-3)


def test_spell_ticket() -> None:
    assert speech.spell_ticket("A012") == ["letter_a", "digit_0", "digit_1", "digit_2"]
    assert speech.spell_ticket("Đ007") == ["letter_dd", "digit_0", "digit_0", "digit_7"]
    assert speech.spell_ticket("đ007") == speech.spell_ticket("Đ007")
    assert speech.spell_ticket("b1") == ["letter_b", "digit_1"]
    assert speech.spell_ticket("WZ9") == ["letter_w", "letter_z", "digit_9"]


@pytest.mark.parametrize("bad", ["A-12", "A 12", "Ă12", "A١٢", "A1?"])
def test_spell_ticket_refuses_other_characters(bad: str) -> None:
    odd = next(char for char in bad if char not in "A0123456789")
    with pytest.raises(ValueError, match=repr(odd)):
        speech.spell_ticket(bad)


def test_spell_ticket_refuses_an_empty_number() -> None:
    with pytest.raises(ValueError, match="empty"):
        speech.spell_ticket("")


def test_announcement_clips() -> None:
    assert speech.announcement_clips("A012", 12) == [
        "chime",
        "moi_cong_dan",
        "letter_a",
        "digit_0",
        "digit_1",
        "digit_2",
        "den_quay_so",
        "word_muoi",
        "digit_2",
    ]
    assert speech.announcement_clips("đ7", 21, recall=True) == [
        "chime",
        "nhac_lai",
        "moi_cong_dan",
        "letter_dd",
        "digit_7",
        "den_quay_so",
        "digit_2",
        "word_muoi2",
        "word_mot",
    ]


def test_announcement_text() -> None:
    assert (
        speech.announcement_text("A012", 12)
        == "Mời công dân có số thứ tự A, không, một, hai, đến quầy số mười hai."
    )
    assert (
        speech.announcement_text("Đ105", 25, recall=True)
        == "Xin nhắc lại. Mời công dân có số thứ tự đê, một, không, năm, đến quầy số hai mươi lăm."
    )
    assert speech.announcement_text("L4", 5) == "Mời công dân có số thứ tự e-lờ, bốn, đến quầy số năm."


def test_letter_names() -> None:
    letters = [speech.CLIP_WORDS[speech.spell_ticket(letter)[0]] for letter in "ABCDĐEFGHIJKLMNOPQRSTUVWXYZ"]
    assert letters == (
        "a bê xê dê đê e ép giê hát i gi ca e-lờ em-mờ en-nờ o pê quy e-rờ ét tê u vê "
        "vê_kép ích i_dài dét".replace(" ", ",")
        .replace("_", " ")
        .split(",")
    )


# ------------------------------------------------------------------ the shipped clips


def every_clip_an_announcement_uses() -> set[str]:
    names: set[str] = set()
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZĐ":
        names.update(speech.announcement_clips(f"{letter}0123456789", 1, recall=True))
    for counter in range(1, 100):
        names.update(speech.announcement_clips("A1", counter))
    return names


def test_every_clip_an_announcement_uses_is_shipped() -> None:
    library = ClipLibrary()
    assert library.folder == speech.CLIPS_DIR
    assert library.missing(every_clip_an_announcement_uses()) == []
    assert set(library.names) == set(speech.CLIP_WORDS) == every_clip_an_announcement_uses()


def read_samples(path: pathlib.Path) -> tuple[wave._wave_params, array.array[int]]:
    with wave.open(str(path), "rb") as wav:
        params = wav.getparams()
        samples = array.array("h", wav.readframes(wav.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return params, samples


@pytest.mark.parametrize("name", sorted(speech.CLIP_WORDS))
def test_shipped_clip_is_sensible(name: str) -> None:
    params, samples = read_samples(speech.CLIPS_DIR / f"{name}.wav")
    assert (params.nchannels, params.sampwidth, params.framerate, params.comptype) == (1, 2, 22050, "NONE")
    seconds = params.nframes / params.framerate
    assert 0.15 <= seconds <= (2.0 if name == speech.CHIME else 2.5)
    peak = max(abs(s) for s in samples) / 32768
    assert 0.25 < peak < 0.99  # heard, and not clipped
    assert abs(samples[0]) < 1000 and abs(samples[-1]) < 1000  # faded ends: no click


def test_shipped_folder_is_small_and_documented() -> None:
    clips = list(speech.CLIPS_DIR.glob("*.wav"))
    assert sum(path.stat().st_size for path in clips) < 1_500_000
    readme = (speech.CLIPS_DIR / "README.md").read_text(encoding="utf-8")
    for name, words in speech.CLIP_WORDS.items():
        assert f"`{name}.wav`" in readme
        assert words in readme


# ------------------------------------------------------------------ ClipLibrary


def write_clip(
    path: pathlib.Path, frames: int, *, rate: int = RATE, channels: int = 1, width: int = 2
) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(bytes([7]) * frames * channels * width)


@pytest.fixture
def folder(tmp_path: pathlib.Path) -> pathlib.Path:
    for name, frames in [("chime", 800), ("moi_cong_dan", 1234), ("letter_a", 101), ("digit_1", 333)]:
        write_clip(tmp_path / f"{name}.wav", frames)
    return tmp_path


def test_library_reads_a_folder(folder: pathlib.Path) -> None:
    (folder / "notes.txt").write_text("not a clip")
    write_clip(folder / "Digit_2.WAV", 80)
    library = ClipLibrary(folder)
    assert library.names == ["chime", "digit_1", "digit_2", "letter_a", "moi_cong_dan"]
    assert library.has("chime") and not library.has("notes")
    assert library.duration("moi_cong_dan") == pytest.approx(1234 / RATE)
    assert library.missing(["chime", "digit_9", "letter_a", "digit_9", "letter_b"]) == ["digit_9", "letter_b"]


def joined(wav_bytes: bytes) -> tuple[wave._wave_params, bytes]:
    assert wav_bytes[:4] == b"RIFF" and wav_bytes[8:12] == b"WAVE"
    assert int.from_bytes(wav_bytes[4:8], "little") == len(wav_bytes) - 8
    with wave.open(io.BytesIO(wav_bytes), "rb") as wav:
        return wav.getparams(), wav.readframes(wav.getnframes())


def test_join_puts_silence_between_clips(folder: pathlib.Path) -> None:
    library = ClipLibrary(folder)
    params, frames = joined(library.join(["chime", "moi_cong_dan", "letter_a", "digit_1"]))
    chime_gap, gap = 400 * RATE // 1000, 90 * RATE // 1000
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, RATE)
    assert params.nframes == 800 + chime_gap + 1234 + gap + 101 + gap + 333
    assert len(frames) == 2 * params.nframes
    assert frames[2 * 800 : 2 * (800 + chime_gap)] == bytes(2 * chime_gap)
    assert frames[2 * (800 + chime_gap) : 2 * (800 + chime_gap) + 4] == bytes([7]) * 4

    # no chime first: the ordinary gap everywhere; other gap lengths as asked
    params, _ = joined(library.join(["letter_a", "chime", "digit_1"], gap_ms=50, chime_gap_ms=1000))
    assert params.nframes == 101 + 400 + 800 + 400 + 333
    params, _ = joined(library.join(["digit_1"]))
    assert params.nframes == 333


def test_join_of_the_shipped_clips_is_exact() -> None:
    library = ClipLibrary()
    names = speech.announcement_clips("Đ012", 25, recall=True)
    params, _ = joined(library.join(names))
    lengths = [read_samples(speech.CLIPS_DIR / f"{name}.wav")[0].nframes for name in names]
    gaps = round(0.4 * 22050) + (len(names) - 2) * round(0.09 * 22050)
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, 22050)
    assert params.nframes == sum(lengths) + gaps


def test_join_in_stereo_and_8_bit(tmp_path: pathlib.Path) -> None:
    write_clip(tmp_path / "a.wav", 10, channels=2, width=1)
    write_clip(tmp_path / "b.wav", 20, channels=2, width=1)
    params, frames = joined(ClipLibrary(tmp_path).join(["a", "b"], gap_ms=10))
    assert (params.nchannels, params.sampwidth, params.nframes) == (2, 1, 10 + 80 + 20)
    assert frames[20 : 20 + 160] == b"\x80" * 160  # unsigned 8-bit silence


def test_join_names_the_missing_clips(folder: pathlib.Path) -> None:
    with pytest.raises(KeyError, match=r"digit_7, letter_q"):
        ClipLibrary(folder).join(["chime", "digit_7", "letter_a", "letter_q"])


def test_join_refuses_mixed_formats(folder: pathlib.Path) -> None:
    write_clip(folder / "digit_2.wav", 100, rate=16000)
    write_clip(folder / "digit_3.wav", 100, channels=2)
    library = ClipLibrary(folder)
    with pytest.raises(ValueError, match="one format") as raised:
        library.join(["chime", "letter_a"])
    message = str(raised.value)
    assert "16000 Hz: digit_2" in message
    assert "2 channel(s), 16-bit, 8000 Hz: digit_3" in message
    assert "1 channel(s), 16-bit, 8000 Hz: chime" in message


def test_library_refuses_what_is_not_a_clip_folder(tmp_path: pathlib.Path) -> None:
    with pytest.raises(FileNotFoundError):
        ClipLibrary(tmp_path / "nowhere")
    with pytest.raises(ValueError, match=r"no \.wav clips"):
        ClipLibrary(tmp_path)
    (tmp_path / "chime.wav").write_bytes(b"RIFF....WAVEfmt nonsense")
    with pytest.raises(ValueError, match=r"chime\.wav is not a PCM WAV"):
        ClipLibrary(tmp_path)
