"""Payment file layouts: each a small parser turning a bank's file into payment lines.

The banks' official byte layouts (가상계좌 입금통지, 지로 수납내역, CMS 출금결과, 카드 승인) are given
only to member institutions, so the utility defines its own, carrying the same fields. A real
bank's layout is added by writing one more ``Layout`` subclass and ``register``-ing it.

Every file has a header record (H), data records (D) and a trailer record (T) whose count of data
records and total amount must match, or the file is refused. Text is read as UTF-8 (with or
without a BOM) or, failing that, CP949/EUC-KR (what Korean banks send).

Channels (the two-letter code in a file, the name kept on the payment):
``VA`` va 가상계좌, ``GR`` giro 지로, ``CM`` cms CMS 자동이체, ``CD`` card 카드, ``CT`` counter 창구.

**fixed** — fixed width, 150 bytes per record (counted in CP949, where a Hangul syllable is 2
bytes; a UTF-8 file is measured as if it were CP949), records separated by CR LF or LF::

    H  1 record type "H" | 2-8 sequence "0000000" | 9-16 file date YYYYMMDD
       | 17-23 institution giro number | 24-150 blank
    D  1 "D" | 2-8 sequence 0000001… (consecutive) | 9-16 receipt date YYYYMMDD
       | 17-24 transfer date YYYYMMDD or blank | 25-27 bank code | 28-31 branch code
       | 32-38 giro number | 39-68 e-payment number, virtual account or bill number (left, blank-padded)
       | 69-81 amount in won (13 digits, zero-padded) | 82-83 channel code
       | 84-103 transaction id (left, blank-padded) | 104-133 payer name | 134-150 blank
    T  1 "T" | 2-8 "9999999" | 9-15 number of D records | 16-30 total amount of D records | 31-150 blank

**csv** — comma-separated, one record per row, the first field the record type::

    H,<file date YYYYMMDD>,<institution giro number>
    D,<sequence>,<receipt date>,<transfer date>,<bank>,<branch>,<giro number>,<reference>,<amount>,<channel>,<transaction id>,<payer>
    T,<number of D records>,<total amount>

Dates are ``YYYYMMDD`` or ``YYYY-MM-DD``; the transfer date may be empty; the channel is its code
or name; amounts are whole won, more than zero (a bank's cancellation is a reversal made by a
clerk). A transaction id is 1–30 letters, digits, ``-``, ``_`` or ``.``, unique per channel.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from flask_babel import gettext as _

from erp.common.text import decode_korean

MAX_AMOUNT = 10 ** 13  # won: what 13 digits hold, far below the database's BIGINT
CHANNELS = {"VA": "va", "GR": "giro", "CM": "cms", "CD": "card", "CT": "counter"}
CHANNEL_CODES = {name: code for code, name in CHANNELS.items()}
CHANNEL_LABELS = {"va": "가상계좌", "giro": "지로", "cms": "CMS 자동이체", "card": "카드", "counter": "창구"}
_TXN = re.compile(r"^[0-9A-Za-z._-]{1,30}$")
_TXNS = re.compile(r"[0-9A-Za-z._-]{1,30}(?:\n[0-9A-Za-z._-]{1,30})*")  # transaction ids, one a line


@dataclass(slots=True)
class PaymentLine:
    """One payment as a file or a gateway reported it."""

    line_no: int
    channel: str
    txn_id: str
    received_on: date
    transferred_on: date | None
    bank_code: str
    branch_code: str
    giro_no: str
    reference: str
    amount: int
    payer: str = ""


class LineError(ValueError):
    """A record that cannot be read, with the reason."""


def at(line_no: int, reason: str) -> str:
    """An error of a file, as shown: the line and the reason."""
    return _("line %(n)d: %(reason)s", n=line_no, reason=reason)


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (a BOM dropped) or else CP949 (a superset of EUC-KR)."""
    try:
        return decode_korean(data)
    except ValueError:
        raise LineError(_("The file is neither UTF-8 nor Korean Excel (CP949) text.")) from None


def csv_rows(text: str) -> list[list[str]]:
    """The records of a CSV text as the csv module reads them. A bank's file seldom quotes
    anything: without a quote character, and with lines ended by CRLF or LF alone, splitting the
    text is the same reading, four times quicker (half a million lines in a fraction of a
    second); anything else is read by the csv module."""
    if '"' not in text:
        lines = text.replace("\r\n", "\n")
        if "\r" not in lines:
            rows = [line.split(",") if line else [] for line in lines.split("\n")]
            if rows and rows[-1] == []:
                rows.pop()  # the csv module reads no record after the last line's end
            return rows
    return list(csv.reader(io.StringIO(text, newline="")))


