"""`write_qti`: the bank as a content package: the zip (fixed dates, so the same bank gives the same bytes),
`imsmanifest.xml` with each question's LOM (id, title, tags, difficulty, dimension) and the assessmentTest."""
from __future__ import annotations

import io
import json
import zipfile

from lxml import etree

from examengine.core.converters.drafts import QuestionDraft
from examengine.core.converters.qti.common import (
    CP_NS,
    CP_XSD,
    DIFFICULTY_WORDS,
    DIMENSION_SOURCE,
    ITEM_TYPE,
    MANIFEST,
    MD_NS,
    MD_XSD,
    QTI_NS,
    QTI_XSD,
    TEST_FILE,
    TEST_TYPE,
    TOOL_NAME,
    TOOL_VERSION,
    XSI_NS,
    _Identifiers,
    _q,
    _sub,
    _xml_text,
    ncname,
)
from examengine.core.converters.qti.item_writer import _ItemWriter
from examengine.core.converters.qti.xhtml import _indent


def write_qti(drafts: list[QuestionDraft], *, key: str, title: str) -> bytes:
    """The bank as an IMS QTI 2.1 content package (zip bytes)."""
    identifiers = _Identifiers()
    items = [_ItemWriter(draft, identifiers.new(draft.key, f"q{position}"))
             for position, draft in enumerate(drafts, 1)]
    test_id = identifiers.new(key, "test")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, MANIFEST, _xml_bytes(_manifest(items, key, title, test_id)))
        _add(archive, TEST_FILE, _xml_bytes(_assessment_test(items, title or key, test_id)))
        for item in items:
            _add(archive, item.path, _xml_bytes(item.element))
            _add(archive, item.source_path, json.dumps(item.source, ensure_ascii=False, indent=1).encode("utf-8", "surrogatepass"))
    return buffer.getvalue()


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # fixed: the same bank gives the same bytes
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _xml_bytes(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def _assessment_test(items: list[_ItemWriter], title: str, test_id: str) -> etree._Element:
    test = etree.Element(_q("assessmentTest"), nsmap={None: QTI_NS, "xsi": XSI_NS})
    test.set(f"{{{XSI_NS}}}schemaLocation", f"{QTI_NS} {QTI_XSD}")
    for name, value in (("identifier", test_id), ("title", title or test_id), ("toolName", TOOL_NAME),
                        ("toolVersion", TOOL_VERSION)):
        test.set(name, _xml_text(value))
    _sub(test, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float")
    part = _sub(test, "testPart", identifier="part-1", navigationMode="nonlinear", submissionMode="simultaneous")
    section = _sub(part, "assessmentSection", identifier="section-1", title=title or test_id, visible="true")
    for item in items:
        _sub(section, "assessmentItemRef", identifier=item.identifier, href=item.path)
    total = _sub(_sub(_sub(test, "outcomeProcessing"), "setOutcomeValue", identifier="SCORE"), "sum")
    _sub(total, "testVariables", variableIdentifier="SCORE")
    _indent(test)
    return test


def _cp(tag: str) -> str:
    return f"{{{CP_NS}}}{tag}"


def _md(tag: str) -> str:
    return f"{{{MD_NS}}}{tag}"


def _manifest(items: list[_ItemWriter], key: str, title: str, test_id: str) -> etree._Element:
    manifest = etree.Element(_cp("manifest"), nsmap={None: CP_NS, "imsmd": MD_NS, "imsqti": QTI_NS, "xsi": XSI_NS})
    manifest.set("identifier", f"manifest-{ncname(key or 'bank')}")
    manifest.set(f"{{{XSI_NS}}}schemaLocation", f"{CP_NS} {CP_XSD} {MD_NS} {MD_XSD} {QTI_NS} {QTI_XSD}")
    metadata = etree.SubElement(manifest, _cp("metadata"))
    etree.SubElement(metadata, _cp("schema")).text = "QTIv2.1 Package"
    etree.SubElement(metadata, _cp("schemaversion")).text = "1.0.0"
    general = etree.SubElement(etree.SubElement(metadata, _md("lom")), _md("general"))
    if key:
        etree.SubElement(general, _md("identifier")).text = _xml_text(key)
    if title:
        _langstring(etree.SubElement(general, _md("title")), title)
    etree.SubElement(manifest, _cp("organizations"))
    resources = etree.SubElement(manifest, _cp("resources"))
    test = etree.SubElement(resources, _cp("resource"), identifier=f"test-{test_id}", type=TEST_TYPE, href=TEST_FILE)
    etree.SubElement(test, _cp("file"), href=TEST_FILE)
    for item in items:
        etree.SubElement(test, _cp("dependency"), identifierref=f"item-{item.identifier}")
    for item in items:
        resource = etree.SubElement(resources, _cp("resource"), identifier=f"item-{item.identifier}",
                                    type=ITEM_TYPE, href=item.path)
        _item_metadata(etree.SubElement(resource, _cp("metadata")), item)
        etree.SubElement(resource, _cp("file"), href=item.path)
        etree.SubElement(resource, _cp("file"), href=item.source_path)
    _indent(manifest)
    return manifest


def _langstring(parent, text: str, lang: str | None = None) -> None:
    element = etree.SubElement(parent, _md("langstring"))
    if lang:
        element.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    element.text = _xml_text(text)


def _vocabulary(parent, tag: str, source: str, value: str) -> None:
    element = etree.SubElement(parent, _md(tag))
    _langstring(etree.SubElement(element, _md("source")), source, "x-none")
    _langstring(etree.SubElement(element, _md("value")), value, "x-none")


def _item_metadata(metadata, item: _ItemWriter) -> None:
    draft = item.draft
    lom = etree.SubElement(metadata, _md("lom"))
    general = etree.SubElement(lom, _md("general"))
    if draft.key:
        etree.SubElement(general, _md("identifier")).text = _xml_text(draft.key)
    if draft.title:
        _langstring(etree.SubElement(general, _md("title")), draft.title)
    for tag in draft.tags:
        _langstring(etree.SubElement(general, _md("keyword")), tag)
    if draft.difficulty is not None and 1 <= draft.difficulty <= 5:
        _vocabulary(etree.SubElement(lom, _md("educational")), "difficulty", "LOMv1.0",
                    DIFFICULTY_WORDS[draft.difficulty - 1])
    if draft.dimension:
        classification = etree.SubElement(lom, _md("classification"))
        _vocabulary(classification, "purpose", "LOMv1.0", "Educational Objective")
        path = etree.SubElement(classification, _md("taxonpath"))
        _langstring(etree.SubElement(path, _md("source")), DIMENSION_SOURCE, "x-none")
        _langstring(etree.SubElement(etree.SubElement(path, _md("taxon")), _md("entry")), draft.dimension)
    qti = etree.SubElement(metadata, _q("qtiMetadata"))
    interaction = {"fill": "textEntryInteraction", "short": "extendedTextInteraction",
                   "analysis": "extendedTextInteraction"}.get(draft.qtype, "choiceInteraction")
    for tag, text in (("timeDependent", "false"), ("composite", "false"), ("interactionType", interaction),
                      ("feedbackType", "nonadaptive" if draft.explanation.strip() else "none"),
                      ("solutionAvailable", "true"), ("toolName", TOOL_NAME), ("toolVersion", TOOL_VERSION)):
        etree.SubElement(qti, _q(tag)).text = text
