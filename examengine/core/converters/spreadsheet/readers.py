"""The readers: an .xlsx or .csv file to the rows of its question sheet, handed to `_SheetReader`.

For an .xlsx: the zip guard (empty file, .xls, not a zip, too many members, decompression bomb), the
question sheet (题库 / questions, else the first), formulas without a saved value, percentages as text.
For a .csv: the encoding (UTF-8, else GBK/GB18030 with a warning), the delimiter, and record numbers
counted as a spreadsheet shows them."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterator

from examengine.core.banks.encodings import encoding_label, guess_encoding
from examengine.core.converters.drafts import Conversion, never_raises
from examengine.core.converters.spreadsheet.cells import _number_text
from examengine.core.converters.spreadsheet.columns import _FIELD_BY_KEY, SHEET_NAMES, header_key
from examengine.core.converters.spreadsheet.sheet import _SheetReader
from examengine.core.messages import N_

MAX_ZIP_BYTES = 200 * 1024 * 1024  # uncompressed; a real bank of 10,000 questions is a few MB
MAX_ZIP_MEMBERS = 10_000
MAX_CSV_FIELD = 1_000_000  # characters; csv's default (131,072) is below what a long case can be


@never_raises
def read_xlsx(conversion: Conversion, data: bytes) -> None:
    """An .xlsx file in the template's layout -> drafts and problems. Never raises."""
    _read_xlsx(conversion, data)


@never_raises
def read_csv(conversion: Conversion, data: bytes) -> None:
    """A .csv file in the template's layout (`,`, `;` or tab separated) -> drafts and problems. Never raises."""
    _read_csv(conversion, data)


def _read_xlsx(conversion: Conversion, data: bytes) -> None:
    if not _zip_is_sane(conversion, data):
        return
    import openpyxl  # here, not at the top: reading a CSV or writing Markdown never needs it

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about features it drops (extensions, styles)
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 -- any damage inside the zip surfaces as some exception
            conversion.problem("", N_("the workbook could not be read (%(error)s): open it in Excel or WPS and "
                                      "save it again as .xlsx", error=type(exc).__name__))
            return
        try:
            sheet_index = _question_sheet(workbook)
            if sheet_index is None:
                conversion.problem("", N_("the workbook has no worksheet: put the questions on the first sheet"))
                return
            conversion.title = str(workbook.properties.title or "").strip()
            formulas = _formulas_without_value(data, sheet_index) if _has_formulas(data) else set()
            sheet = workbook.worksheets[sheet_index]
            sheet.reset_dimensions()  # a wrong <dimension> would pad every row to it
            _SheetReader(conversion, formulas).read(_sheet_values(sheet))
        except Exception as exc:  # noqa: BLE001 -- a damaged sheet fails while it is read, row by row
            conversion.problem("", N_("the workbook could not be read (%(error)s): open it in Excel or WPS and "
                                      "save it again as .xlsx", error=type(exc).__name__))
        finally:
            workbook.close()


def _sheet_values(sheet) -> Iterator[tuple[int, list]]:
    """(row number, values) of a read-only sheet; a number shown as a percentage is its text (`85%`, which
    Excel stores as 0.85)."""
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        values = []
        for cell in cells:
            value = cell.value
            if type(value) in (int, float) and "%" in (cell.number_format or ""):
                value = _number_text(value * 100) + "%"
            values.append(value)
        yield number, values