@lru_cache(maxsize=4096)
def _date(digits: str) -> date:
    # A file's lines share a few dates: each is read once.
    return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))


def parse_date(text: str, what: str, *, required: bool = True) -> date | None:
    text = text.strip()
    if not text:
        if required:
            raise LineError(_("%(what)s is missing.", what=what))
        return None
    digits = text.replace("-", "")
    if len(digits) != 8 or not digits.isdigit():
        raise LineError(_("%(what)s '%(text)s' is not a date YYYYMMDD.", what=what, text=text))
    try:
        return _date(digits)
    except ValueError:
        raise LineError(_("%(what)s '%(text)s' is not a date YYYYMMDD.", what=what, text=text)) from None


def parse_amount(text: str, what: str = "") -> int:
    what = what or _("The amount")
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        raise LineError(_("%(what)s '%(text)s' is not a whole number of won.", what=what, text=text))
    return int(text)


def line_from_fields(line_no: int, *, channel: str, txn_id: str, received_on: str, transferred_on: str, bank_code: str,
                     branch_code: str, giro_no: str, reference: str, amount: str | int, payer: str = "") -> PaymentLine:
    """A payment line from its fields as text (a file's or a gateway's), checked; LineError otherwise."""
    channel = channel.strip()
    channel = CHANNELS.get(channel.upper(), channel.lower())
    if channel not in CHANNEL_LABELS:
        raise LineError(_("Unknown channel '%(channel)s' (one of %(codes)s).", channel=channel, codes=", ".join(CHANNELS)))
    txn_id = txn_id.strip()
    if not _TXN.match(txn_id):
        raise LineError(_("The transaction id '%(txn)s' must be 1–30 letters, digits, '-', '_' or '.'.", txn=txn_id))
    reference = reference.strip()
    if not reference:
        raise LineError(_("The e-payment number, virtual account or bill number is missing."))
    if len(reference) > 40:
        raise LineError(_("The reference is longer than 40 characters."))
    value = amount if isinstance(amount, int) and not isinstance(amount, bool) else parse_amount(str(amount))
    if not 0 < value < MAX_AMOUNT:
        raise LineError(_("The amount must be more than zero and less than 10 trillion won."))
    bank_code, branch_code, giro_no = bank_code.strip(), branch_code.strip(), giro_no.strip()
    for text, width, what in ((bank_code, 3, _("The bank code")), (branch_code, 4, _("The branch code")), (giro_no, 10, _("The giro number"))):
        if len(text) > width or (text and not (text.isascii() and text.isdigit())):
            raise LineError(_("%(what)s '%(text)s' must be up to %(n)d digits.", what=what, text=text, n=width))
    return PaymentLine(line_no, channel, txn_id, parse_date(received_on, _("The receipt date")),
                       parse_date(transferred_on, _("The transfer date"), required=False), bank_code,
                       branch_code, giro_no, reference, value, payer.strip()[:100])


class Layout:
    """A payment file layout: ``parse`` returns the lines and the errors (each "line N: reason");
    a file with any error is imported not at all."""

    name = ""
    label = ""

    def parse(self, data: bytes) -> tuple[list[PaymentLine], list[str]]:
        raise NotImplementedError  # each layout defines it

    @staticmethod
    def check_trailer(lines: list[PaymentLine], count: int, total: int, trailer_no: int, errors: list[str]) -> None:
        found, amount = len(lines), sum(line.amount for line in lines)
        if count != found or total != amount:
            errors.append(at(trailer_no, _("The trailer says %(count)s records and %(total)s won; the file holds %(found)s "
                                           "and %(amount)s won.", count=f"{count:,}", total=f"{total:,}", found=f"{found:,}",
                                           amount=f"{amount:,}")))


