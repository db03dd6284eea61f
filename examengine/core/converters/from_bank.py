"""A parsed bank's questions as drafts, for the exporters (Moodle XML, QTI, the spreadsheet template)."""
from __future__ import annotations

from examengine.core.banks.specs import BankSpec, QuestionSpec
from examengine.core.converters.drafts import Blank, Option, QuestionDraft, RubricItem


def drafts_of(bank: BankSpec) -> list[QuestionDraft]:
    return [draft_of(question) for question in bank.questions]


def draft_of(question: QuestionSpec) -> QuestionDraft:
    payload = question.payload
    draft = QuestionDraft(
        qtype=question.qtype, stem=question.stem, title=question.title, key=question.key,
        points=question.points, difficulty=question.difficulty, tags=list(question.tags),
        dimension=question.dimension, explanation=question.explanation, location=str(question.line),
    )
    if question.qtype in ("single", "multiple"):
        draft.options = [Option(option["md"], bool(option["correct"])) for option in payload["options"]]
        draft.shuffle = payload.get("shuffle", True)
        draft.scoring = payload.get("scoring")
    elif question.qtype == "truefalse":
        draft.answer = bool(payload["answer"])
    elif question.qtype == "fill":
        draft.blanks = [Blank(list(blank["answers"]), blank.get("tolerance")) for blank in payload["blanks"]]
        draft.case_sensitive = bool(payload.get("case_sensitive", False))
    else:
        draft.case = payload.get("case", "")
        draft.reference = payload.get("reference", "")
        draft.rubric = [RubricItem(item["points"], item["text"]) for item in payload.get("rubric", [])]
    return draft
