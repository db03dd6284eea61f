"""Markdown to safe HTML.

Every piece of author-written Markdown reaches a page through `render_markdown()`, and every
HTML string marked safe in a template comes out of `sanitize()`. Examinee text is never passed
here: Jinja escapes it.
"""
from __future__ import annotations

import threading
from functools import lru_cache

import bleach
import markdown

MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "sane_lists", "nl2br"]

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


# A bleach Cleaner keeps parser state while it works, so threads (gunicorn's gthread workers) must
# not share one: each thread builds its own on first use.
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


def sanitize(html: str) -> str:
    """Return `html` with everything outside the Markdown allowlist removed. Thread-safe."""
    return _cleaner().clean(html)


def render_markdown(text: str) -> str:
    """Render author Markdown to sanitized HTML (raw HTML in the source is sanitized too)."""
    return _render(text or "")


# Question versions never change, and every examinee's exam page renders the same stems and options:
# a pure str -> str function, so a bounded cache is safe and spares ~1 ms per piece of Markdown.
@lru_cache(maxsize=8192)
def _render(text: str) -> str:
    html = markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return sanitize(html)