class FixedLayout(Layout):
    """The fixed-width layout (150 bytes a record); see the module's docstring."""

    name = "fixed"
    label = "고정길이 (150 bytes)"
    WIDTH = 150

    def parse(self, data: bytes) -> tuple[list[PaymentLine], list[str]]:
        text = decode(data)
        records = text.replace("\r\n", "\n").split("\n")
        while records and not records[-1].strip():
            records.pop()
        lines, errors, trailer, seen = [], [], None, 0
        if not records or not records[0].startswith("H"):
            return [], [at(1, _("The file must begin with a header record (H)."))]
        for number, record in enumerate(records, start=1):
            raw = record.encode("cp949", errors="replace")
            if len(raw) != self.WIDTH:
                errors.append(at(number, _("A record is %(width)d bytes, this one %(n)d.", width=self.WIDTH, n=len(raw))))
                continue

            def field(start: int, end: int) -> str:
                return raw[start - 1:end].decode("cp949", errors="replace")

            kind = field(1, 1)
            try:
                if kind == "H":
                    if number != 1:
                        raise LineError(_("A header record (H) only begins the file."))
                    parse_date(field(9, 16), _("The file date"))
                elif kind == "D":
                    if trailer is not None:
                        raise LineError(_("A data record after the trailer."))
                    seen += 1
                    sequence = field(2, 8)
                    if not sequence.isdigit() or int(sequence) != seen:
                        raise LineError(_("The sequence '%(seq)s' is not %(n)s.", seq=sequence, n=f"{seen:07d}"))
                    lines.append(line_from_fields(
                        number, received_on=field(9, 16), transferred_on=field(17, 24), bank_code=field(25, 27),
                        branch_code=field(28, 31), giro_no=field(32, 38), reference=field(39, 68), amount=field(69, 81),
                        channel=field(82, 83), txn_id=field(84, 103), payer=field(104, 133)))
                elif kind == "T":
                    if trailer is not None:
                        raise LineError(_("A second trailer record."))
                    trailer = (number, parse_amount(field(9, 15), _("The trailer's count")),
                               parse_amount(field(16, 30), _("The trailer's total")))
                else:
                    raise LineError(_("Unknown record type '%(kind)s' (H, D or T).", kind=kind))
            except LineError as error:
                errors.append(at(number, str(error)))
        if trailer is None:
            errors.append(at(len(records) + 1, _("The trailer record (T) is missing.")))
        elif not errors:
            if trailer[0] != len(records):
                errors.append(at(trailer[0], _("The trailer must be the last record.")))
            self.check_trailer(lines, trailer[1], trailer[2], trailer[0], errors)
        return lines, errors

    @classmethod
    def write(cls, lines: list[PaymentLine], *, file_date: date, giro_no: str = "") -> bytes:
        """The file of ``lines`` in this layout, CP949 (for tests, benchmarks and the CMS request)."""
        out = [cls._pad(f"H0000000{file_date:%Y%m%d}{giro_no:<7}")]
        for sequence, line in enumerate(lines, start=1):
            out.append(cls._pad(
                f"D{sequence:07d}{line.received_on:%Y%m%d}{line.transferred_on.strftime('%Y%m%d') if line.transferred_on else '':<8}"
                f"{line.bank_code:<3}{line.branch_code:<4}{line.giro_no:<7}{cls._fit(line.reference, 30)}{line.amount:013d}"
                f"{CHANNEL_CODES[line.channel]}{line.txn_id:<20}" + cls._fit(line.payer, 30)))
        out.append(cls._pad(f"T9999999{len(lines):07d}{sum(line.amount for line in lines):015d}"))
        return b"".join(record + b"\r\n" for record in out)

    @classmethod
    def _pad(cls, text: str) -> bytes:
        raw = text.encode("cp949")
        return raw + b" " * (cls.WIDTH - len(raw))

    @staticmethod
    def _fit(text: str, width: int) -> str:
        """``text`` cut to ``width`` CP949 bytes without splitting a syllable, then blank-padded."""
        raw = text.encode("cp949", errors="replace")[:width]
        cut = raw.decode("cp949", errors="ignore")
        return cut + " " * (width - len(cut.encode("cp949")))


