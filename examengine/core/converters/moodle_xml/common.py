"""What the Moodle XML reader's and writer's modules share: the tags and headings that carry our fields
through Moodle, the element accessors, a question being read (`Source`) and a refused one (`Refused`)."""
from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: N817 -- element types; uploads are parsed with defusedxml
from dataclasses import dataclass, field

NAME_CHARS = 40  # of the text, for the <name> of a question without a title

TAG_DIFFICULTY = "difficulty:"
TAG_DIMENSION = "dimension:"
TAG_SCORING = "examengine-scoring:"
TAG_ANALYSIS = "examengine-type:analysis"
TAG_UNTITLED = "examengine-untitled"
TAG_CASE_SENSITIVE = "examengine-case-sensitive"
BANK_INFO = "examengine-bank:"

CASE_HEADING = "### 案例"
RUBRIC_HEADING = "### 评分标准"


class Refused(Exception):  # noqa: N818 -- not an error of ours: a question we report and leave out
    """A question that can't be converted: reported with `kind` and left out."""

    def __init__(self, message: str, kind: str = "skipped"):
        super().__init__(message)
        self.message, self.kind = message, kind


@dataclass
class Source:
    """One <question> element and what every type reads from it."""
    elem: ET.Element
    qtype: str
    number: int
    location: str
    name: str
    tags: list[str] = field(default_factory=list)  # plain tags, category first
    difficulty: int | None = None
    dimension: str = ""
    untitled: bool = False
    analysis: bool = False
    scoring: str | None = "partial"  # Moodle grades a multiple question's right answers by their shares
    scoring_tagged: bool = False
    case_sensitive_tag: bool = False
    feedback_dropped: bool = False


def text_of(elem: ET.Element | None) -> str:
    """An element's own text (Moodle escapes the markup it holds, so child elements are not text)."""
    return (elem.text or "") if elem is not None else ""


def child_text(elem: ET.Element, path: str, default: str = "") -> str:
    found = elem.find(path)
    return default if found is None else text_of(found)


def moodle_bool(text: str) -> bool:
    """Moodle's reading of true/false elements: `false`, `0` and empty are false."""
    return text.strip().lower() not in ("false", "0", "")
