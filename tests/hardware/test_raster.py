"""ESC/POS raster bytes: encode and decode are inverses, fragments are bounded, the stream is whole."""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from hardware import raster

ESC_AT = b"\x1b@"
CUT = b"\x1dV\x01"


def random_image(width: int, height: int, *, seed: int = 0) -> Image.Image:
    noise = random.Random(seed).randbytes(width * height // 8 + 1)
    return Image.frombytes("1", (width, height), noise)


def blocks_of(stream: bytes) -> tuple[list[tuple[int, int]], bytes]:
    """Walk ESC @ then consecutive GS v 0 blocks: their (row bytes, rows), and what follows."""
    assert stream.startswith(ESC_AT)
    position, blocks = len(ESC_AT), []
    while stream.startswith(b"\x1dv0", position):
        mode, row_bytes, rows = (
            stream[position + 3],
            stream[position + 4 : position + 6],
            stream[position + 6 : position + 8],
        )
        assert mode == 0
        shape = (int.from_bytes(row_bytes, "little"), int.from_bytes(rows, "little"))
        blocks.append(shape)
        position += 8 + shape[0] * shape[1]
    return blocks, stream[position:]


@pytest.mark.parametrize("height", [1, 255, 256, 257, 1000])
@pytest.mark.parametrize("width", [384, 512, 576])
def test_decode_gives_back_exactly_the_encoded_pixels(width: int, height: int) -> None:
    image = random_image(width, height, seed=width * height)
    decoded = raster.decode(raster.encode(image))
    assert decoded.mode == "1"
    assert decoded.size == image.size
    assert decoded.tobytes() == image.tobytes()


@pytest.mark.parametrize("fragment_rows", [1, 100, 256, 2303])
@pytest.mark.parametrize("height", [1, 255, 256, 257, 1000])
def test_fragments_never_exceed_fragment_rows(height: int, fragment_rows: int) -> None:
    stream = raster.encode(random_image(384, height), fragment_rows=fragment_rows)
    blocks, rest = blocks_of(stream)
    assert all(rows <= fragment_rows for _, rows in blocks)
    assert all(row_bytes == 48 for row_bytes, _ in blocks)
    assert sum(rows for _, rows in blocks) == height
    assert len(blocks) == -(-height // fragment_rows)
    assert rest == b"\x1bd\x03" + CUT


def test_the_stream_starts_with_initialise_and_ends_with_feed_and_partial_cut() -> None:
    stream = raster.encode(random_image(576, 300), feed_lines=5)
    assert stream.startswith(ESC_AT)
    assert stream.endswith(b"\x1bd\x05" + CUT)


def test_without_cut_the_stream_only_feeds() -> None:
    _, rest = blocks_of(raster.encode(random_image(384, 10), cut=False, feed_lines=2))
    assert rest == b"\x1bd\x02"
    _, rest = blocks_of(raster.encode(random_image(384, 10), cut=False, feed_lines=0))
    assert rest == b""


def test_a_cut_without_feed_is_just_the_cut() -> None:
    assert raster.feed_and_cut(feed_lines=0) == CUT


def test_a_width_that_is_not_a_multiple_of_8_is_padded_with_white() -> None:
    image = Image.new("1", (100, 20), 0)  # all black
    decoded = raster.decode(raster.encode(image))
    assert decoded.size == (104, 20)
    assert decoded.crop((0, 0, 100, 20)).tobytes() == image.tobytes()
    assert decoded.crop((100, 0, 104, 20)).histogram()[0] == 0  # no ink in the padding


def test_grey_images_are_thresholded_not_dithered() -> None:
    image = Image.new("L", (64, 4), 255)
    ImageDraw.Draw(image).rectangle((0, 0, 31, 3), fill=100)  # darker than mid-grey: ink
    ImageDraw.Draw(image).rectangle((32, 0, 47, 3), fill=200)  # lighter: paper
    decoded = raster.decode(raster.encode(image))
    assert decoded.crop((0, 0, 32, 4)).histogram()[0] == 32 * 4
    assert decoded.crop((32, 0, 64, 4)).histogram()[0] == 0


def test_decode_steps_over_other_commands_between_blocks() -> None:
    top, bottom = random_image(384, 40, seed=1), random_image(384, 30, seed=2)
    stream = b"".join(
        [
            ESC_AT,
            b"\x10\x04\x01",  # DLE EOT 1: status query
            b"\x1ba\x01",  # ESC a 1: centre
            raster.raster_blocks(top)[0],
            b"\x1bd\x02",  # ESC d 2: feed
            raster.qr_command("https://example.vn/ve/A001"),  # GS ( k ...
            b"Xin chao\n",  # plain text
            b"\x1dV\x42\x00",  # GS V 66 0: feed and cut
            raster.raster_blocks(bottom)[0],
            b"\x1d!\x11",  # GS ! n
            CUT,
        ]
    )
    decoded = raster.decode(stream)
    expected = Image.new("1", (384, 70), 1)
    expected.paste(top, (0, 0))
    expected.paste(bottom, (0, 40))
    assert decoded.tobytes() == expected.tobytes()


def test_decode_scales_double_width_and_height_blocks() -> None:
    image = random_image(16, 3)
    block = raster.raster_blocks(image)[0]
    doubled = block[:3] + b"\x03" + block[4:]  # GS v 0 m=3: double width and height
    decoded = raster.decode(doubled)
    assert decoded.size == (32, 6)
    assert decoded.resize((16, 3), Image.Resampling.NEAREST).tobytes() == image.tobytes()


@pytest.mark.parametrize(
    ("stream", "message"),
    [
        (ESC_AT + CUT, "no GS v 0"),
        (b"\x1b\x99\x00", "unknown"),
        (b"\x1dv0\x00\x30\x00\x10\x00" + bytes(10), "truncated"),
        (b"\x1d(k\x10\x00\x31", "truncated"),
    ],
)
def test_decode_refuses_what_it_cannot_read(stream: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        raster.decode(stream)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fragment_rows": 0}, "fragment_rows"),
        ({"fragment_rows": 2304}, "fragment_rows"),
        ({"feed_lines": 256}, "feed lines"),
        ({"feed_lines": -1}, "feed lines"),
    ],
)
def test_encode_refuses_bad_arguments(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        raster.encode(random_image(384, 10), **kwargs)  # type: ignore[arg-type]


def test_encode_refuses_an_empty_image() -> None:
    with pytest.raises(ValueError, match="empty"):
        raster.encode(Image.new("1", (384, 0)))


def test_qr_command_is_gs_k_model_2_with_the_data_and_centred() -> None:
    url = "https://dichvucong.phutho.gov.vn/hang-doi/ve/A001"
    command = raster.qr_command(url, size=5)
    assert command.startswith(b"\x1ba\x01")
    assert command.endswith(b"\x1ba\x00")
    assert b"\x1d(k\x04\x00\x31\x41\x32\x00" in command  # model 2
    assert b"\x1d(k\x03\x00\x31\x43\x05" in command  # module size 5
    assert b"\x1d(k\x03\x00\x31\x45\x31" in command  # error correction M
    payload = url.encode()
    store = b"\x1d(k" + (len(payload) + 3).to_bytes(2, "little") + b"\x31\x50\x30" + payload
    assert store in command
    assert command.index(store) < command.index(b"\x1d(k\x03\x00\x31\x51\x30")  # then print
    assert len(command) < 120  # instead of thousands of raster bytes


def test_qr_command_encodes_vietnamese_as_utf8() -> None:
    assert "Phú Thọ".encode() in raster.qr_command("Phú Thọ")


@pytest.mark.parametrize(("data", "size"), [("", 6), ("x" * 7090, 6), ("x", 0), ("x", 17)])
def test_qr_command_refuses_what_printers_cannot_do(data: str, size: int) -> None:
    with pytest.raises(ValueError, match="QR"):
        raster.qr_command(data, size=size)


def test_blocks_are_byte_for_byte_what_python_escpos_sends(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Importing escpos the first time writes its capabilities pickle and always calls
    # mkdtemp() (see raster's docstring): keep both inside this test's folder.
    if "escpos.capabilities" not in sys.modules:
        monkeypatch.setenv("ESCPOS_CAPABILITIES_PICKLE_DIR", str(tmp_path))
        monkeypatch.setattr(tempfile, "mkdtemp", lambda: str(tmp_path))
    printer = pytest.importorskip("escpos.printer", reason="python-escpos is the reference encoder")
    image = random_image(512, 600, seed=3)
    dummy = printer.Dummy(profile="TM-T88V")  # media width 512: image() stays quiet
    dummy.image(image, impl="bitImageRaster", fragment_height=256)
    assert dummy.output == b"".join(raster.raster_blocks(image, fragment_rows=256))
