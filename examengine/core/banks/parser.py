"""Bank text (or file bytes) in, a BankSpec or every error out."""
from __future__ import annotations

import codecs
import re

from examengine.core.banks.encodings import encoding_label, guess_encoding
from examengine.core.banks.errors import BankError, ErrorSink
from examengine.core.banks.frontmatter import FrontMatter, read_front_matter
from examengine.core.banks.questions import QuestionReader
from examengine.core.banks.scanner import mark_fences, question_blocks, split_lines
from examengine.core.banks.specs import BankSpec, ParseResult
from examengine.core.banks.values import parse_id
from examengine.core.markup_limits import MAX_LINE_CHARS, MarkupProblem
from examengine.core.messages import N_

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
FALLBACK_KEY = "bank"
# PostgreSQL text can't hold NUL; lone surrogates can't be encoded as UTF-8.
_FORBIDDEN_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def parse_bank(text: str, *, source: str = "<bank>", default_key: str | None = None) -> ParseResult:
    """Parse a bank's Markdown. Never raises: every problem becomes a BankError with its line.

    The bank key is the front matter `id`, else `default_key`, else the file name in `source`
    (or "bank" when that isn't a usable key).
    """
    lines = split_lines(text.removeprefix("\ufeff"))
    sink = ErrorSink(source, lines)
    try:
        bank = _parse(lines, source, default_key, sink)
    except Exception as exc:  # noqa: BLE001 -- a bug must not turn an upload into a 500; the fuzz tests hunt for these
        sink.add(0, N_("internal error while reading this bank (%(error)s); please report it", error=type(exc).__name__))
        bank = None
    errors = sink.errors()
    return ParseResult(None if errors else bank, errors)


def load_bank_bytes(data: bytes, *, source: str, max_bytes: int = DEFAULT_MAX_BYTES) -> ParseResult:
    """Parse an uploaded or read file: size limit, emptiness and UTF-8 (BOM accepted) checked first."""
    if len(data) > max_bytes:
        return _file_error(source, N_("the file is %(size)s bytes, over the limit of %(limit)s",
                                          size=f"{len(data):,}", limit=_size(max_bytes)))
    data = data.removeprefix(codecs.BOM_UTF8)
    if not data.strip():
        return _file_error(source, N_("the file is empty"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ParseResult(None, [_not_utf8(data, exc, source)])
    return parse_bank(text, source=source, default_key=file_stem(source))


def file_stem(path: str) -> str:
    """`question_banks/network.md` -> `network` (either slash, so Windows upload names work too)."""
    name = re.split(r"[\\/]", path)[-1]
    return name[:-3] if name.lower().endswith(".md") else name


def _parse(lines: list[str], source: str, default_key: str | None, sink: ErrorSink) -> BankSpec:
    _check_lines(lines, sink)
    front = read_front_matter(lines, sink)
    body, unclosed_fence = mark_fences(lines[front.body_start:], front.body_start + 1)
    if unclosed_fence:
        sink.add(unclosed_fence, N_("this code block is never closed: add a closing ``` (or ~~~) line"))
    blocks = question_blocks(body)
    if not blocks:
        sink.add(0, N_("no questions found: each question starts with a heading like `## [single] Title`"))
    reader = QuestionReader(front, sink)
    questions = [spec for spec in map(reader.read, blocks) if spec is not None]
    key = _bank_key(front, default_key, source, sink)
    return BankSpec(key=key, title=front.title or key, description=front.description,
                    source=source, questions=questions)


def _check_lines(lines: list[str], sink: ErrorSink) -> None:
    for number, line in enumerate(lines, 1):
        match = _FORBIDDEN_CHARACTERS.search(line)
        if match:
            sink.add(number, N_("this line contains a character that cannot be stored (U+%(code)04X)",
                                  code=ord(match.group())))
        if len(line) > MAX_LINE_CHARS:
            sink.add(number, MarkupProblem("line_chars", number, len(line), MAX_LINE_CHARS).message)


def _bank_key(front: FrontMatter, default_key: str | None, source: str, sink: ErrorSink) -> str:
    if front.key:
        return front.key
    if default_key is None:
        derived, problem = parse_id(file_stem(source))
        return derived if problem is None else FALLBACK_KEY
    key, problem = parse_id(default_key, N_("bank id"))
    if problem:
        sink.add(0, N_("the file name does not make a valid bank id (%(problem)s); rename the file "
                       "or set `id:` in the front matter", problem=problem))
        return FALLBACK_KEY
    return key


def _file_error(source: str, message: str) -> ParseResult:
    return ParseResult(None, [BankError(source, 0, message, "")])


def _not_utf8(data: bytes, exc: UnicodeDecodeError, source: str) -> BankError:
    """Refused (banks are UTF-8 only), saying which encoding the file looks like and showing its line
    decoded that way, so a GBK file from Notepad is recognisable rather than mojibake."""
    line_start = data.rfind(b"\n", 0, exc.start) + 1
    line_end = data.find(b"\n", exc.start)
    line_bytes = data[line_start:line_end if line_end >= 0 else len(data)]
    where = {"byte": data[exc.start], "column": exc.start - line_start + 1}
    encoding = guess_encoding(data)
    if encoding:
        message = N_("the file is not valid UTF-8 (byte 0x%(byte)02X at column %(column)d): it looks like "
                     "%(encoding)s. Banks must be UTF-8: save the file again choosing the encoding UTF-8 "
                     "(e.g. in Notepad: Save as, Encoding: UTF-8)", encoding=encoding_label(encoding), **where)
    else:
        message = N_("the file is not valid UTF-8: byte 0x%(byte)02X at column %(column)d; "
                     "save the file as UTF-8", **where)
    text = line_bytes.decode(encoding or "utf-8", "replace").rstrip("\r")
    return BankError(source, data.count(b"\n", 0, exc.start) + 1, message, text[:300])


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return N_("%(size)s MB", size=f"{limit / (1024 * 1024):g}")
    return N_("%(size)s bytes", size=f"{limit:,}")
