"""Decoding of text-format uploads and the per-draft bank check shared by the text readers (GIFT, Aiken).

`decode_text` reads an uploaded text file as UTF-8 (BOM accepted), else as the legacy encoding it looks
like (GBK/GB18030 from Chinese Windows tools), with a warning naming it. `DraftChecker` keeps a converted
question only if our bank parser accepts it. `escape_plain` turns plain text into Markdown that shows it
as written (and `escape_inline` does the same for a piece of text inside converted HTML).
"""
from __future__ import annotations

import codecs
import re

from examengine.core.banks.encodings import encoding_label, guess_encoding
from examengine.core.banks.parser import parse_bank
from examengine.core.converters.drafts import Conversion, QuestionDraft
from examengine.core.converters.markdown import write_question
from examengine.core.messages import N_, Message

MAX_BYTES = 20 * 1024 * 1024  # far above any real question file; bounds the work on a stray upload


# -- decoding and checking --------------------------------------------------------------------------------

def decode_text(conversion: Conversion, data: bytes) -> str | None:
    """The file's text: UTF-8 (BOM accepted), else the legacy encoding it looks like (GBK), with a warning.
    None, with the problem reported, when it can't be read."""
    if len(data) > MAX_BYTES:
        conversion.problem("", N_("the file is %(size)s bytes, over the limit of %(limit)s",
                                  size=f"{len(data):,}", limit=N_("%(size)s MB", size=MAX_BYTES // (1024 * 1024))))
        return None
    data = data.removeprefix(codecs.BOM_UTF8)
    if not data.strip():
        conversion.problem("", N_("the file is empty"))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    codec = guess_encoding(data)
    try:
        text = data.decode(codec, errors="replace") if codec else None
    except LookupError:
        text = None
    if text is None:
        conversion.problem("", N_("the file is not UTF-8 and its encoding can't be recognised: save it as UTF-8 "
                                  "and convert it again"))
        return None
    conversion.problem("", N_("the file is not UTF-8; it was read as %(encoding)s: check that the Chinese text "
                              "looks right, or save the file as UTF-8", encoding=encoding_label(codec)), "warning")
    return text


class DraftChecker:
    """Adds a converted question only if our bank parser accepts it, so a reader's drafts always make a
    valid bank: what it refuses (a line too long, a question identical to an earlier one, an id used
    twice) is reported at the question's line in the source file."""

    def __init__(self, conversion: Conversion):
        self.conversion = conversion
        self._seen: dict[str, str] = {}  # fingerprint -> location of the first question with it
        self._keys: dict[str, str] = {}  # id -> location of the question with it

    def add(self, draft: QuestionDraft, notes: list[Message]) -> None:
        """Keep the draft, and report its warnings (`notes`), if our parser accepts it."""
        result = parse_bank(write_question(draft), source=self.conversion.path)
        if not result.ok:
            for error in result.errors:
                self.conversion.problem(draft.location, N_("the converted question is not valid in our format "
                                                           "(%(error)s): fix the question in this file",
                                                           error=error.message))
            return
        fingerprint = result.bank.questions[0].fingerprint
        if fingerprint in self._seen:
            self.conversion.problem(draft.location, N_("this question is identical to the one on line %(line)s: "
                                                       "remove one of them (a bank can't hold two identical "
                                                       "questions)", line=self._seen[fingerprint]))
            return
        if draft.key and draft.key in self._keys:
            self.conversion.problem(draft.location, N_("the id %(id)r is already used by the question on line "
                                                       "%(line)s: give each question its own id", id=draft.key,
                                                       line=self._keys[draft.key]))
            return
        self._seen[fingerprint] = draft.location
        if draft.key:
            self._keys[draft.key] = draft.location
        for note in notes:
            self.conversion.problem(draft.location, note, "warning")
        self.conversion.drafts.append(draft)


# -- plain text as Markdown -------------------------------------------------------------------------------

_INLINE_SPECIALS = re.compile(r"[\\`*_\[\]|]")  # `|`: the tables extension makes it escapable
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY_START = re.compile(r"&(?=#?\w+;)")
# What starts a block at a line's start: heading, quote, list item or rule (`-`, `+`, `---`), ordered list.
_BLOCK_START = r"(#|>|[-+]+(?=\s|$)|\d{1,9}(?=[.)](?:\s|$)))"
_LINE_START = re.compile(r"^([ \t]*)" + _BLOCK_START, re.MULTILINE)
_ANYWHERE_START = re.compile(r"(^|\s)" + _BLOCK_START)
# Neither `=` nor `~` can be backslash-escaped in Python-Markdown: a setext underline or a `~~~` fence
# starts with an entity instead.
_SETEXT = re.compile(r"^([ \t]*)=(=*[ \t]*)$", re.MULTILINE)
_TILDE_FENCE = re.compile(r"^([ \t]*)~(?=~~)", re.MULTILINE)


def escape_plain(text: str) -> str:
    """Plain text -> Markdown that shows it as written (each line trimmed: indentation would be code)."""
    lines = [line.strip() for line in text.strip().split("\n")]
    return "\n".join(escape_inline(line) for line in lines)


def escape_inline(text: str, *, every_line_start: bool = False) -> str:
    """Escape what Python-Markdown would read as markup: emphasis, code, links, HTML, entities, and at a
    line's start headings, quotes, list items and setext underlines. `every_line_start`: a text piece
    of an HTML document doesn't know where its lines start, so any word that could start one is escaped."""
    text = _INLINE_SPECIALS.sub(r"\\\g<0>", text)
    text = _ENTITY_START.sub("&amp;", text)
    text = _TAG_START.sub("&lt;", text)
    pattern = _ANYWHERE_START if every_line_start else _LINE_START
    text = pattern.sub(_escape_block_marker, text)
    text = _SETEXT.sub(r"\1&#61;\2", text)
    return _TILDE_FENCE.sub(r"\1&#126;", text)


def _escape_block_marker(match: re.Match) -> str:
    marker = match.group(2)
    if marker[0].isdigit():
        return f"{match.group(1)}{marker}\\"  # `1.` -> `1\.`: the escape goes after the digits
    return f"{match.group(1)}\\{marker}"
