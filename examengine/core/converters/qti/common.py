"""What writing and reading a QTI package share: namespaces, file names and tool markers, NCName identifiers,
XML-safe text and numbers, and the small lookups the reader makes in namespace-stripped elements."""
from __future__ import annotations

import math
import re
from typing import Protocol

from lxml import etree

from examengine.core.converters.drafts import Conversion

QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
MD_NS = "http://www.imsglobal.org/xsd/imsmd_v1p2"
MD_XSD = "http://www.imsglobal.org/xsd/imsmd_v1p2p4.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
ITEM_TYPE = "imsqti_item_xmlv2p1"
TEST_TYPE = "imsqti_test_xmlv2p1"
TEST_FILE = "assessmentTest.xml"
MANIFEST = "imsmanifest.xml"
SOURCE_SUFFIX = ".markdown.json"
TOOL_NAME = "ExamEngine"
TOOL_VERSION = "1"
DIMENSION_SOURCE = "ExamEngine: dimension"
DIFFICULTY_WORDS = ("very easy", "easy", "medium", "difficult", "very difficult")  # LOMv1.0, = 1 … 5
SOURCE_FORMAT = 1

_INVALID_XML_CHARS = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class _Identifiers:
    """NCName identifiers, unique in the package."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def new(self, key: str | None, fallback: str) -> str:
        base = ncname(key) if key else fallback
        candidate, n = base, 1
        while candidate.casefold() in self.used:  # casefold: file names must differ on Windows too
            n += 1
            candidate = f"{base}-{n}"
        self.used.add(candidate.casefold())
        return candidate


def ncname(text: str) -> str:
    """`text` as an XML NCName: invalid characters become `_`, a name that can't start so gets `q-` first."""
    name = "".join(char if _is_name_char(char) else "_" for char in text) or "q"
    return name if _is_name_start(name[0]) else f"q-{name}"


def _is_name_start(char: str) -> bool:
    code = ord(char)
    return (char == "_" or "A" <= char <= "Z" or "a" <= char <= "z" or 0xC0 <= code <= 0xD6
            or 0xD8 <= code <= 0xF6 or 0xF8 <= code <= 0x2FF or 0x370 <= code <= 0x37D
            or 0x37F <= code <= 0x1FFF or 0x200C <= code <= 0x200D or 0x2070 <= code <= 0x218F
            or 0x2C00 <= code <= 0x2FEF or 0x3001 <= code <= 0xD7FF or 0xF900 <= code <= 0xFDCF
            or 0xFDF0 <= code <= 0xFFFD or 0x10000 <= code <= 0xEFFFF)


def _is_name_char(char: str) -> bool:
    code = ord(char)
    return (_is_name_start(char) or char in "-." or "0" <= char <= "9" or code == 0xB7
            or 0x300 <= code <= 0x36F or 0x203F <= code <= 0x2040)


def _xml_text(text: str) -> str:
    """XML 1.0 can't hold control characters: they become U+FFFD (the Markdown source keeps them)."""
    return _INVALID_XML_CHARS.sub("\ufffd", str(text))


def _number(value: float) -> str:
    text = repr(float(value))  # shortest exact form: the reader gets the same float back
    return text[:-2] if text.endswith(".0") else text


def _q(tag: str) -> str:
    return f"{{{QTI_NS}}}{tag}"


def _sub(parent, tag: str, text: str | None = None, **attributes) -> etree._Element:
    element = etree.SubElement(parent, _q(tag), {name.rstrip("_"): _xml_text(value)
                                                 for name, value in attributes.items()})
    if text is not None:
        element.text = _xml_text(text)
    return element


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _classes(element) -> list[str]:
    return (element.get("class") or "").split()


def _texts(element) -> list[str]:
    """A LOM value's texts: its langstring (LOM 1.2) or string (LOM 2) children, else its own text."""
    found = [child for child in element.iter() if child.tag in ("langstring", "string")]
    values = [" ".join("".join(child.itertext()).split()) for child in found] if found else \
        [" ".join("".join(element.itertext()).split())]
    return [value for value in values if value]


def _first(element, tag: str):
    return next(element.iter(tag), None) if element is not None else None


def _float(text: str | None) -> float | None:
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class PackageAccess(Protocol):
    """What an item's reader asks of the package it sits in (`reader._PackageReader` provides it)."""
    conversion: Conversion
    keys: set[str]

    def source(self, item_name: str, location: str) -> dict: ...

    def image(self, item_name: str, src: str) -> str | None: ...
