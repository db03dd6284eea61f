"""The formats a bank can come in and go out as, looked up by name or by file name.

One entry per format (CTFd-style registry): its reader `read(path, data) -> Conversion` and, where the
format can hold a whole bank, its writer `write(drafts, *, key, title) -> bytes`. Modules are imported
on first use, so a command that never converts never loads openpyxl or python-docx.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

from examengine.core.converters.drafts import Conversion
from examengine.core.messages import N_


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    extensions: tuple[str, ...]  # lower case, with the dot
    module: str  # under examengine.core.converters
    reader: str | None
    writer: str | None = None
    media_type: str = "application/octet-stream"
    download_extension: str = ""

    def read(self, path: str, data: bytes) -> Conversion:
        return getattr(self._module(), self.reader)(path, data)

    def write(self, drafts, *, key: str, title: str) -> bytes:
        return getattr(self._module(), self.writer)(drafts, key=key, title=title)

    def _module(self):
        return importlib.import_module(f"examengine.core.converters.{self.module}")


FORMATS: dict[str, Format] = {fmt.name: fmt for fmt in (
    Format("xlsx", "Excel (.xlsx)", (".xlsx",), "spreadsheet", "read_xlsx", "write_xlsx",
           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    Format("csv", "CSV (.csv)", (".csv",), "spreadsheet", "read_csv"),
    Format("docx", "Word (.docx)", (".docx",), "docx", "read_docx"),
    Format("gift", "Moodle GIFT (.gift, .txt)", (".gift",), "gift", "read_gift"),
    Format("aiken", "Moodle Aiken (.txt)", (".aiken",), "aiken", "read_aiken"),
    Format("moodle-xml", "Moodle XML (.xml)", (".xml",), "moodle_xml", "read_moodle_xml", "write_moodle_xml",
           "application/xml", ".xml"),
    Format("qti", "IMS QTI 2.1 package (.zip)", (".zip",), "qti", "read_qti", "write_qti",
           "application/zip", ".qti.zip"),
)}
IMPORT_FORMATS = [fmt for fmt in FORMATS.values() if fmt.reader]
EXPORT_FORMATS = ["md"] + [fmt.name for fmt in FORMATS.values() if fmt.writer]


def get(name: str) -> Format | None:
    return FORMATS.get(name)


def detect(path: str, data: bytes) -> Format | None:
    """The format of a file by its extension; a `.txt` file is Aiken if its questions end in `ANSWER:`, else GIFT."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    for fmt in FORMATS.values():
        if name.endswith(fmt.extensions):
            return fmt
    if name.endswith(".txt"):
        return FORMATS["aiken"] if _looks_like_aiken(data) else FORMATS["gift"]
    return None


_AIKEN_ANSWER = re.compile(r"(?im)^\s*(?:ANSWER|答案)\s*[:：]")


def _looks_like_aiken(data: bytes) -> bool:
    head = data[:65536].decode("utf-8", "replace")
    return bool(_AIKEN_ANSWER.search(head)) and "{" not in head


def convert(path: str, data: bytes, fmt: Format | None = None) -> Conversion:
    """Read one file with its format (given, else detected). Never raises."""
    fmt = fmt or detect(path, data)
    if fmt is None:
        conversion = Conversion(path)
        conversion.problem("", N_("unknown file type: convert .xlsx, .csv, .docx, .gift, .txt (GIFT or Aiken), "
                                  ".xml (Moodle XML) or .zip (QTI)"))
        return conversion
    try:
        return fmt.read(path, data)
    except Exception as exc:  # noqa: BLE001 -- a reader's bug must not turn an upload into a 500
        conversion = Conversion(path)
        conversion.problem("", N_("internal error while converting this file (%(error)s); please report it",
                                  error=type(exc).__name__))
        return conversion
