"""Format converters (pure): foreign question files in, our Markdown bank out; banks out to other formats.

Markdown stays the one source of truth: every reader builds `QuestionDraft`s (`drafts.py`) and
`markdown.write_bank` writes them as a bank file, which the normal check reads; exporters start from a
parsed bank (`from_bank.drafts_of`). Readers never raise on bad input: every problem of a file is a
`Problem` with its location.
"""
from examengine.core.converters.bank_file import ConvertedBank, bank_key_for, convert_to_bank
from examengine.core.converters.drafts import (
    QTYPES,
    Blank,
    Conversion,
    Option,
    Problem,
    QuestionDraft,
    RubricItem,
)
from examengine.core.converters.from_bank import draft_of, drafts_of
from examengine.core.converters.markdown import blank_problem, write_bank, write_question

__all__ = [
    "QTYPES", "Blank", "Conversion", "ConvertedBank", "bank_key_for", "convert_to_bank", "Option", "Problem", "QuestionDraft", "RubricItem", "blank_problem",
    "draft_of", "drafts_of", "write_bank", "write_question",
]
