"""Word documents (.docx): question papers as teachers and HR staff type them, read into drafts.

The layout (Chinese first; the English labels work too):

    一、单选题（每题2分）             optional section heading: the type (and points) of the questions below
    1. HTTPS 默认使用哪个端口？（ ）   a question: `1.` `1、` `1．` `1)` `（1）` `第1题`, or Word's list numbering
    A. 80    B. 443    C. 8080       options, on one line or one per line: A. A、 A) A． （A）, or a lettered list
    答案：B                           答案 / 正确答案 / 参考答案 / Answer, with ：or :, or 【答案】B
    解析：HTTPS 默认端口是 443。       optional explanation (解析 / Explanation)
    评分标准：                         rubric lines `(3) 先确认影响范围` (short answer, case analysis)
    难度：中  分值：5  标签：网络  能力维度：…  题型：多选题   optional metadata lines

Headings (一、单选题 … 六、案例分析题, 第一部分 判断题, Part 1 Single choice) set the type of the questions
below them; 选择题 / "Multiple choice" leave single or multiple to the answer. Without a heading the type is
inferred: options and one answer letter -> single, several letters -> multiple; 对/错 (√/×, 正确/错误)
without options -> truefalse; a blank (`____`, `（ ）`) with an answer -> fill (the answers of several
blanks separated by `；`, alternatives by `|`); any other answer -> short, with a rubric -> analysis.
Points come from `分值：`, else a `（5分）` at the start or end of the question line (removed from the
stem), else the heading (`每题2分`). In a choice or true/false question a trailing `（ ）` is the answer
placeholder and is removed; a trailing `（B）` or `（√）` is taken as the answer when no 答案 line gives one.

Converted with the text: inline pictures (PNG, JPEG, GIF and WebP, stored once per content as
`images/<sha256-12>.<ext>` in `Conversion.files` and linked where they sit), tables (Markdown tables),
bold and italic inside a line, underlined blank runs (as `____`). Word text is text, not Markdown: what
Markdown would read as HTML, a code fence or a rule is escaped. Reported and dropped: pictures in other
formats (EMF, WMF, TIFF, BMP…), linked pictures, text in text boxes; equations are kept as their plain
text, with a warning. Text before the first question (a title, instructions) is ignored; its first line
is the title if it looks like one, unless the document's properties have a title. An answer key after the
questions (参考答案 / 答案与解析 / Answer key, then `1. B  2. C`, `1-5 BCADA`, …) gives the questions their
answers (answer_key.py). Not understood, so reported as questions without an answer: answers marked only by
formatting (a red or bold option).

Locations are paragraphs "¶N", counted from 1 over the paragraphs of the document's body (the paragraphs
inside tables are not counted; a table belongs to the paragraph above it).
"""
from __future__ import annotations

import io

import docx

from examengine.core.converters.docx.package import package_problem
from examengine.core.converters.docx.paper import PaperReader
from examengine.core.converters.docx.paragraphs import DocumentReader
from examengine.core.converters.drafts import Conversion, QuestionDraft, never_raises
from examengine.core.messages import N_

__all__ = ["read_docx"]


@never_raises
def read_docx(conversion: Conversion, data: bytes) -> None:
    """The questions of a Word document. Never raises: every problem is in `conversion.problems`."""
    _read(conversion, data)


def _read(conversion: Conversion, data: bytes) -> None:
    problem = package_problem(data)
    if problem:
        conversion.problem("", problem)
        return
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # noqa: BLE001 -- python-docx raises many kinds on a broken package; all mean the same
        conversion.problem("", N_("the file is not a readable Word document: open it in Word and save it "
                                  "again as a Word document (.docx)"))
        return
    reader = DocumentReader(document, conversion)
    paper = PaperReader(reader.lines(), conversion)
    paper.read()
    if not conversion.drafts and not conversion.errors:
        conversion.problem("", N_("no questions found: number each question (1. …) and put its answer below it "
                                  "(答案：B)"))
    conversion.title = (document.core_properties.title or "").strip() or paper.title
    used = "\n".join(_draft_text(draft) for draft in conversion.drafts)
    conversion.files = {name: content for name, content in reader.images.items() if name in used}


def _draft_text(draft: QuestionDraft) -> str:
    return "\n".join([draft.stem, draft.case, draft.reference, draft.explanation,
                      *(option.text for option in draft.options), *(item.text for item in draft.rubric)])
