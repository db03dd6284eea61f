"""Reading one `## [type]` block into a QuestionSpec: heading, metadata, sections, then the type's part."""
from __future__ import annotations

import functools
import re

from examengine.core import qtypes
from examengine.core.banks.errors import ErrorSink
from examengine.core.banks.frontmatter import FrontMatter
from examengine.core.banks.scanner import (
    QuestionBlock,
    RawSection,
    split_metadata,
    split_sections,
)
from examengine.core.banks.specs import QuestionSpec
from examengine.core.banks.values import (
    DEFAULT_DIFFICULTY,
    parse_difficulty,
    parse_id,
    parse_points,
    split_tags,
    unique,
)
from examengine.core.markup import too_complex
from examengine.core.messages import N_
from examengine.core.qtypes.base import (
    SECTION_NAMES,
    Line,
    MetaEntry,
    ParseContext,
    QuestionType,
    Section,
)

COMMON_KEYS = ("id", "points", "difficulty", "tags", "dimension")
# `[single] title` or `【单选题】 title`
_TYPE_TOKEN = re.compile(r"^[\[【]([^\]】]*)[\]】]\s*(.*)$")


@functools.cache
def _all_metadata_keys() -> frozenset[str]:
    return frozenset(COMMON_KEYS).union(*(qtype.meta_keys for qtype in qtypes.all_types()))


