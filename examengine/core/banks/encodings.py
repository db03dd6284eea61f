"""Which encoding a bank that is not UTF-8 looks like, so the refusal can name it and show its line.

Banks are UTF-8 only; this only makes the refusal helpful. charset-normalizer guesses; on the short
texts banks are, it often mistakes GBK for another East Asian double-byte code (cp949, Big5). Our
authors write Simplified Chinese on Windows, whose legacy code page is GBK, so whenever the guess is
an East Asian multi-byte code and the bytes decode as GB18030 (GBK's superset), GB18030 is named.
"""
from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

# Python codec names charset-normalizer reports for East Asian double-byte encodings.
_EAST_ASIAN = {"gb2312", "gbk", "gb18030", "hz", "big5", "big5hkscs", "cp950", "cp949", "euc_kr", "johab",
               "shift_jis", "cp932", "euc_jp", "iso2022_jp", "iso2022_kr", "shift_jis_2004", "shift_jisx0213",
               "euc_jis_2004", "euc_jisx0213"}
_LABELS = {"gb18030": "GBK (GB18030)", "big5": "Big5", "utf_16": "UTF-16", "utf_16_le": "UTF-16 LE",
           "utf_16_be": "UTF-16 BE", "utf_32": "UTF-32", "cp1252": "Windows-1252", "latin_1": "Latin-1"}
SAMPLE_BYTES = 256 * 1024  # enough to recognise an encoding; the whole file would only be slower


def guess_encoding(data: bytes) -> str | None:
    """A Python codec name the bytes decode with, or None when nothing fits or the file is mostly
    UTF-8 (a stray byte)."""
    sample = data[:SAMPLE_BYTES]
    if _mostly_utf8(sample):
        return None  # a UTF-8 file with a stray byte: naming another encoding would mislead
    best = from_bytes(sample).best()
    guessed = best.encoding if best is not None else None
    if (guessed is None or guessed in _EAST_ASIAN) and _decodes(sample, "gb18030"):
        return "gb18030"
    return guessed


def encoding_label(codec: str) -> str:
    """How people name the encoding: "GBK (GB18030)", "Big5", "UTF-16"..."""
    return _LABELS.get(codec, codec.replace("_", "-").upper())


def _mostly_utf8(data: bytes) -> bool:
    """More valid non-ASCII UTF-8 characters than broken bytes (GBK text is almost all broken)."""
    text = data.decode("utf-8", "replace")
    broken = text.count("\ufffd")
    return sum(1 for char in text if char > "\x7f") - broken > broken


def _decodes(data: bytes, codec: str) -> bool:
    try:  # not final: the sample may end inside a character
        codecs.getincrementaldecoder(codec)().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True
