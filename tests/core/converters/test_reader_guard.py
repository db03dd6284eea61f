"""A reader's bug becomes one error of the file, and nothing it had half-read is kept."""
from __future__ import annotations

from examengine.core.converters import Option, QuestionDraft, convert_to_bank
from examengine.core.converters.drafts import never_raises


def test_an_exception_in_a_reader_is_one_error_and_drops_what_it_read():
    @never_raises
    def read_broken(conversion, data):
        conversion.drafts.append(QuestionDraft("single", "题", options=[Option("对", True), Option("错")]))
        conversion.files["images/a.png"] = b"png"
        raise KeyError("bug")

    conversion = read_broken("坏.txt", b"x")
    assert conversion.drafts == [] and conversion.files == {}
    [problem] = conversion.problems
    assert problem.kind == "error" and problem.format() == (
        "坏.txt: internal error while converting this file (KeyError); please report it")


def test_an_upload_hitting_a_reader_bug_is_not_importable(monkeypatch):
    from examengine.core.converters import aiken

    def explode(self, text):
        raise ZeroDivisionError

    monkeypatch.setattr(aiken._AikenReader, "read", explode)
    converted = convert_to_bank("q.aiken", "题？\nA. 是\nB. 否\nANSWER: A\n".encode())
    assert not converted.ok and converted.total == 0
    assert "ZeroDivisionError" in converted.conversion.errors[0].message
