"""1-bit images to ESC/POS bytes (``GS v 0`` raster) and back, and the printer's own QR command.

We write the few bytes of ``GS v 0`` ourselves instead of calling python-escpos's
``Dummy().image(...)``, which produces the same block bytes, because going through it costs more
than the encoding: ``import escpos`` runs ``mkdtemp()`` at import time even when
ESCPOS_CAPABILITIES_PICKLE_DIR is set (the default argument of ``environ.get`` is evaluated
eagerly; seen with python-escpos 3.1), ``image()`` prints to stdout when the profile has no media
width and raises ``ImageWidthError`` when the image is wider than the profile's, and each
fragment is converted four times (RGBA, L, inverted, 1). Here a whole image is one
``tobytes()`` and one ``bytes.translate``.

``decode`` reads such a byte stream back into the image a printer would print, so tests (and a
fake printer) can compare it with what was rendered.
"""

from __future__ import annotations

import dataclasses

from PIL import Image

ESC = b"\x1b"
GS = b"\x1d"
DLE = b"\x10"
FS = b"\x1c"
LF = b"\n"

INITIALISE = ESC + b"@"
PARTIAL_CUT = GS + b"V\x01"
_RASTER = GS + b"v0"
_RASTER_HEADER_LENGTH = 8  # GS v 0 m xL xH yL yH
# Epson's limits for GS v 0: 1..2303 rows, 1..65535 bytes a row.
MAX_FRAGMENT_ROWS = 2303
_MAX_ROW_BYTES = 0xFFFF
_MAX_QR_BYTES = 7089

# Pillow's mode '1' sets a bit for white; GS v 0 sets a bit for a printed (black) dot.
_INVERT = bytes(255 - value for value in range(256))

# Commands decode() steps over, by their leading bytes, with their total length in bytes.
_FIXED_LENGTH = {
    ESC + b"@": 2,  # initialise
    ESC + b"2": 2,  # default line spacing
    ESC + b"3": 3,  # line spacing n
    ESC + b"d": 3,  # print and feed n lines
    ESC + b"J": 3,  # print and feed n dots
    ESC + b"a": 3,  # justification
    ESC + b"E": 3,  # emphasis
    ESC + b"G": 3,  # double strike
    ESC + b"!": 3,  # print mode
    ESC + b"-": 3,  # underline
    ESC + b"M": 3,  # character font
    ESC + b"R": 3,  # international character set
    ESC + b"t": 3,  # code page
    ESC + b"{": 3,  # upside down
    ESC + b"p": 5,  # drawer kick pulse
    GS + b"!": 3,  # character size
    GS + b"B": 3,  # reverse printing
    GS + b"H": 3,  # barcode text position
    GS + b"f": 3,  # barcode text font
    GS + b"h": 3,  # barcode height
    GS + b"w": 3,  # barcode module width
    GS + b"a": 3,  # automatic status back
    GS + b"r": 3,  # transmit status
    GS + b"L": 4,  # left margin
    GS + b"W": 4,  # print area width
    DLE + b"\x04": 3,  # real-time status (DLE EOT n)
    DLE + b"\x05": 3,  # real-time request
    DLE + b"\x14": 5,  # real-time pulse
    FS + b".": 2,  # cancel Kanji mode
    FS + b"&": 2,  # Kanji mode
}
_CUT_WITHOUT_FEED = frozenset(b"\x00\x01\x30\x31")  # GS V m; the others are GS V m n
_COMMAND_STARTS = frozenset(ESC + GS + DLE + FS)


