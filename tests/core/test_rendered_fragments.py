"""qtypes.render_fragments(): the HTML stored with a version is what rendering it now gives, on every page."""
from __future__ import annotations

from pathlib import Path

import pytest

from examengine.core import qtypes
from examengine.core.banks import load_bank_bytes
from examengine.core.markup import RENDER_VERSION

BANKS = sorted((Path(__file__).resolve().parents[2] / "question_banks").glob("*.md"))


def _questions():
    for path in BANKS:
        result = load_bank_bytes(path.read_bytes(), source=path.name)
        assert result.ok, result.errors
        yield from result.bank.questions


def _contexts(question, render):
    qtype = qtypes.get(question.qtype)
    for show_key in (False, True):
        yield qtype.template_context(question.payload, stem_md=question.stem, field_name="q3", response=None,
                                     show_key=show_key, explanation_md=question.explanation or "", render=render)


def test_stored_fragments_render_every_question_of_the_shipped_banks_as_rendering_now():
    questions = list(_questions())
    assert {q.qtype for q in questions} >= {"single", "multiple", "truefalse", "fill", "short", "analysis"}
    for question in questions:
        stored = qtypes.render_fragments(question.qtype, question.payload, question.stem, question.explanation)
        assert stored["v"] == RENDER_VERSION
        renderer = qtypes.stored_renderer(stored)
        # Any source the pages need and the map lacked would be rendered live: make that visible.
        misses = []
        renderer.html = _Watching(renderer.html, misses)
        for stored_view, live_view in zip(_contexts(question, renderer), _contexts(question, qtypes.LIVE)):
            assert stored_view == live_view, question.identity
        assert not misses, (question.identity, misses)


class _Watching(dict):
    def __init__(self, html, misses):
        super().__init__(html)
        self.misses = misses

    def get(self, key, default=None):
        if key not in self:
            self.misses.append(key)
        return super().get(key, default)


@pytest.mark.parametrize("stored", [
    None, {}, {"v": RENDER_VERSION - 1, "nonce": "0" * 16, "html": {}}, {"v": RENDER_VERSION + 1, "nonce": "0" * 16, "html": {}},
    {"v": RENDER_VERSION, "nonce": "not hex (.*)", "html": {}}, {"v": RENDER_VERSION, "nonce": "0" * 16, "html": []},
])
def test_a_missing_stale_or_malformed_stored_value_is_rendered_again(stored):
    assert qtypes.stored_renderer(stored) is None


def test_a_stored_html_is_used_as_stored_and_a_missing_source_is_rendered():
    renderer = qtypes.stored_renderer({"v": RENDER_VERSION, "nonce": "0" * 16, "html": {"**a**": "<p>STORED</p>"}})
    assert renderer("**a**") == "<p>STORED</p>"
    assert renderer("**b**") == "<p><strong>b</strong></p>"
