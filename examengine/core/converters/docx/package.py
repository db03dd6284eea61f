"""Checking that the bytes are a Word document python-docx may open: not an old .doc or a password-
protected file, a zip archive, and not a decompression bomb (too many parts, or too large unpacked)."""
from __future__ import annotations

import io
import zipfile

from examengine.core.messages import N_

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 10_000

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc files, and password-protected .docx


def package_problem(data: bytes):
    """Why these bytes can't be opened as a .docx (checked before python-docx unpacks anything), or None."""
    if data.startswith(_OLE_SIGNATURE):
        if "EncryptionInfo".encode("utf-16-le") in data:
            return N_("the document is protected by a password: open it in Word, remove the password "
                      "(文件 > 信息 > 保护文档) and save it again")
        return N_("this is an old Word 97-2003 document (.doc) or another binary Office file: open it in Word "
                  "and save it as a Word document (.docx)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception:  # noqa: BLE001 -- zipfile raises several kinds on garbage; all mean "not a zip"
        return N_("the file is not a Word document (.docx is a zip archive, and this file is not one): "
                  "save it in Word as a Word document (.docx)")
    if len(members) > MAX_MEMBERS:
        return N_("the document holds %(count)s parts, more than the %(limit)s a Word document may have",
                  count=f"{len(members):,}", limit=f"{MAX_MEMBERS:,}")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        return N_("the document unpacks to %(size)s bytes, over the limit of %(limit)s MB: make its pictures "
                  "smaller or split it", size=f"{unpacked:,}", limit=MAX_UNPACKED_BYTES // (1024 * 1024))
    if any(member.flag_bits & 0x1 for member in members):
        return N_("the document is protected by a password: open it in Word, remove the password "
                  "(文件 > 信息 > 保护文档) and save it again")
    return None