def encode(image: Image.Image, *, fragment_rows: int = 256, cut: bool = True, feed_lines: int = 3) -> bytes:
    """ESC @, then ``image`` as GS v 0 blocks of at most ``fragment_rows`` rows, feed, partial cut.

    The image is made 1-bit (black = ink; other modes are thresholded at mid-grey, never
    dithered) and padded on the right with white to a multiple of 8 dots. Fragments keep each
    block small enough for the buffers of cheap printers (hardware.md: about 256 rows).
    """
    if not 1 <= fragment_rows <= MAX_FRAGMENT_ROWS:
        raise ValueError(f"fragment_rows must be 1..{MAX_FRAGMENT_ROWS}, not {fragment_rows}")
    parts = [INITIALISE, *raster_blocks(image, fragment_rows=fragment_rows)]
    if cut:
        parts.append(feed_and_cut(feed_lines=feed_lines))
    elif feed_lines:
        parts.append(feed(lines=feed_lines))
    return b"".join(parts)


def raster_blocks(image: Image.Image, *, fragment_rows: int = 256) -> list[bytes]:
    """The GS v 0 blocks of ``image``, each at most ``fragment_rows`` rows, without ESC @ or cut."""
    bitmap = _bitmap(image)
    row_bytes = bitmap.width // 8
    if row_bytes > _MAX_ROW_BYTES:
        raise ValueError(f"image is too wide for GS v 0: {bitmap.width} dots")
    ink = bitmap.tobytes().translate(_INVERT)
    blocks = []
    for top in range(0, bitmap.height, fragment_rows):
        rows = min(fragment_rows, bitmap.height - top)
        header = _RASTER + b"\x00" + row_bytes.to_bytes(2, "little") + rows.to_bytes(2, "little")
        blocks.append(header + ink[top * row_bytes : (top + rows) * row_bytes])
    return blocks


def feed(*, lines: int) -> bytes:
    """ESC d n: print what is buffered and feed ``lines`` lines."""
    if not 0 <= lines <= 255:
        raise ValueError(f"feed lines must be 0..255, not {lines}")
    return ESC + b"d" + bytes((lines,))


def feed_and_cut(*, feed_lines: int = 3) -> bytes:
    """Feed so the last printed row clears the cutter, then a partial cut (GS V 1)."""
    return (feed(lines=feed_lines) if feed_lines else b"") + PARTIAL_CUT


def qr_command(data: str, *, size: int = 6) -> bytes:
    """The printer's native QR code (GS ( k, model 2, error correction M), centred.

    About 60 bytes instead of thousands of raster bytes, but not every printer implements
    GS ( k (hardware.md), so this is a per-printer option; ``size`` is the module size in dots.
    """
    payload = data.encode("utf-8")
    if not 1 <= len(payload) <= _MAX_QR_BYTES:
        raise ValueError(f"QR data must be 1..{_MAX_QR_BYTES} bytes, not {len(payload)}")
    if not 1 <= size <= 16:
        raise ValueError(f"QR module size must be 1..16 dots, not {size}")
    return b"".join(
        [
            ESC + b"a\x01",  # centre
            _qr_function(b"1A2\x00"),  # model 2
            _qr_function(b"1C" + bytes((size,))),  # module size
            _qr_function(b"1E1"),  # error correction M (15 %)
            _qr_function(b"1P0" + payload),  # store the data
            _qr_function(b"1Q0"),  # print it
            ESC + b"a\x00",  # back to left
        ]
    )


def _qr_function(body: bytes) -> bytes:
    # GS ( k pL pH cn fn ...: pL pH count the bytes after themselves.
    return GS + b"(k" + len(body).to_bytes(2, "little") + body


