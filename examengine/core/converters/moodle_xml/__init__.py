"""Moodle XML (docs.moodle.org/en/Moodle_XML_format): Moodle's own question export, read and written.

A file is `<quiz>` holding `<question type="...">` elements. `<question type="category">` entries name
the category (`$course$/top/网络/故障`) of the questions that follow; every other entry is a question
with `<name>`, `<questiontext format="html|moodle_auto_format|plain_text|markdown">`, `<generalfeedback>`,
`<defaultgrade>`, `<idnumber>`, `<tags>` and its type's own elements. Images are `<file name=
encoding="base64">` children of the text that shows them, referenced as `@@PLUGINFILE@@/name`.

Reading (`read_moodle_xml`), per Moodle type:

- multichoice: `<single>true` -> single (the answer worth 100% is the key); `<single>false` ->
  multiple (answers worth more than 0% are right). Moodle gives partial credit by the answers'
  fractions, so a multiple question becomes `scoring: partial` (warned when its fractions are not
  equal shares of 100 with the wrong answers at 0% or less: we can't weight options).
  `<shuffleanswers>` -> shuffle. Per-answer feedback is dropped (warned).
- truefalse -> truefalse (the answer worth 100% says which).
- shortanswer -> fill with one blank: the answers worth 100% are its alternatives (`*` is Moodle's
  wildcard: such an answer is dropped, warned; `\\*` is a literal `*`), partial-credit answers are
  dropped (warned), `<usecase>1` -> case_sensitive. The blank replaces the first run of 3 or more
  underscores of the text (`____`), else it goes at the end.
- numerical -> fill with a number blank: the answer worth 100% and its `<tolerance>` (0: an exact
  number, `{{443}}`); a `<unit>` with multiplier 1 is written after the blank; other units are dropped.
- essay -> short: `<graderinfo>` is the reference answer; without one the question is skipped. A
  `### 案例` (`### Case`) heading in the text starts the case, a `### 评分标准` (`### Rubric`) heading in
  the grader information starts the rubric (`- (3) text` items); tag `examengine-type:analysis` with a
  rubric -> analysis.
- cloze (multianswer) -> fill when every embedded answer is SHORTANSWER (SA, MW), SHORTANSWER_C (SAC,
  MWC) or NUMERICAL (NM): `{1:SA:=HTTPS~=TLS#feedback}` -> `{{HTTPS|TLS}}`, `{2:NM:=3.14:0.01}` ->
  `{{3.14 ± 0.01}}`. Drop-downs and multi-response (MULTICHOICE, MULTIRESPONSE...) are skipped.
- matching, ddwtos, gapselect, calculated*, randomsamatch, ddimageortext, ddmarker, random, description
  and unknown types are skipped, each with its reason.
- The last part of a category path becomes a tag of the questions after it (not Moodle's hidden
  `top`); the first category names the conversion (`Conversion.title`).
- html and moodle_auto_format text becomes Markdown (markdownify); markdown is kept as written;
  plain_text is escaped so it shows as written. Embedded PNG, JPEG, GIF and WebP images go to
  `conversion.files["images/NAME"]` and the Markdown points at `images/NAME`.
- `<idnumber>` -> id (when it is a valid id), `<tags>` -> tags, `<defaultgrade>` -> points (0 or
  missing: our default), `<name>` -> title.

Writing (`write_moodle_xml`) keeps every field of our questions, so reading the export back gives the
same questions. All text is written `format="markdown"` (Moodle's FORMAT_MARKDOWN), as written in the
bank. What Moodle has no place for travels in tags, which the reader takes back (and never adds as
plain tags):

| Ours | Moodle |
|---|---|
| single | multichoice, `<single>true`, the key 100%, the others 0% |
| multiple | multichoice, `<single>false`, right options equal shares of 100%, wrong ones -100%; tag `examengine-scoring:partial`, `examengine-scoring:all-or-nothing` or `examengine-scoring:exam` (no scoring of its own: the exam's) |
| truefalse | truefalse |
| fill, one blank, number only (`{{443}}`, `{{3.14 ± 0.01}}`) | numerical (tolerance 0 for an exact number) |
| fill, one blank, text | shortanswer, alternatives 100% (`*` written `\\*`) |
| fill, other (several blanks, `± 0`) | cloze: `{w:SA:=a~=b}` (`SAC` when case_sensitive), `{w:NM:=3.14:0.01}`, `{w:NM:=443}`; w = points / blanks when that is a whole number, else 1 |
| the blank of a one-blank question | `____` in the text (`\\_\\_\\_\\_` alone on a line; cloze when the text holds other underscore runs) |
| short, analysis | essay; case after the text under `### 案例`; `<graderinfo>`: the reference answer, then the rubric under `### 评分标准` as `- (3) text` items; analysis adds tag `examengine-type:analysis` |
| difficulty, dimension | tags `difficulty:3`, `dimension:故障诊断` |
| no title | `<name>`: the text's first 40 characters, tag `examengine-untitled` |
| case_sensitive without a text blank to carry it | tag `examengine-case-sensitive` |
| the bank | a category `$course$/top/TITLE` whose `<info>` is `examengine-bank: KEY` (the reader makes its name the title, not a tag) |

Moodle grades a multiple question's subsets by their shares (ours: all-or-nothing gives nothing,
partial half the points); a wrong option at -100% gives 0 in both. Moodle keeps 50 characters of a
tag. Characters XML can't hold (control characters) are left out.
"""
from __future__ import annotations

from examengine.core.converters.moodle_xml.reader import read_moodle_xml
from examengine.core.converters.moodle_xml.writer import write_moodle_xml

__all__ = ["read_moodle_xml", "write_moodle_xml"]