class CsvLayout(Layout):
    """The CSV layout; see the module's docstring."""

    name = "csv"
    label = "CSV"

    def parse(self, data: bytes) -> tuple[list[PaymentLine], list[str]]:
        rows = csv_rows(decode(data))
        while rows and not any(cell.strip() for cell in rows[-1]):
            rows.pop()
        if not rows or rows[0][:1] != ["H"]:
            return [], [at(1, _("The file must begin with a header record (H)."))]
        fast = self._parse_clean(rows)
        if fast is not None:
            return fast, []
        lines, errors, trailer, seen = [], [], None, 0
        for number, row in enumerate(rows, start=1):
            kind = row[0].strip() if row else ""
            try:
                if kind == "H":
                    if number != 1 or len(row) < 2:
                        raise LineError(_("A header record (H) only begins the file."))
                    parse_date(row[1], _("The file date"))
                elif kind == "D":
                    if trailer is not None:
                        raise LineError(_("A data record after the trailer."))
                    if len(row) not in (11, 12):
                        raise LineError(_("A data record has 12 fields, this one %(n)d.", n=len(row)))
                    seen += 1
                    if row[1].strip() != str(seen):
                        raise LineError(_("The sequence '%(seq)s' is not %(n)s.", seq=row[1].strip(), n=seen))
                    lines.append(line_from_fields(
                        number, received_on=row[2], transferred_on=row[3], bank_code=row[4], branch_code=row[5],
                        giro_no=row[6], reference=row[7], amount=row[8], channel=row[9], txn_id=row[10],
                        payer=row[11] if len(row) > 11 else ""))
                elif kind == "T":
                    if trailer is not None or len(row) != 3:
                        raise LineError(_("The trailer is one record T,count,total."))
                    trailer = (number, parse_amount(row[1], _("The trailer's count")), parse_amount(row[2], _("The trailer's total")))
                else:
                    raise LineError(_("Unknown record type '%(kind)s' (H, D or T).", kind=kind))
            except LineError as error:
                errors.append(at(number, str(error)))
        if trailer is None:
            errors.append(at(len(rows) + 1, _("The trailer record (T) is missing.")))
        elif not errors:
            if trailer[0] != len(rows):
                errors.append(at(trailer[0], _("The trailer must be the last record.")))
            self.check_trailer(lines, trailer[1], trailer[2], trailer[0], errors)
        return lines, errors

    @staticmethod
    def _parse_clean(rows: list[list[str]]) -> list[PaymentLine] | None:
        """The lines of a file written exactly to the layout, checked column by column with C
        loops (a bank's file of 500,000 lines is read in a few seconds); None when anything is
        unusual, and the record-by-record reading then names every bad line."""
        header, data, trailer = rows[0], rows[1:-1], rows[-1]
        if len(header) < 2 or trailer[:1] != ["T"] or len(trailer) != 3 or not data:
            return None
        try:
            parse_date(header[1], _("The file date"))
            if {len(row) for row in data} - {12} or {row[0] for row in data} != {"D"}:
                return None
            columns = list(zip(*data))
            (_kinds, sequence, received, transferred, banks, branches, giros, references, amounts, channels, txns, payers) = columns
            if sequence != tuple(map(str, range(1, len(data) + 1))):
                return None
            channel_of = {code: CHANNELS.get(code.upper(), code.lower()) for code in set(channels)}
            if not set(channel_of.values()) <= set(CHANNEL_LABELS):
                return None
            received_on = {text: parse_date(text, "") for text in set(received)}
            transferred_on = {text: parse_date(text, "", required=False) for text in set(transferred)}
            for column, width in ((banks, 3), (branches, 4), (giros, 10)):
                for value in set(column):
                    if len(value) > width or (value and not (value.isascii() and value.isdigit())):
                        return None
            if not _TXNS.fullmatch("\n".join(txns)) or "".join(amounts).strip() != "".join(amounts):
                return None
            values = list(map(int, amounts))
            if min(values) <= 0 or max(values) >= MAX_AMOUNT or min(map(len, references)) == 0 or max(map(len, references)) > 40 \
                    or any(ref != ref.strip() or ref[:1] == "" for ref in references):
                return None
            count, total = int(trailer[1]), int(trailer[2])
        except (LineError, ValueError):
            return None
        if count != len(data) or total != sum(values):
            return None
        return [PaymentLine(n, channel_of[c], t, received_on[r], transferred_on[x], b, br, g, ref, v, p.strip()[:100])
                for n, c, t, r, x, b, br, g, ref, v, p in zip(range(2, len(data) + 2), channels, txns, received, transferred,
                                                              banks, branches, giros, references, values, payers)]

    @staticmethod
    def write(lines: list[PaymentLine], *, file_date: date, giro_no: str = "", encoding: str = "utf-8") -> bytes:
        """The file of ``lines`` in this layout."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(["H", f"{file_date:%Y%m%d}", giro_no])
        for sequence, line in enumerate(lines, start=1):
            writer.writerow(["D", sequence, f"{line.received_on:%Y%m%d}",
                             line.transferred_on.strftime("%Y%m%d") if line.transferred_on else "", line.bank_code,
                             line.branch_code, line.giro_no, line.reference, line.amount, CHANNEL_CODES[line.channel],
                             line.txn_id, line.payer])
        writer.writerow(["T", len(lines), sum(line.amount for line in lines)])
        return buffer.getvalue().encode(encoding)


LAYOUTS: dict[str, Layout] = {}


def register(layout: Layout) -> Layout:
    """Make ``layout`` available by its name (upload page, ``--layout``)."""
    LAYOUTS[layout.name] = layout
    return layout


register(FixedLayout())
register(CsvLayout())


def detect(data: bytes) -> str:
    """The layout a file is most likely written in: ``fixed`` when its first record is a
    150-byte header, otherwise ``csv``."""
    first = data.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].rstrip(b"\r")
    return "fixed" if first.startswith(b"H") and len(first) >= FixedLayout.WIDTH and b"," not in first else "csv"


def parse(data: bytes, layout: str = "") -> tuple[list[PaymentLine], list[str]]:
    """The lines of a payment file and the errors found (``layout`` by name; detected when empty)."""
    name = layout or detect(data)
    if name not in LAYOUTS:
        return [], [_("Unknown layout '%(name)s' (one of %(names)s).", name=name, names=", ".join(LAYOUTS))]
    try:
        return LAYOUTS[name].parse(data)
    except LineError as error:
        return [], [str(error)]


# --- CMS auto-debit (자동이체) --------------------------------------------------------------------
#
# The debit request for a due date is written in the ``fixed`` layout above: one D record per bill
# to debit, channel CM, the bill number as reference (it carries the customer's account number,
# the 납부자번호 the bank registered the debit under), the amount asked, the debit's transaction
# id, and the due date as receipt and transfer date.
#
# The bank's answer, **cms-result** (CSV, UTF-8 or CP949)::
#
#     H,<file date YYYYMMDD>,<institution giro number>
#     D,<sequence>,<transaction id of the request>,<result code>,<amount debited>,<debit date>,<reason>
#     T,<number of D records>,<total amount debited>
#
# Result code ``0000`` is a debit made (the amount must be the amount asked); any other code is a
# failure, with the bank's reason (잔액부족, 계좌해지 …) kept and shown.


@dataclass(slots=True)
class CmsResultLine:
    line_no: int
    txn_id: str
    code: str
    amount: int
    debited_on: date
    reason: str


def parse_cms_result(data: bytes) -> tuple[list[CmsResultLine], list[str]]:
    """The lines of a CMS result file and the errors found (a file with any error imports nothing)."""
    try:
        rows = list(csv.reader(io.StringIO(decode(data), newline="")))
    except LineError as error:
        return [], [str(error)]
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows or rows[0][:1] != ["H"]:
        return [], [at(1, _("The file must begin with a header record (H)."))]
    lines, errors, trailer, seen = [], [], None, 0
    for number, row in enumerate(rows, start=1):
        kind = row[0].strip() if row else ""
        try:
            if kind == "H":
                if number != 1:
                    raise LineError(_("A header record (H) only begins the file."))
            elif kind == "D":
                seen += 1
                if len(row) != 7:
                    raise LineError(_("A result record has 7 fields, this one %(n)d.", n=len(row)))
                if row[1].strip() != str(seen):
                    raise LineError(_("The sequence '%(seq)s' is not %(n)s.", seq=row[1].strip(), n=seen))
                txn_id, code = row[2].strip(), row[3].strip()
                if not _TXN.match(txn_id):
                    raise LineError(_("The transaction id '%(txn)s' must be 1–30 letters, digits, '-', '_' or '.'.", txn=txn_id))
                if not code or len(code) > 10:
                    raise LineError(_("The result code is missing."))
                amount = parse_amount(row[4] or "0", _("The amount debited"))
                lines.append(CmsResultLine(number, txn_id, code, amount, parse_date(row[5], _("The debit date")), row[6].strip()[:100]))
            elif kind == "T":
                if trailer is not None or len(row) != 3:
                    raise LineError(_("The trailer is one record T,count,total."))
                trailer = (number, parse_amount(row[1], _("The trailer's count")), parse_amount(row[2], _("The trailer's total")))
            else:
                raise LineError(_("Unknown record type '%(kind)s' (H, D or T).", kind=kind))
        except LineError as error:
            errors.append(at(number, str(error)))
    if trailer is None:
        errors.append(at(len(rows) + 1, _("The trailer record (T) is missing.")))
    elif not errors:
        if trailer[1] != len(lines) or trailer[2] != sum(line.amount for line in lines):
            Layout.check_trailer(lines, trailer[1], trailer[2], trailer[0], errors)
    return lines, errors


def write_cms_result(lines: list[CmsResultLine], *, file_date: date, giro_no: str = "") -> bytes:
    """A result file as the bank writes it (for tests and demonstrations)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["H", f"{file_date:%Y%m%d}", giro_no])
    for sequence, line in enumerate(lines, start=1):
        writer.writerow(["D", sequence, line.txn_id, line.code, line.amount, f"{line.debited_on:%Y%m%d}", line.reason])
    writer.writerow(["T", len(lines), sum(line.amount for line in lines)])
    return buffer.getvalue().encode("utf-8")
