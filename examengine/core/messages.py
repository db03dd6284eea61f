"""Messages the pure core returns, translatable later by the web and command-line layers.

The core may not import Flask, so it cannot know the reader's language. A `Message` is a `str`
holding the English text (what tests, logs and `str()` see), and it remembers its template (the
catalog msgid) and parameters, so a layer that knows the language can translate it
(`examengine.services.messages.translate`). Parameters may themselves be messages: they are
translated too.

Write `N_("template with %(name)s", name=value)`, or `Np_(singular, plural, n, ...)` for a count
(`%(num)d` is the count). Babel's extraction finds them through the keywords `N_` and `Np_:1,2`.
Anything a message goes through that builds a new string (`+`, f-strings) drops the translation:
pass a message as a parameter of another message instead.
"""
from __future__ import annotations

from typing import Any


class Message(str):
    """English text that knows its msgid (`id`), `plural` form, count `n` and `params`."""

    id: str
    plural: str | None
    n: int | None
    params: dict[str, Any]

    def __new__(cls, template: str, params: dict[str, Any] | None = None, *,
                plural: str | None = None, n: int | None = None) -> Message:
        params = dict(params or {})
        if n is not None:
            params.setdefault("num", n)
        english = plural if plural is not None and n != 1 else template
        text = english % params if params else english
        message = super().__new__(cls, text)
        message.id, message.plural, message.n, message.params = template, plural, n, params
        return message

    def __reduce__(self):
        return (_rebuild, (self.id, self.params, self.plural, self.n))


def _rebuild(template, params, plural, n) -> Message:
    return Message(template, params, plural=plural, n=n)


def N_(template: str, /, **params: Any) -> Message:  # noqa: N802 -- the usual gettext marker name
    """A translatable message: `template` is the English text and the catalog's msgid."""
    return Message(template, params)


def Np_(singular: str, plural: str, n: int, /, **params: Any) -> Message:  # noqa: N802
    """A translatable message with a count `n` (available to the templates as `%(num)d`)."""
    return Message(singular, params, plural=plural, n=n)
