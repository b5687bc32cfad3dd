"""Queue tickets and dossier receipts drawn into one 1-bit image at the printer's width.

Vietnamese cannot be printed reliably in a printer's text mode (hardware.md), so every slip is
one mode '1' image, ``width`` dots wide (384 for 58 mm rolls, 512 for 180-dpi 80 mm printers,
576 for 203-dpi 80 mm), that raster.encode() turns into ESC/POS bytes.

Each slip is laid out first (``ticket_layout``/``receipt_layout``: what goes where, as plain
data that tests can check) and then painted (``paint``). The QR code comes last on both slips,
below its caption, so that when a printer draws it with its own QR command
(``qr_in_image=False``; raster.qr_command(qr_payload(data))) the paper looks the same.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import zoneinfo

import qrcode
import qrcode.constants
import qrcode.exceptions
from PIL import Image, ImageDraw, ImageFont

from hardware import fonts
from onestop import identity, textfold

WIDTHS = (384, 512, 576)
MIN_WIDTH = 256
MAX_WIDTH = 2048
VN_TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_GUIDANCE = "Vui lòng chờ đến lượt. Số thứ tự chỉ có giá trị trong ngày."
TICKET_QR_CAPTION = "Quét mã để xem lượt của bạn"
RECEIPT_QR_CAPTION = "Quét mã để tra cứu hồ sơ"
RECEIPT_TITLE = "GIẤY TIẾP NHẬN HỒ SƠ"
QR_QUIET_MODULES = 4  # the white border the QR standard asks for, in modules


def _check_aware(moment: datetime.datetime, field: str) -> None:
    # A naive time would be printed as whatever zone this machine happens to be in.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{field} must carry a time zone")


@dataclasses.dataclass(frozen=True)
class TicketData:
    centre_name: str
    service_name: str
    number: str
    priority_group: str | None
    issued_at: datetime.datetime
    people_ahead: int | None
    estimated_wait_minutes: int | None
    qr_url: str | None
    guidance: str = DEFAULT_GUIDANCE
    # A line under the number on a copy printed again (e.g. "IN LẠI 09:42 02/03/2026").
    reprint_mark: str | None = None

    def __post_init__(self) -> None:
        _check_aware(self.issued_at, "issued_at")
        if not self.number.strip():
            raise ValueError("a ticket needs a number")
        for field in ("people_ahead", "estimated_wait_minutes"):
            value = getattr(self, field)
            if value is not None and value < 0:
                raise ValueError(f"{field} cannot be negative: {value}")


@dataclasses.dataclass(frozen=True)
class ReceiptData:
    centre_name: str
    dossier_code: str
    procedure_name: str
    applicant_name: str
    id_number: str  # in full: the receipt masks it (domain.md: masked on printed slips)
    received_at: datetime.datetime
    due_at: datetime.datetime
    collect_at: str
    qr_data: str | None = None  # None: the dossier code

    def __post_init__(self) -> None:
        _check_aware(self.received_at, "received_at")
        _check_aware(self.due_at, "due_at")


def qr_payload(data: TicketData | ReceiptData) -> str | None:
    """What the slip's QR code holds: the ticket's URL, or the receipt's data or dossier code."""
    if isinstance(data, TicketData):
        return data.qr_url or None
    return data.qr_data or data.dossier_code


# --- layout: what goes where -----------------------------------------------------------------

Box = tuple[int, int, int, int]  # left, top, right, bottom (right and bottom exclusive)


@dataclasses.dataclass(frozen=True)
class TextLine:
    role: str
    text: str
    size: int
    bold: bool
    x: int  # where the baseline starts
    baseline: int
    box: Box  # where the ink goes


@dataclasses.dataclass(frozen=True)
class QrBlock:
    role: str
    payload: str
    matrix: tuple[tuple[bool, ...], ...]  # True = dark module, without the quiet zone
    module: int  # dots per module
    box: Box  # the modules, without the quiet zone


@dataclasses.dataclass(frozen=True)
class Rule:
    role: str
    box: Box


