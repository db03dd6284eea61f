"""The question-type registry.

Every module in this package is imported and every `QuestionType` subclass with a `name` is
registered, so adding a type means adding one module (and its template).
"""
from __future__ import annotations

import importlib
import pkgutil
import re
import unicodedata

from examengine.core.markup import RENDER_VERSION, render_markdown
from examengine.core.qtypes.base import LIVE, Grade, ParseContext, QuestionType, Renderer

__all__ = ["LIVE", "Grade", "ParseContext", "QuestionType", "Renderer", "all_types", "get", "render_fragments",
           "resolve", "stored_renderer"]

_TYPES: dict[str, QuestionType] = {}
_ALIASES: dict[str, str] = {}


def _alias_key(token: str) -> str:
    key = " ".join(unicodedata.normalize("NFKC", token).casefold().split())
    return key[:-1].rstrip() if key.endswith("题") else key


def _register(qtype: QuestionType) -> None:
    for token in (qtype.name, *qtype.aliases):
        key = _alias_key(token)
        if _ALIASES.get(key, qtype.name) != qtype.name:
            raise RuntimeError(f"question type alias {token!r} is claimed twice")
        _ALIASES[key] = qtype.name
    _TYPES[qtype.name] = qtype


def _concrete_types(cls: type[QuestionType]):
    for sub in cls.__subclasses__():  # definition order
        if sub.name:
            yield sub
        yield from _concrete_types(sub)


def _discover() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    for cls in _concrete_types(QuestionType):
        _register(cls())


def resolve(token: str) -> str | None:
    """Type name for the token inside `[...]` (`单选题`, `SINGLE`), or None if unknown."""
    return _ALIASES.get(_alias_key(token))


def get(name: str) -> QuestionType:
    """The registered type called `name`; KeyError if there is none."""
    return _TYPES[name]


def all_types() -> list[QuestionType]:
    return list(_TYPES.values())


class _Recorder(Renderer):
    """Renders every source and keeps what it rendered."""

    def __call__(self, source: str) -> str:
        if source not in self.html:
            self.html[source] = render_markdown(source)
        return self.html[source]


def render_fragments(qtype: str, payload: dict, stem: str, explanation: str) -> dict:
    """The HTML of every piece of Markdown a version's pages show, to store with the version:
    {"v": RENDER_VERSION, "nonce": fill's placeholder word, "html": {source: sanitized HTML}}.

    It records what the type's template context renders with the key shown (stem, options, case,
    reference, explanation), which is everything any page of the version renders.
    """
    recorder = _Recorder({})
    get(qtype).template_context(payload or {}, stem_md=stem or "", show_key=True,
                                explanation_md=explanation or "", render=recorder)
    return {"v": RENDER_VERSION, "nonce": recorder.nonce, "html": dict(recorder.html)}


_NONCE = re.compile(r"[0-9a-f]{16}")


def stored_renderer(stored) -> Renderer | None:
    """The renderer over a stored `render_fragments()` value; None when there is none, it is
    malformed, or it was made under another RENDER_VERSION (render it again)."""
    if not isinstance(stored, dict) or stored.get("v") != RENDER_VERSION:
        return None
    html, nonce = stored.get("html"), stored.get("nonce")
    if not isinstance(html, dict) or not isinstance(nonce, str) or not _NONCE.fullmatch(nonce):
        return None
    return Renderer(html, nonce)


_discover()
