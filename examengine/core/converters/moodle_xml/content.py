"""Moodle text as our Markdown: the text formats (html, moodle_auto_format, plain_text, markdown) and the
images embedded as `<file>` elements and referenced as `@@PLUGINFILE@@/name`, plus the placeholders
that keep a fill question's blanks apart while its text is converted."""
from __future__ import annotations

import base64
import binascii
import html
import re
import unicodedata
import xml.etree.ElementTree as ET  # noqa: N817 -- element types; uploads are parsed with defusedxml
from urllib.parse import unquote

from markdownify import markdownify

from examengine.core.banks.scanner import heading, mark_fences, split_lines
from examengine.core.converters.drafts import Conversion
from examengine.core.converters.moodle_xml.common import Refused, Source, child_text, text_of
from examengine.core.messages import N_
from examengine.core.qtypes.base import section_name

MAX_IMAGE_BYTES = 10 * 1024 * 1024

_IMAGE_SIGNATURES = {
    "png": (b"\x89PNG\r\n\x1a\n",), "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"), "webp": (b"RIFF",),  # then 4 bytes of size and WEBP
}
_PLUGINFILE = re.compile(r"@@PLUGINFILE@@(/[^\"'<>\s()]*)")
_UNSAFE_NAME_CHARS = re.compile(r"[^\w.-]+")
_HTML_BLOCK = re.compile(r"<(?:p|div|br|ul|ol|li|table|pre|h[1-6]|blockquote)\b", re.IGNORECASE)
UNDERSCORES = re.compile(r"(?:\\_|_){3,}")
_LITERAL_BRACES = re.compile(r"(?<!\\)\{\{")
# Blank placeholders while a text goes through markdownify (private-use characters it leaves alone).
TOKEN_OPEN, TOKEN_CLOSE = "\ue000", "\ue001"
_TOKEN = re.compile(f"{TOKEN_OPEN}(\\d+){TOKEN_CLOSE}")


class TextReader:
    """The reading of a question's text elements, whose images it stores in the conversion."""

    def __init__(self, conversion: Conversion):
        self.conversion = conversion
        self.stored_images: dict[str, bytes] = {}

    def _warn(self, source: Source, message: str) -> None:
        self.conversion.problem(source.location, message, "warning")

    def _raw(self, source: Source, elem: ET.Element | None) -> tuple[str, str]:
        """A text element's raw text, its images stored and pointed at, and its format."""
        if elem is None:
            return "", "html"
        fmt = (elem.get("format") or "html").strip().lower()
        return self._images(source, elem, child_text(elem, "text")), fmt

    def _markdown(self, source: Source, elem: ET.Element | None) -> str:
        raw, fmt = self._raw(source, elem)
        return to_markdown(raw, fmt)

    def _images(self, source: Source, elem: ET.Element, raw: str) -> str:
        if "@@PLUGINFILE@@" not in raw:
            return raw
        files = {(file.get("path") or "/") + (file.get("name") or ""): file for file in elem.findall("file")}
        stored: dict[str, str | None] = {}

        def replace(match: re.Match) -> str:
            reference = unquote(match.group(1))
            if reference not in stored:
                stored[reference] = self._image(source, files.get(reference), reference)
            name = stored[reference]
            return f"images/{name}" if name else match.group(0)
        return _PLUGINFILE.sub(replace, raw)

    def _image(self, source: Source, file: ET.Element | None, reference: str) -> str | None:
        """The stored file name of an embedded image, or None (warned) when it can't be stored."""
        name = reference.rsplit("/", 1)[-1]
        if file is None:
            self._warn(source, N_("image %(name)r is referenced but not included in the file: export the questions "
                                  "again with their files", name=name[:100]))
            return None
        if not _plain_file_name(name):
            self._warn(source, N_("image %(name)r was left out: its name is not a plain file name", name=name[:100]))
            return None
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in _IMAGE_SIGNATURES:
            self._warn(source, N_("image %(name)r was left out: only PNG, JPEG, GIF and WebP images are converted",
                                  name=name[:100]))
            return None
        try:
            content = base64.b64decode(text_of(file), validate=False)
        except (binascii.Error, ValueError):
            content = b""
        if not _is_image(extension, content):
            self._warn(source, N_("image %(name)r was left out: its content is not a %(type)s image (damaged "
                                  "base64?)", name=name[:100], type=extension.upper()))
            return None
        if len(content) > MAX_IMAGE_BYTES:
            self._warn(source, N_("image %(name)r was left out: it is %(size)s bytes, over the limit of %(limit)s",
                                  name=name[:100], size=f"{len(content):,}", limit="10 MB"))
            return None
        return self._store_image(name, content)

    def _store_image(self, name: str, content: bytes) -> str:
        """A name for the image under images/, unique in the conversion (Moodle names pastes image.png)."""
        safe = _UNSAFE_NAME_CHARS.sub("_", name).lstrip(".") or "image"
        stem, dot, extension = safe.rpartition(".")
        candidate, counter = safe, 1
        while self.stored_images.get(candidate, content) != content:
            counter += 1
            candidate = f"{stem}-{counter}{dot}{extension}"
        self.stored_images[candidate] = content
        self.conversion.files[f"images/{candidate}"] = content
        return candidate


