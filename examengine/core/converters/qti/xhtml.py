"""Markdown <-> QTI XHTML: our rendered Markdown copied into an itemBody (blanks placed as text entries),
the digest that tells whether a part's XHTML still says what its kept Markdown says, and an item's
parts read back (the kept Markdown, else markdownify of the XHTML, with the package's images)."""
from __future__ import annotations

import copy
import hashlib
import json
import re
import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import lxml.html
from lxml import etree
from markdownify import markdownify

from examengine.core.converters.qti.common import PackageAccess, _local, _q, _sub, _xml_text
from examengine.core.messages import N_

# XHTML our Markdown produces, as QTI 2.1's itemBody allows it; `del`/`s` (not in QTI) become spans.
_QTI_XHTML = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
    "strong", "em", "b", "i", "sub", "sup", "code", "pre", "blockquote", "kbd", "samp", "var", "q", "cite",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "a", "img", "span", "div",
})
_QTI_ATTRIBUTES = {"a": ("href",), "img": ("src", "alt"), "code": ("class",)}


def _append_html(container, html: str) -> None:
    """Sanitized HTML (render_markdown's) appended to `container` as QTI XHTML elements."""
    if not html.strip():
        return
    for fragment in lxml.html.fragments_fromstring(html):
        if isinstance(fragment, str):
            _append_text(container, fragment)
        else:
            _copy_html(fragment, container)


def _append_text(container, text: str) -> None:
    text = _xml_text(text)
    if len(container):
        container[-1].tail = (container[-1].tail or "") + text
    else:
        container.text = (container.text or "") + text


def _copy_html(source, parent) -> None:
    if not isinstance(source.tag, str):  # a comment or processing instruction: bleach strips them anyway
        _append_text(parent, source.tail or "")
        return
    tag = source.tag.lower()
    attributes = {name: _xml_text(source.get(name)) for name in _QTI_ATTRIBUTES.get(tag, ())
                  if source.get(name) is not None}
    if tag not in _QTI_XHTML or (tag == "a" and "href" not in attributes):
        tag, attributes = "span", {"class": f"ee-{tag}"} if tag.isalnum() else {}
    if tag == "img":
        attributes.setdefault("alt", "")
        attributes.setdefault("src", "")
    element = etree.SubElement(parent, _q(tag), attributes)
    element.text = _xml_text(source.text) if source.text else None  # None: `<br/>`, not `<br></br>`
    for child in source:
        _copy_html(child, element)
    element.tail = _xml_text(source.tail) if source.tail else None


def _place_blanks(stem, token: re.Pattern, css_class: str | None) -> None:
    """Each blank placeholder in the stem's text becomes a textEntryInteraction where it stands.

    A placeholder that Markdown put into an attribute (a blank inside a link or an image) can't hold an
    input: it is removed there and its input added at the end, as the exam page does.
    """
    def interaction(number: str) -> etree._Element:
        element = etree.Element(_q("textEntryInteraction"), responseIdentifier=f"RESPONSE_{number}")
        if css_class:
            element.set("class", css_class)
        return element

    leftover = []
    for element in list(stem.iter()):
        for name, value in element.attrib.items():
            if token.search(value):
                leftover += token.findall(value)
                element.set(name, token.sub("", value))
        if element.text and token.search(element.text):
            pieces = token.split(element.text)
            element.text = pieces[0]
            for position, (number, after) in enumerate(zip(pieces[1::2], pieces[2::2])):
                new = interaction(number)
                new.tail = after
                element.insert(position, new)
        if element is not stem and element.tail and token.search(element.tail):
            pieces = token.split(element.tail)
            element.tail = pieces[0]
            anchor = element
            for number, after in zip(pieces[1::2], pieces[2::2]):
                new = interaction(number)
                new.tail = after
                anchor.addnext(new)
                anchor = new
    if leftover:
        paragraph = _sub(stem, "p")
        for number in leftover:
            paragraph.append(interaction(number))
            paragraph[-1].tail = " "