Item = TextLine | QrBlock | Rule


@dataclasses.dataclass(frozen=True)
class Layout:
    width: int
    height: int
    items: tuple[Item, ...]

    def find(self, role: str) -> list[Item]:
        return [item for item in self.items if item.role == role]


@dataclasses.dataclass(frozen=True)
class _Style:
    margin: int  # dots kept white left and right
    body: int  # font sizes in pixels
    heading: int
    small: int
    number_share: float  # how much of the line the ticket number may fill
    number_cap: int  # and its largest font size
    gap: int  # blank rows between sections
    leading: int  # extra blank rows between lines
    qr_share: float  # how much of the line the QR may fill
    qr_module_range: tuple[int, int]


def _style(*, width: int, light: bool) -> _Style:
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise ValueError(f"printer width must be {MIN_WIDTH}..{MAX_WIDTH} dots, not {width}")
    # Body text of 22 px at 58 mm is about the printer's own 12x24 font; a little more at 80 mm.
    body = round(22 + (width - 384) / 48)
    margin = max(8, width // 48)
    if light:
        # For slow serial links: every row costs width/8 bytes, so fewer and shorter rows.
        # 3-dot QR modules (0.375 mm at 203 dpi) still scan from a phone held close.
        return _Style(
            margin=margin,
            body=body - 2,
            heading=body,
            small=body - 4,
            number_share=0.5,
            number_cap=width // 6,
            gap=body // 5,
            leading=0,
            qr_share=0.3,
            qr_module_range=(3, 3),
        )
    return _Style(
        margin=margin,
        body=body,
        heading=body + 4,
        small=body - 2,
        number_share=0.8,
        number_cap=int(width * 0.3),
        gap=body // 2,
        leading=body // 6,
        qr_share=0.45,
        qr_module_range=(4, 8),
    )


class _Column:
    """Stacks lines, rules and QR codes top to bottom, centred or left-aligned."""

    def __init__(self, *, width: int, style: _Style) -> None:
        self.width = width
        self.style = style
        self.y = style.gap
        self.items: list[Item] = []

    @property
    def inner(self) -> int:
        return self.width - 2 * self.style.margin

    def text(self, text: str, *, role: str, size: int, bold: bool = False, centre: bool = True) -> None:
        font = fonts.load(size, bold=bold)
        top, bottom = fonts.extent(font)
        # Centred lines are balanced: a lone last word under a long line looks like a mistake.
        for line in fonts.wrap(textfold.nfc(text), font=font, width=self.inner, balanced=centre):
            self._place(line, role=role, font=font, bold=bold, top=top, centre=centre)
            self.y += top + bottom + self.style.leading

    def big(self, text: str, *, role: str) -> None:
        """One line as large as the style allows, with only the rows its ink needs."""
        text = textfold.nfc(text)
        font = _fitting_font(text, width=int(self.inner * self.style.number_share), cap=self.style.number_cap)
        _, top, _, bottom = (int(edge) for edge in font.getbbox(text, anchor="ls"))
        self._place(text, role=role, font=font, bold=True, top=-top, centre=True)
        self.y += bottom - top

    def _place(
        self, line: str, *, role: str, font: ImageFont.FreeTypeFont, bold: bool, top: int, centre: bool
    ) -> None:
        left, ink_top, right, ink_bottom = (int(v) for v in font.getbbox(line, anchor="ls"))
        # Place by the ink, not the advance, so the visible text is what is centred and kept in.
        free = self.inner - (right - left)
        x = self.style.margin + (free // 2 if centre else 0) - left
        baseline = self.y + top
        box = (x + left, baseline + ink_top, x + right, baseline + ink_bottom)
        self.items.append(TextLine(role, line, int(font.size), bold, x, baseline, box))

    def gap(self, rows: int | None = None) -> None:
        self.y += self.style.gap if rows is None else rows

    def rule(self) -> None:
        thickness = 2
        left, right = self.style.margin, self.width - self.style.margin
        self.items.append(Rule("rule", (left, self.y, right, self.y + thickness)))
        self.y += thickness + self.style.gap

    def qr(self, payload: str) -> None:
        matrix = _qr_matrix(payload)
        count = len(matrix)
        low, high = self.style.qr_module_range
        module = max(low, min(high, int(self.inner * self.style.qr_share) // count))
        # A long payload makes a big symbol: smaller modules rather than a code off the paper.
        module = min(module, self.inner // count)
        if module < 2:  # 1-dot modules bleed together on thermal paper
            raise ValueError(f"QR data too long for a {self.width}-dot slip: {len(payload)} characters")
        side = count * module
        quiet = QR_QUIET_MODULES * module
        left = (self.width - side) // 2
        top = self.y + quiet
        self.items.append(QrBlock("qr", payload, matrix, module, (left, top, left + side, top + side)))
        self.y = top + side + quiet

    def layout(self) -> Layout:
        return Layout(self.width, self.y + self.style.gap, tuple(self.items))


def _fitting_font(text: str, *, width: int, cap: int) -> ImageFont.FreeTypeFont:
    # Ink width grows almost linearly with size: estimate from one size, then step down.
    probe = 100
    size = min(cap, max(1, probe * width // max(1, fonts.ink_width(fonts.load(probe, bold=True), text))))
    while size > 1 and fonts.ink_width(fonts.load(size, bold=True), text) > width:
        size -= 1
    return fonts.load(size, bold=True)


def _qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    # Error correction M (15 %): thermal prints smudge and fade; H would make the code larger.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(payload)
    try:
        code.make(fit=True)
    # qrcode 8.2 says "Invalid version (was 41 ...)" (a ValueError) when fitting overflows.
    except (qrcode.exceptions.DataOverflowError, ValueError) as error:
        raise ValueError(f"QR data too long for any QR code: {len(payload)} characters") from error
    return tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())


def _stamp(moment: datetime.datetime, pattern: str) -> str:
    return moment.astimezone(VN_TZ).strftime(pattern)


def _unbroken(text: str) -> str:
    return text.replace(" ", fonts.NO_BREAK_SPACE)


def _field(label: str, value: object, *, keep_value_together: bool = True) -> str:
    # A line breaks after "label:" before it breaks inside the label or inside a short value.
    shown = _unbroken(str(value)) if keep_value_together else str(value)
    return f"{_unbroken(label)}: {shown}"


def _sentences(text: str) -> list[str]:
    # Guidance reads best one sentence to a line, where the width allows.
    return [sentence for sentence in re.split(r"(?<=[.!?])\s+", text.strip()) if sentence]


def _about(minutes: int) -> str:
    if minutes < 1:
        return "dưới 1 phút"
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"khoảng {minutes} phút"
    return f"khoảng {hours} giờ" + (f" {rest} phút" if rest else "")


def ticket_layout(data: TicketData, *, width: int, light: bool = False, qr_in_image: bool = True) -> Layout:
    style = _style(width=width, light=light)
    column = _Column(width=width, style=style)
    column.text(data.centre_name, role="centre", size=style.body, bold=True)
    column.rule()
    column.text(data.service_name, role="service", size=style.heading, bold=True)
    column.gap()
    column.big(data.number, role="number")
    if data.reprint_mark:
        column.text(data.reprint_mark, role="reprint", size=style.body, bold=True)
    column.gap()
    if data.priority_group:
        column.text(_field("Ưu tiên", data.priority_group), role="priority", size=style.body, bold=True)
    _ticket_details(column, data, size=style.body)
    column.gap()
    for sentence in _sentences(data.guidance):
        column.text(sentence, role="guidance", size=style.small)
    _qr_section(column, qr_payload(data), caption=TICKET_QR_CAPTION, in_image=qr_in_image)
    return column.layout()


def _ticket_details(column: _Column, data: TicketData, *, size: int) -> None:
    issued = _stamp(data.issued_at, "%d/%m/%Y %H:%M")
    column.text(_field("Thời gian lấy số", issued), role="issued_at", size=size)
    if data.people_ahead is not None:
        column.text(_field("Số người đang chờ trước bạn", data.people_ahead), role="people_ahead", size=size)
    if data.estimated_wait_minutes is not None:
        wait = _about(data.estimated_wait_minutes)
        column.text(_field("Thời gian chờ dự kiến", wait), role="wait", size=size)


def _qr_section(column: _Column, payload: str | None, *, caption: str, in_image: bool) -> None:
    if payload is None:
        return
    column.gap()
    column.text(caption, role="qr_caption", size=column.style.small)
    if in_image:
        column.qr(payload)


def receipt_layout(data: ReceiptData, *, width: int, light: bool = False, qr_in_image: bool = True) -> Layout:
    style = _style(width=width, light=light)
    column = _Column(width=width, style=style)
    # The issuing unit above the title, as on Mẫu 01 (domain.md).
    column.text(data.centre_name, role="centre", size=style.body, bold=True)
    column.gap()
    column.text(RECEIPT_TITLE, role="title", size=style.heading, bold=True)
    column.text(_field("Mã hồ sơ", data.dossier_code), role="dossier_code", size=style.body, bold=True)
    column.rule()
    stamp = "%H:%M %d/%m/%Y"  # hh:mm dd/mm/yyyy, as the form has it
    fields = [
        ("procedure", _field("Thủ tục", data.procedure_name, keep_value_together=False), False),
        ("applicant", _field("Người nộp", data.applicant_name), False),
        ("id_number", _field("Số định danh", identity.mask_id_number(data.id_number)), False),
        ("received_at", _field("Nhận lúc", _stamp(data.received_at, stamp)), False),
        ("due_at", _field("Hẹn trả", _stamp(data.due_at, stamp)), True),
        ("collect_at", _field("Nơi nhận kết quả", data.collect_at, keep_value_together=False), False),
    ]
    for role, text, bold in fields:
        column.text(text, role=role, size=style.body, bold=bold, centre=False)
    _qr_section(column, qr_payload(data), caption=RECEIPT_QR_CAPTION, in_image=qr_in_image)
    return column.layout()


# --- painting --------------------------------------------------------------------------------


def paint(layout: Layout) -> Image.Image:
    """The layout as a mode '1' image (0 = black = ink), ``layout.width`` dots wide."""
    image = Image.new("1", (layout.width, layout.height), 1)
    draw = ImageDraw.Draw(image)
    for item in layout.items:
        if isinstance(item, TextLine):
            font = fonts.load(item.size, bold=item.bold)
            draw.text((item.x, item.baseline), item.text, font=font, anchor="ls", fill=0)
        elif isinstance(item, Rule):
            draw.rectangle(item.box, fill=0, width=0)
        else:
            image.paste(qr_image(item.matrix, module=item.module), item.box[:2])
    return image


def qr_image(matrix: tuple[tuple[bool, ...], ...], *, module: int) -> Image.Image:
    """The QR modules as a mode '1' image, ``module`` dots each, no quiet zone."""
    count = len(matrix)
    cells = bytes(0 if dark else 255 for row in matrix for dark in row)
    small = Image.frombytes("L", (count, count), cells).convert("1", dither=Image.Dither.NONE)
    # NEAREST keeps every module an exact square of whole dots: no blur for a scanner to misread.
    return small.resize((count * module, count * module), Image.Resampling.NEAREST)


def ticket(data: TicketData, *, width: int, light: bool = False, qr_in_image: bool = True) -> Image.Image:
    """The queue ticket as one 1-bit image, ``width`` dots wide."""
    return paint(ticket_layout(data, width=width, light=light, qr_in_image=qr_in_image))


def receipt(data: ReceiptData, *, width: int, light: bool = False, qr_in_image: bool = True) -> Image.Image:
    """The dossier receipt (giấy tiếp nhận hồ sơ) as one 1-bit image, ``width`` dots wide."""
    return paint(receipt_layout(data, width=width, light=light, qr_in_image=qr_in_image))