def _is_image(extension: str, content: bytes) -> bool:
    if not content.startswith(_IMAGE_SIGNATURES[extension]):
        return False
    return extension != "webp" or content[8:12] == b"WEBP"


def _plain_file_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and not any(
        char in name for char in "/\\:") and not any(unicodedata.category(char)[0] == "C" for char in name)


def strip_tokens(raw: str) -> str:
    return raw.replace(TOKEN_OPEN, "").replace(TOKEN_CLOSE, "")


def to_markdown(raw: str, fmt: str) -> str:
    """Moodle text in its format as our Markdown."""
    if fmt == "markdown":
        return trim_blank_lines(raw)
    if fmt in ("plain_text", "wiki_like"):
        raw = html.escape(raw).replace("\n", "<br>\n")
    elif fmt == "moodle_auto_format" and not _HTML_BLOCK.search(raw):
        raw = raw.replace("\n", "<br>\n")  # Moodle keeps this format's line breaks
    try:
        converted = markdownify(raw, bullets="-", escape_misc=True,
                                keep_inline_images_in=["td", "th", "h1", "h2", "h3", "h4", "h5", "h6"])
    except RecursionError:
        raise Refused(N_("the HTML of this text is nested too deeply to convert: simplify it in Moodle's "
                          "editor"), "error") from None
    return trim_blank_lines(converted.replace("\xa0", " "))


def fill_markdown(raw: str, fmt: str) -> str:
    """Markdown of a fill stem whose blanks are placeholders in `raw`: literal `{{` escaped, `{{n}}` markers."""
    text = _LITERAL_BRACES.sub(r"\\{{", to_markdown(raw, fmt))
    # A `{` or a backslash right before a blank would merge with its braces or escape them.
    text = re.sub(f"([{{\\\\])(?={TOKEN_OPEN})", r"\1 ", text)
    return _TOKEN.sub(lambda match: f"{{{{{match.group(1)}}}}}", text)


def trim_blank_lines(text: str) -> str:
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def split_section(markdown: str, name: str) -> tuple[str, str]:
    """(text before, text after) the first `###` heading of section `name` outside code, else (text, '')."""
    lines, _ = mark_fences(split_lines(markdown), 1)
    for index, line in enumerate(lines):
        found = heading(line)
        if found and found[0] == 3 and section_name(found[1]) == name:
            before = "\n".join(item.text for item in lines[:index])
            after = "\n".join(item.text for item in lines[index + 1:])
            return trim_blank_lines(before), trim_blank_lines(after)
    return markdown, ""
