"""Markdown to safe HTML.

Every piece of author-written Markdown reaches a page through `render_markdown()`, and every
HTML string marked safe in a template comes out of `sanitize()`. Examinee text is never passed
here: Jinja escapes it.

Both are bounded: text past the limits of `markup_limits` (which the bank checker enforces, but
older or hand-made data may not meet) is shown as written, escaped in a `<pre>`, instead of being
given to Markdown and bleach, whose cost on such input is quadratic or worse.
"""
from __future__ import annotations

import html as html_lib
import threading
from functools import lru_cache

import bleach
import markdown

from examengine.core.markup_limits import (
    MAX_FIELD_CHARS,
    MarkupProblem,
    markup_problem,
    normalize,
    output_may_nest,
    output_problem,
)

MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "sane_lists", "nl2br"]

# The version of what render_markdown() produces: HTML stored with a question version
# (`question_versions.rendered`) under another number is rendered again. Bump it whenever the
# extensions, the sanitizer's rules or the plain-text fallback change.
RENDER_VERSION = 1

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "strong", "em", "b", "i", "del", "s", "sub", "sup",
    "code", "pre", "blockquote", "kbd",
    "table", "thead", "tbody", "tr", "th", "td",
    "a", "img", "span", "div",
})
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title"],
    "img": ["src", "alt", "title"],
    "th": ["align"],
    "td": ["align"],
    "code": ["class"],  # fenced_code's language-xxx, harmless
    "ol": ["start"],
}
# Relative URLs (no scheme) are allowed by bleach regardless of this list; data:, javascript:
# and every other scheme are stripped.
LINK_PROTOCOLS = frozenset({"http", "https", "mailto"})
IMAGE_PROTOCOLS = frozenset({"http", "https"})


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    if tag == "img" and name == "src":
        return _url_allowed(value, IMAGE_PROTOCOLS)
    if tag == "a" and name == "href":
        return _url_allowed(value, LINK_PROTOCOLS)
    if name == "class":
        return value.startswith("language-") and value.replace("-", "").replace("_", "").isalnum()
    return True


def _url_allowed(url: str, protocols: frozenset[str]) -> bool:
    # Browsers ignore control characters and whitespace inside a scheme ("java\nscript:"),
    # so compare on the URL with those removed.
    compact = "".join(ch for ch in url if ch > " " and ch != "\x7f").lower()
    scheme, sep, _ = compact.partition(":")
    if not sep or "/" in scheme or "?" in scheme or "#" in scheme:
        return True  # relative URL, no scheme
    return scheme in protocols


# A bleach Cleaner and a Markdown instance keep parser state while they work, so threads (gunicorn's
# gthread workers) must not share one: each thread builds its own on first use.
_local = threading.local()


def _cleaner() -> bleach.Cleaner:
    cleaner = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = bleach.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=_allow_attribute,
            protocols=LINK_PROTOCOLS | IMAGE_PROTOCOLS,
            strip=True,
            strip_comments=True,
        )
    return cleaner


# Text shown as written is cut here: the page stays usable whatever was stored.
MAX_PLAIN_CHARS = 100_000
PLAIN_TEXT_NOTE = "This text is too complex to format, so it is shown as written."


def sanitize(html: str) -> str:
    """Return `html` with everything outside the Markdown allowlist removed. Thread-safe.

    HTML nested deeper than MAX_HTML_DEPTH or with more than MAX_HTML_TAGS tags (markup_limits) is
    not parsed: it comes back escaped, as text.
    """
    if output_problem(html) is not None:
        return html_lib.escape(html[:MAX_PLAIN_CHARS])
    return _cleaner().clean(html)


def render_markdown(text: str) -> str:
    """Render author Markdown to sanitized HTML (raw HTML in the source is sanitized too).

    Text past the markup limits comes back as `plain_text_html()`: escaped, unformatted.
    """
    text = normalize(text or "")
    if len(text) > MAX_FIELD_CHARS:  # not worth a place in the cache
        return plain_text_html(text, "field_chars")
    return _render(text)


def too_complex(text: str, *, check_line_length: bool = True) -> MarkupProblem | None:
    """The limit `text` passes, for which `render_markdown(text)` shows it as written; or None.

    The bank checker and the exam settings ask this, so what they accept is what pages format.
    `check_line_length=False` when the caller checks every line itself (the bank parser does).
    """
    return _checked(normalize(text or ""), check_line_length)[0]


def _checked(text: str, check_line_length: bool = True) -> tuple[MarkupProblem | None, str | None]:
    """The limit `text` passes, and Markdown's HTML for it when that had to be measured too."""
    problem = markup_problem(text, check_line_length=check_line_length)
    if problem is not None or not output_may_nest(text):
        return problem, None
    html = _markdown(text)
    return output_problem(html), html


def _markdown(text: str) -> str:
    # One Markdown instance per thread, reset between conversions: building one registers every
    # extension and compiles its patterns again, which cost more than most conversions.
    converter = getattr(_local, "markdown", None)
    if converter is None:
        converter = _local.markdown = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")
    try:
        return converter.convert(text)
    finally:
        converter.reset()


# Question versions never change, and every examinee's exam page renders the same stems and options:
# a pure str -> str function, so a bounded cache is safe and spares ~1 ms per piece of Markdown.
@lru_cache(maxsize=8192)
def _render(text: str) -> str:
    problem, html = _checked(text)
    if problem is None and html is None:
        html = _markdown(text)
        problem = output_problem(html)  # cannot happen within the limits; a last guard before bleach
    if problem is not None:
        return plain_text_html(text, problem.kind)
    return _cleaner().clean(html)


def plain_text_html(text: str, reason: str) -> str:
    """`text` escaped in a <pre>, under a note; `reason` (a MarkupProblem kind) in data-markup-plain."""
    text = normalize(text)
    shown = text if len(text) <= MAX_PLAIN_CHARS else text[:MAX_PLAIN_CHARS] + "\n…"
    return (f'<div class="markup-plain" data-markup-plain="{html_lib.escape(reason)}">'
            f'<p class="markup-plain-note">{html_lib.escape(PLAIN_TEXT_NOTE)}</p>'
            f"<pre>{html_lib.escape(shown)}</pre></div>")
