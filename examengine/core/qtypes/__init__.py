"""The question-type registry.

Every module in this package is imported and every `QuestionType` subclass with a `name` is
registered, so adding a type means adding one module (and its template).
"""
from __future__ import annotations

import importlib
import pkgutil
import unicodedata

from examengine.core.qtypes.base import Grade, ParseContext, QuestionType

__all__ = ["Grade", "ParseContext", "QuestionType", "all_types", "get", "resolve"]

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


_discover()