def _bitmap(image: Image.Image) -> Image.Image:
    if image.width == 0 or image.height == 0:
        raise ValueError("cannot print an empty image")
    bitmap = image if image.mode == "1" else image.convert("L").convert("1", dither=Image.Dither.NONE)
    padded_width = -(-bitmap.width // 8) * 8
    if padded_width != bitmap.width:
        # Pillow pads each row to a whole byte with 0 bits, which GS v 0 would print as black.
        canvas = Image.new("1", (padded_width, bitmap.height), 1)
        canvas.paste(bitmap, (0, 0))
        bitmap = canvas
    return bitmap


# --- decoding --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Block:
    image: Image.Image
    end: int


def decode(data: bytes) -> Image.Image:
    """Every GS v 0 block in ``data``, stacked top to bottom into one mode '1' image.

    Other ESC/POS commands (ESC @, ESC d n, GS V m [n], DLE EOT n, GS ( k ..., text) are
    stepped over; an unknown ESC/GS/DLE/FS command raises ValueError rather than being
    guessed at, since a wrong guess would misread the rest of the stream.
    """
    images = []
    position = 0
    while position < len(data):
        if data.startswith(_RASTER, position):
            block = _read_raster(data, position)
            images.append(block.image)
            position = block.end
        else:
            position = _skip_command(data, position)
    if not images:
        raise ValueError("no GS v 0 raster image in the data")
    return _stack(images)


def _read_raster(data: bytes, start: int) -> _Block:
    header = data[start : start + _RASTER_HEADER_LENGTH]
    if len(header) < _RASTER_HEADER_LENGTH:
        raise ValueError(f"truncated GS v 0 header at byte {start}")
    mode = header[3]
    row_bytes = int.from_bytes(header[4:6], "little")
    rows = int.from_bytes(header[6:8], "little")
    body_start = start + _RASTER_HEADER_LENGTH
    end = body_start + row_bytes * rows
    if end > len(data) or row_bytes == 0 or rows == 0:
        raise ValueError(f"bad or truncated GS v 0 block at byte {start}")
    ink = data[body_start:end].translate(_INVERT)
    image = Image.frombytes("1", (row_bytes * 8, rows), ink)
    # Modes 1/49 and 2/50 print each dot twice as wide / tall, 3/51 both.
    scale_x, scale_y = (2 if mode & 1 else 1), (2 if mode & 2 else 1)
    if (scale_x, scale_y) != (1, 1):
        image = image.resize((image.width * scale_x, image.height * scale_y), Image.Resampling.NEAREST)
    return _Block(image=image, end=end)


def _skip_command(data: bytes, position: int) -> int:
    """Where the command (or plain byte) at ``position`` ends."""
    if data[position] not in _COMMAND_STARTS:
        return position + 1  # text, LF, CR and the like
    prefix = data[position : position + 2]
    length = _FIXED_LENGTH.get(prefix)
    if length is None:
        length = _variable_length(data, position)
    end = position + length
    if end > len(data):
        raise ValueError(f"truncated command {prefix.hex(' ')} at byte {position}")
    return end


def _variable_length(data: bytes, position: int) -> int:
    prefix = data[position : position + 2]
    if prefix == GS + b"V":
        return 3 if _byte(data, position + 2) in _CUT_WITHOUT_FEED else 4
    if prefix == GS + b"(":
        # GS ( fn pL pH ...: pL pH count the bytes after themselves.
        return 5 + _byte(data, position + 3) + 256 * _byte(data, position + 4)
    if prefix == GS + b"k":
        return _barcode_length(data, position)
    if prefix == ESC + b"*":
        columns = _byte(data, position + 3) + 256 * _byte(data, position + 4)
        return 5 + columns * (3 if _byte(data, position + 2) in (32, 33) else 1)
    raise ValueError(f"unknown ESC/POS command {prefix.hex(' ')} at byte {position}")


def _barcode_length(data: bytes, position: int) -> int:
    system = _byte(data, position + 2)
    if system >= 65:  # GS k m n d1..dn
        return 4 + _byte(data, position + 3)
    terminator = data.find(b"\x00", position + 3)  # GS k m d1..dk NUL
    if terminator < 0:
        raise ValueError(f"unterminated barcode at byte {position}")
    return terminator + 1 - position


def _byte(data: bytes, index: int) -> int:
    if index >= len(data):
        raise ValueError(f"truncated command at byte {index}")
    return data[index]


def _stack(images: list[Image.Image]) -> Image.Image:
    if len(images) == 1:
        return images[0]
    width = max(image.width for image in images)
    stacked = Image.new("1", (width, sum(image.height for image in images)), 1)
    top = 0
    for image in images:
        stacked.paste(image, (0, top))
        top += image.height
    return stacked
