"""Makes the Vietnamese voice clips shipped in display_board/voice/vi (run once; the clips are committed).

Each clip is said by espeak-ng's Vietnamese voice, then sox trims the silence around it, fades its
ends (5 ms in, 10 ms out: no clicks), normalises it to -3 dBFS and writes it as mono 16-bit PCM at
22050 Hz. ``chime.wav``, a two-note "ding-dong", is synthesised here in Python. The app never needs
espeak-ng or sox (they are not project dependencies): ``apt-get install espeak-ng sox`` to run this.

    python tools/make_voice_clips.py [--out DIR] [--voice vi] [--speed 145] [--word-speed 125] [--pitch 45]

The northern voice (``vi``) is the default: Phú Thọ is in the north. A centre's own recordings
are better than these; see display_board/voice/vi/README.md.
"""

from __future__ import annotations

import argparse
import array
import math
import pathlib
import shutil
import subprocess
import sys
import tempfile
import wave

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from display_board import speech  # noqa: E402 - after the work tree is on sys.path

RATE = 22050
PEAK_DBFS = -3.0
NEEDED = ("espeak-ng", "sox")
PHRASES = (speech.PHRASE_CALL, speech.PHRASE_TO_COUNTER, speech.PHRASE_RECALL)

# What espeak-ng is given when the written words read badly: it says "gi" alone as a bare "z",
# and a hyphen between the two syllables of a letter name can make it pause or spell.
ESPEAK_TEXT: dict[str, str] = {
    "letter_j": "di",
}


def espeak_text(name: str) -> str:
    return ESPEAK_TEXT.get(name, speech.CLIP_WORDS[name].replace("-", " "))


def make_clip(
    name: str, out_dir: pathlib.Path, tmp: pathlib.Path, *, voice: str, speed: int, pitch: int
) -> pathlib.Path:
    raw = tmp / f"{name}.raw.wav"
    out = out_dir / f"{name}.wav"
    espeak = [_binary("espeak-ng"), "-v", voice, "-s", str(speed), "-p", str(pitch), "-g", "2"]
    subprocess.run([*espeak, "-w", str(raw), "--", espeak_text(name)], check=True)  # noqa: S603
    # silence ... reverse silence ... reverse: trim both ends; a fade at each end against clicks.
    trim = ["silence", "1", "0.005", "0.1%"]
    effects = [*trim, "fade", "t", "0.005", "reverse", *trim, "fade", "t", "0.01", "reverse"]
    output = ["-r", str(RATE), "-c", "1", "-b", "16", "-e", "signed-integer", str(out)]
    sox = [_binary("sox"), "-D", str(raw), *output, *effects, "norm", str(PEAK_DBFS)]
    subprocess.run(sox, check=True)  # noqa: S603
    return out


def _binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(name)
    return path


def chime_samples(rate: int = RATE) -> list[float]:
    """A two-note "ding-dong" (E5 then C5, like a doorbell), -3 dBFS, about 1.6 s."""
    notes = [(659.25, 0.0), (523.25, 0.6)]  # (frequency Hz, start s)
    partials = [(1.0, 1.0), (2.0, 0.35), (3.0, 0.12), (4.2, 0.05)]  # (frequency ratio, amplitude)
    decay = 0.33  # s, time constant of the exponential decay
    fade_in = 0.005
    length = 1.6
    fade_out = 0.08
    samples = []
    for i in range(round(length * rate)):
        t = i / rate
        value = 0.0
        for freq, start in notes:
            local = t - start
            if local < 0:
                continue
            envelope = math.exp(-local / decay) * min(1.0, local / fade_in)
            # higher partials die away faster, as on a struck bar
            value += envelope * sum(
                amp * math.exp(-local * (ratio - 1) * 1.5) * math.sin(2 * math.pi * freq * ratio * local)
                for ratio, amp in partials
            )
        value *= min(1.0, (length - t) / fade_out)
        samples.append(value)
    top = max(abs(s) for s in samples)
    scale = 10 ** (PEAK_DBFS / 20) / top
    return [s * scale for s in samples]


def write_wav(path: pathlib.Path, samples: list[float], rate: int = RATE) -> None:
    pcm = array.array("h", (round(s * 32767) for s in samples))
    if sys.byteorder == "big":
        pcm.byteswap()
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())


def check(path: pathlib.Path) -> tuple[float, float]:
    """(duration s, peak 0-1) of a clip written here."""
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, RATE), path
        pcm = array.array("h", wav.readframes(wav.getnframes()))
    if sys.byteorder == "big":
        pcm.byteswap()
    return len(pcm) / RATE, max((abs(s) for s in pcm), default=0) / 32768


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=speech.CLIPS_DIR, help="default: shipped folder")
    parser.add_argument("--voice", default="vi", help="espeak-ng voice: vi, vi-vn-x-central, vi-vn-x-south")
    parser.add_argument("--speed", type=int, default=145, help="words a minute, phrases (espeak-ng -s)")
    parser.add_argument(
        "--word-speed", type=int, default=125, help="words a minute for digits, numbers and letters (slower)"
    )
    parser.add_argument("--pitch", type=int, default=45, help="0-99 (espeak-ng -p)")
    args = parser.parse_args(argv)

    missing = [tool for tool in NEEDED if shutil.which(tool) is None]
    if missing:
        print(
            f"needs {' and '.join(missing)} on PATH: apt-get install espeak-ng sox (Debian/Ubuntu)",
            file=sys.stderr,
        )
        return 2
    out_dir: pathlib.Path = args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in speech.CLIP_WORDS:
            if name == speech.CHIME:
                path = out_dir / f"{name}.wav"
                write_wav(path, chime_samples())
            else:
                try:
                    speed = args.speed if name in PHRASES else args.word_speed
                    path = make_clip(
                        name, out_dir, pathlib.Path(tmp), voice=args.voice, speed=speed, pitch=args.pitch
                    )
                except subprocess.CalledProcessError as exc:
                    print(f"{name}: {exc}", file=sys.stderr)
                    return 1
            written.append(path)
    total = 0
    for path in written:
        seconds, peak = check(path)
        size = path.stat().st_size
        total += size
        words = speech.CLIP_WORDS[path.stem]
        print(f"{path.name:18} {seconds:5.2f} s  peak {peak:4.2f}  {size / 1024:5.1f} KiB  {words}")
    print(f"{len(written)} clips, {total / 1024:.0f} KiB in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
