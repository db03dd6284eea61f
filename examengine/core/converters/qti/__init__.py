"""IMS QTI 2.1 content packages: a bank exported as a zip, and a package (ours or another tool's) read back.

A package is a zip with `imsmanifest.xml` (IMS Content Packaging 1.1) listing one resource of type
`imsqti_item_xmlv2p1` per question (`items/<id>.xml`, an `assessmentItem`) and one `imsqti_test_xmlv2p1`
(`assessmentTest.xml`) that lists every item in one section. Identifiers are the question ids made
NCName-safe (`1号` -> `q-1号`, other characters -> `_`), or `q<position>` for a question without one.

How our questions are written (the reader takes the same things back):

| Ours | QTI 2.1 |
|---|---|
| single | `choiceInteraction maxChoices="1"`, `shuffle` from ours, `correctResponse` |
| multiple | `choiceInteraction maxChoices="0"`, response `cardinality="multiple"` |
| truefalse | a `choiceInteraction` with the choices `true` (对) and `false` (错) |
| fill | a `textEntryInteraction` per blank, inline in the stem: `RESPONSE_1`, `RESPONSE_2`, … |
| short, analysis | `extendedTextInteraction`; reference answer and rubric in `rubricBlock view="scorer"` |
| case | `<div class="ee-case">` at the top of the `itemBody` |
| explanation | `modalFeedback` shown after the attempt (outcome `FEEDBACK` defaults to `EXPLANATION`) |
| points | outcome `MAXSCORE` (default value) and `SCORE normalMaximum` |
| id, title, tags, difficulty, dimension | the resource's LOM in the manifest: general/identifier, general/title, general/keyword, educational/difficulty (LOMv1.0 "very easy" … "very difficult" = 1 … 5), classification with taxon source "ExamEngine: dimension" |

Response processing is written out as rules, not the `match_correct` template: the template scores 1, not
the question's points, and can't say our partial rule. `SCORE` is the points for the right answer;
multiple with `scoring: partial` adds half the points when the response is not empty and contained in the
correct set (`contains`); a fill blank adds its share of the points when its `mapping` maps the response
(alternatives as `mapEntry`, `caseSensitive` from ours) or, for a `± tolerance` blank (baseType float),
when it is `equal` within the tolerance. Other QTI players therefore compare blanks exactly: our
normalizing (full-width, number spellings, units) is ours only. Written questions have no response
processing (a reviewer grades them).

What only we read back, so that our own packages come back unchanged: the interaction's `class` names
the type and scoring (`ee-truefalse`, `ee-analysis`, `ee-scoring-partial`, …), and `items/<id>.markdown.json`
keeps each part's Markdown next to a digest of the XHTML written for it. The item's `itemBody` is XHTML
rendered from our Markdown (`render_markdown`), which every QTI tool shows; a part whose XHTML was
changed since (edited in another tool), and every part of another tool's item, is converted from its
XHTML to Markdown (markdownify), with images of the package brought along. What lives in XML only (title,
tags, dimension, id, blank answers) can't hold the control characters XML 1.0 forbids: they become U+FFFD.

Read, from other tools: choice (one or several answers; two choices that say true/false become
truefalse), text entry (string answers from `mapping` or `correctResponse`; float/integer answers with a
`tolerance` from an `equal` rule), extended text (reference answer from `rubricBlock view="scorer"` or the
`correctResponse`). Not converted, reported: items with other interactions (match, order, hotspot, …),
several kinds of interaction in one item, template (cloned) items, QTI 1.2 and 3.0 packages.
"""
from examengine.core.converters.qti.reader import read_qti
from examengine.core.converters.qti.writer import write_qti

__all__ = ["read_qti", "write_qti"]