class QuestionReader:
    """Reads the question blocks of one bank, checking ids and content for duplicates."""

    def __init__(self, front: FrontMatter, sink: ErrorSink):
        self.front = front
        self.sink = sink
        self._id_lines: dict[str, int] = {}
        self._content_lines: dict[str, int] = {}

    def read(self, block: QuestionBlock) -> QuestionSpec | None:
        """The question, or None if it has errors (all of them reported)."""
        qtype, title = self._question_type(block)
        if qtype is None:
            return None
        errors_before = len(self.sink)
        meta_lines, rest = split_metadata(block.body)
        meta = self._metadata(meta_lines, qtype)
        common = self._common_values(meta)
        stem_lines, raw_sections = split_sections(rest)
        for part in (stem_lines, *(raw.lines for raw in raw_sections)):
            self._check_markup(part)
        sections = self._sections(raw_sections, qtype)
        type_meta = {key: entry for key, entry in meta.items() if key in qtype.meta_keys}
        ctx = ParseContext(qtype.name, block.heading, stem_lines, sections, type_meta,
                           common.get("points"), self.sink.add)
        payload = qtype.parse_body(ctx)
        self._fill_in_stem(ctx, title)
        points = qtype.resolve_points(payload, common.get("points"), self.front.points)
        if len(self.sink) > errors_before:
            return None
        if points is None:
            self.sink.add(block.heading.number, N_("points required: add `points: N` under the heading "
                                                   "(or a ### Rubric, whose total becomes the points)"))
            return None
        spec = self._spec(block, qtype, title, common, ctx, payload, points)
        self._check_unique(spec, meta)
        return spec

    def _check_markup(self, lines: list[Line]) -> None:
        """One error if this part (stem with its options, or a section) passes a markup limit: such
        text would be shown unformatted (see core/markup_limits.py). Line length is checked per file."""
        problem = too_complex("\n".join(line.text for line in lines), check_line_length=False)
        if problem is None:
            return
        line = lines[min(problem.line, len(lines)) - 1]
        if problem.kind in ("field_chars", "html_depth", "html_tags"):  # about the part as a whole
            line = next((candidate for candidate in lines if candidate.text.strip()), line)
        self.sink.add(line.number, problem.message)

    def _fill_in_stem(self, ctx: ParseContext, title: str) -> None:
        """A one-line question may be written as the heading's title alone."""
        if not ctx.stem.strip():
            ctx.stem = title
        if not ctx.stem.strip():
            self.sink.add(ctx.heading.number, N_("the question has no text: write it below the heading, "
                                                 "or as the title after the [type]"))

    def _question_type(self, block: QuestionBlock) -> tuple[QuestionType | None, str]:
        match = _TYPE_TOKEN.match(block.heading_text)
        if not match:
            self.sink.add(block.heading.number, N_("unknown question type: a question heading starts with its "
                                                   "type in brackets, e.g. `## [single] HTTPS 默认端口`"))
            return None, ""
        name = qtypes.resolve(match.group(1))
        if name is None:
            known = ", ".join(f"{t.name} ({t.aliases[0]})" for t in qtypes.all_types())
            self.sink.add(block.heading.number, N_("unknown question type [%(given)s]: use one of %(known)s",
                                                   given=match.group(1), known=known))
            return None, ""
        return qtypes.get(name), match.group(2).strip()

    def _metadata(self, meta_lines: list[tuple[str, str, Line]], qtype: QuestionType) -> dict[str, MetaEntry]:
        all_keys = _all_metadata_keys()
        applicable = [*COMMON_KEYS, *sorted(qtype.meta_keys)]
        meta: dict[str, MetaEntry] = {}
        for key, value, line in meta_lines:
            if key not in all_keys:
                self.sink.add(line.number, N_("unknown metadata key %(key)r; [%(type)s] questions take %(keys)s. "
                                              "If this line is question text, leave a blank line after the heading",
                                              key=key, type=qtype.name, keys=", ".join(applicable)))
            elif key not in applicable:
                self.sink.add(line.number, N_("%(key)r does not apply to [%(type)s] questions; they take %(keys)s",
                                              key=key, type=qtype.name, keys=", ".join(applicable)))
            elif key in meta:
                self.sink.add(line.number, N_("%(key)r is given twice (first on line %(line)d)", key=key,
                                              line=meta[key].line))
            elif not value:
                self.sink.add(line.number, N_("%(key)r has no value", key=key))
            else:
                meta[key] = MetaEntry(value, line.number)
        return meta

    def _common_values(self, meta: dict[str, MetaEntry]) -> dict:
        parsers = {"id": parse_id, "points": parse_points, "difficulty": parse_difficulty}
        values: dict = {}
        for key, parse in parsers.items():
            if key in meta:
                value, problem = parse(meta[key].value)
                if problem:
                    self.sink.add(meta[key].line, problem)
                values[key] = value
        if "tags" in meta:
            values["tags"] = split_tags(meta["tags"].value)
        if "dimension" in meta:
            values["dimension"] = meta["dimension"].value
        return values

    def _sections(self, raw_sections: list[RawSection], qtype: QuestionType) -> dict[str, Section]:
        allowed = qtype.sections | {"explanation"}
        sections: dict[str, Section] = {}
        for raw in raw_sections:
            number = raw.heading.number
            if raw.name not in allowed:
                names = " / ".join(f"### {alias}" for name in sorted(allowed) for alias in SECTION_NAMES[name][:2])
                self.sink.add(number, N_("[%(type)s] questions have no such section; they take %(names)s",
                                      type=qtype.name, names=names))
            elif raw.name in sections:
                self.sink.add(number, N_("this section is given twice (first on line %(line)d)",
                                      line=sections[raw.name].heading.number))
            else:
                sections[raw.name] = Section(raw.name, raw.heading, raw.lines)
                if not sections[raw.name].markdown.strip():
                    self.sink.add(number, N_("this section is empty"))
        return sections

    def _spec(self, block: QuestionBlock, qtype: QuestionType, title: str, common: dict,
              ctx: ParseContext, payload: dict, points: float) -> QuestionSpec:
        front = self.front
        own_tags = common.get("tags", front.tags or [])
        explanation = ctx.sections.get("explanation")
        return QuestionSpec(
            qtype=qtype.name, title=title, line=block.heading.number, key=common.get("id"),
            points=float(points),
            difficulty=common.get("difficulty") or front.difficulty or DEFAULT_DIFFICULTY,
            tags=unique([block.category, *own_tags]),
            dimension=common.get("dimension") or front.dimension,
            stem=ctx.stem, explanation=explanation.markdown if explanation else "", payload=payload,
        )

    def _check_unique(self, spec: QuestionSpec, meta: dict[str, MetaEntry]) -> None:
        if spec.key:
            first = self._id_lines.setdefault(spec.key, spec.line)
            if first != spec.line:
                self.sink.add(meta["id"].line, N_("duplicate id %(key)r: the question on line %(line)d already uses it",
                                                  key=spec.key, line=first))
            return
        first = self._content_lines.setdefault(spec.fingerprint, spec.line)
        if first != spec.line:
            self.sink.add(spec.line, N_("this question is identical to the one on line %(line)d: remove one, "
                                        "or give each an `id`", line=first))