def _zip_is_sane(conversion: Conversion, data: bytes) -> bool:
    """Whether `data` is a zip openpyxl may open: decompression bombs and non-zips are reported instead."""
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        conversion.problem("", N_("the file is empty"))
        return False
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: an .xls workbook, or an encrypted .xlsx
        conversion.problem("", N_("this is an old .xls workbook or a password-protected .xlsx: save it in Excel "
                                  "or WPS as .xlsx (Excel 工作簿) without a password"))
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception:  # noqa: BLE001 -- BadZipFile, and the odd ValueError of a damaged directory
        conversion.problem("", N_("this is not an .xlsx workbook (it is not a zip archive): save it in Excel or "
                                  "WPS as .xlsx (Excel 工作簿), or use the .csv template"))
        return False
    if len(members) > MAX_ZIP_MEMBERS:
        conversion.problem("", N_("the workbook holds %(count)s files, over the limit of %(limit)s: it is not a "
                                  "question bank workbook", count=f"{len(members):,}", limit=f"{MAX_ZIP_MEMBERS:,}"))
        return False
    size = sum(member.file_size for member in members)
    if size > MAX_ZIP_BYTES:
        conversion.problem("", N_("the workbook unpacks to %(size)s MB, over the limit of %(limit)s MB: split the "
                                  "questions into several files", size=f"{size / 2**20:,.0f}",
                                  limit=f"{MAX_ZIP_BYTES / 2**20:,.0f}"))
        return False
    return True


def _question_sheet(workbook) -> int | None:
    """The index of the sheet called 题库 / questions, else of the first sheet."""
    sheets = workbook.worksheets
    for index, sheet in enumerate(sheets):
        if unicodedata.normalize("NFKC", sheet.title).strip().casefold() in SHEET_NAMES:
            return index
    return 0 if sheets else None


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet of the zip has a formula (cheap: most uploads have none)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml") and _FORMULA_TAG.search(archive.read(name)):
                return True
    return False


def _formulas_without_value(data: bytes, sheet_index: int) -> set[tuple[int, int]]:
    """(row, 0-based column) of the formulas of the sheet; those without a saved value read as empty."""
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        sheet = workbook.worksheets[sheet_index]
        sheet.reset_dimensions()
        return {(row, column) for row, values in enumerate(sheet.iter_rows(values_only=True), start=1)
                for column, value in enumerate(values)
                if isinstance(value, str) and value.startswith("=") or type(value).__name__.endswith("Formula")}
    finally:
        workbook.close()


def _read_csv(conversion: Conversion, data: bytes) -> None:
    text = _decoded(conversion, data)
    if text is None:
        return
    delimiter = _delimiter(text[:65536])
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CSV_FIELD))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    _SheetReader(conversion, set()).read(_csv_records(conversion, reader))


def _delimiter(sample: str) -> str:
    """`,`, `;` or tab: the one that splits the header row into the most known columns, else the sniffer's
    guess, else the most frequent in the first line."""
    def known_headers(delimiter: str) -> int:
        try:
            for record in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
                if any(cell.strip() for cell in record):
                    return sum(header_key(cell) in _FIELD_BY_KEY for cell in record)
        except csv.Error:
            pass
        return 0

    counts = {delimiter: known_headers(delimiter) for delimiter in ",;\t"}
    best = max(counts, key=counts.get)
    if counts[best] > 1:
        return best
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:  # one column, or nothing to tell by
        first_line = sample.split("\n", 1)[0]
        return max(",;\t", key=first_line.count)


def _decoded(conversion: Conversion, data: bytes) -> str | None:
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        conversion.problem("", N_("the file is empty"))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    codec = guess_encoding(data)
    if codec is not None:
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            text = None
        if text is not None:
            conversion.problem("", N_("the file is encoded as %(encoding)s, not UTF-8; it was read as %(encoding)s "
                                      "(save it as \"CSV UTF-8\" to avoid this warning)",
                                      encoding=encoding_label(codec)), "warning")
            return text.removeprefix("\ufeff")
    conversion.problem("", N_("the file is neither UTF-8 nor GBK text: save it as \"CSV UTF-8\" (or use the .xlsx "
                              "template)"))
    return None


def _csv_records(conversion: Conversion, reader) -> Iterator[tuple[int, list[str]]]:
    """(record number, cells): the record number is the row a spreadsheet shows, whatever line breaks
    its quoted cells hold."""
    number = 0
    while True:
        number += 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            conversion.problem(str(number), N_("the CSV can't be read from this row on (%(error)s): check its quotes",
                                               error=str(exc)))
            return
        yield number, record