def _indent(root, level: int = 0) -> None:
    """Indent the structure, never inside content (XHTML and choices), where whitespace is text."""
    children = list(root)
    if not children or _local(root.tag) in _QTI_XHTML or _local(root.tag) in (
            "simpleChoice", "modalFeedback", "rubricBlock", "prompt", "value", "li"):
        return
    pad = "\n" + "  " * (level + 1)
    if not (root.text or "").strip():
        root.text = pad
    for child in children:
        _indent(child, level + 1)
        if not (child.tail or "").strip():
            child.tail = pad
    if not (children[-1].tail or "").strip():
        children[-1].tail = "\n" + "  " * level


def _digest(text: str | None, children: list) -> str:
    """What a part's XHTML says (tags, attributes, text with runs of whitespace as one space), hashed.

    The same for the elements we wrote and the ones read back, so a part that still has this digest
    still says what its Markdown says.
    """
    tokens: list = []

    def add_text(value: str | None) -> None:
        value = " ".join((value or "").split())
        if value:
            tokens.append(value)

    add_text(text)
    stack = [(child, False) for child in reversed(children)]
    while stack:
        element, closing = stack.pop()
        if closing:
            tokens.append(["/"])
            add_text(element.tail)
            continue
        if not isinstance(element.tag, str):
            add_text(element.tail)
            continue
        tokens.append([_local(element.tag), sorted((_local(k), v) for k, v in element.attrib.items())])
        add_text(element.text)
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(list(element)))
    canonical = json.dumps(tokens, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class _Parts:
    """The reading of one item's text parts: from its kept Markdown when unchanged, else from XHTML."""
    reader: PackageAccess
    name: str
    location: str
    source: dict
    foreign: bool  # another tool's item: its images come with the package (ours are the bank's own paths)
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # images already reported

    def markdown(self, part: str, text: str | None, children: list) -> str:
        kept = self.kept(part, text, children)
        return kept if kept is not None else self.converted(text, children)

    def kept(self, part: str, text: str | None, children: list) -> str | None:
        """The part's Markdown as we exported it, if its XHTML is still what we wrote."""
        source = self.source.get(part)
        if source is not None and source["xhtml"] == _digest(text, children):
            return source["markdown"]
        if source is not None:
            self.changed.append(part)
        return None

    def converted(self, text: str | None, children: list, blanks: list | None = None) -> str:
        """XHTML -> Markdown. `blanks` collects the textEntryInteractions, which become `{{n}}` markers."""
        container = ET.Element("div")
        container.text = text
        container.extend(copy.deepcopy(child) for child in children)  # the item itself stays as read
        nonce = secrets.token_hex(8)
        for element in container.iter():
            if element.tag == "img" and element.get("src"):
                element.set("src", self._image(element.get("src")))
        for parent in list(container.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag == "textEntryInteraction" and blanks is not None:
                    blanks.append(child)
                    word = ET.Element("span")
                    word.text, word.tail = f"qtiblank{nonce}n{len(blanks)}x", child.tail
                    parent.remove(child)
                    parent.insert(index, word)
        html = ET.tostring(container, encoding="unicode", method="html")
        markdown = markdownify(html, heading_style="ATX", bullets="-", code_language_callback=_code_language)
        markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip().replace("{{", "\\{{")
        return re.sub(f"qtiblank{nonce}n(\\d+)x", r"{{\1}}", markdown)


    def _image(self, src: str) -> str:
        """The image's path in the package, brought along; a relative path the package lacks is reported."""
        found = self.reader.image(self.name, src)
        if found is None and self.foreign and not re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE) and src not in self.missing:
            self.missing.append(src)
            self.reader.conversion.problem(self.location, N_(
                "the image %(src)r is not in the package; the question shows it only if the bank's folder has "
                "it at that path", src=src), "warning")
        return found or src


def _code_language(pre) -> str:
    """markdownify's callback: the language of `<pre><code class="language-x">` (a BeautifulSoup tag)."""
    code = pre.find("code") or pre
    classes = code.get("class") or []
    classes = classes.split() if isinstance(classes, str) else classes
    return next((name[len("language-"):] for name in classes if name.startswith("language-")), "")
