"""IMS QTI 2.1 packages: export -> import round trips, the package's structure, other tools' packages, bad input.

No package on PyPI ships the IMS QTI 2.1 and content-packaging XSDs, and tests have no internet, so the
structure is checked here instead of by a schema: namespaces, required elements and attributes, NCName
identifiers, every file the manifest names, and every identifier the response processing uses.
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from examengine.core import qtypes
from examengine.core.banks import load_bank_bytes, parse_bank
from examengine.core.converters import QTYPES, drafts_of, write_bank
from examengine.core.converters.qti import common, item_writer, read_qti, reader, write_qti
from tests.core.converters.qti_samples import CRAFTED_BANK, FOREIGN_ITEMS, PNG, QTI_HEAD, foreign_package, zip_of

BANKS = sorted((Path(__file__).parents[3] / "question_banks").glob("*.md"))
QTI = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
MD = "{http://www.imsglobal.org/xsd/imsmd_v1p2}"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def crafted():
    result = parse_bank(CRAFTED_BANK, source="全功能.md")
    assert result.ok, result.errors
    return result.bank


def exported(bank) -> bytes:
    return write_qti(drafts_of(bank), key=bank.key, title=bank.title)


def reimported(conversion):
    result = parse_bank(write_bank(conversion.drafts, title=conversion.title), source="back.md")
    assert result.ok, result.errors
    return result.bank


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def problems(conversion) -> list[tuple[str, str, str]]:
    return [(problem.kind, problem.location, str(problem.message)) for problem in conversion.problems]


# ---------------------------------------------------------------------------------------- round trip

@pytest.mark.parametrize("bank", [pytest.param(crafted(), id="crafted"),
                                  *(pytest.param(load_bank_bytes(path.read_bytes(), source=str(path)).bank,
                                                 id=path.name) for path in BANKS)])
def test_export_then_import_gives_every_question_back_unchanged(bank):
    conversion = read_qti("bank.qti.zip", exported(bank))

    assert conversion.problems == []
    assert conversion.title == bank.title
    back = reimported(conversion)
    assert [q.fingerprint for q in back.questions] == [q.fingerprint for q in bank.questions]
    assert [q.key for q in back.questions] == [q.key for q in bank.questions]


def test_the_real_banks_are_all_covered():
    assert {path.name for path in BANKS} >= {"fault-diagnosis.md", "network-os.md", "service-communication.md"}


def test_crafted_bank_has_every_type_and_feature():
    questions = crafted().questions
    assert {q.qtype for q in questions} == set(QTYPES)
    payloads = [q.payload for q in questions]
    assert any(p.get("scoring") == "partial" for p in payloads)
    assert any(p.get("shuffle") is False for p in payloads)
    assert any(p.get("case_sensitive") for p in payloads)
    assert any(b.get("tolerance") for p in payloads for b in p.get("blanks", []))
    assert any(len(b["answers"]) > 1 for p in payloads for b in p.get("blanks", []))
    assert any(p.get("case") and p.get("rubric") for p in payloads)
    assert any("```" in q.stem for q in questions) and any(q.explanation for q in questions)


def test_the_same_bank_gives_the_same_bytes():
    assert exported(crafted()) == exported(crafted())


def test_an_item_edited_in_another_tool_is_read_from_its_xhtml_with_a_warning():
    files = members(exported(crafted()))
    name = "items/端口.001.xml"
    files[name] = files[name].replace(b"<p>443</p>", "<p><strong>443</strong> 端口</p>".encode())

    conversion = read_qti("edited.zip", zip_of(files))

    assert problems(conversion) == [("warning", name, "the item's text was changed after it was exported "
                                     "(choice:B): those parts were converted from its HTML, check their formatting")]
    options = [option.text for option in conversion.drafts[0].options]
    assert options == ["80", "**443** 端口", "`8080`\n（备用端口，续行）", "![图示](img/port.png)"]


def test_without_the_kept_markdown_the_xhtml_still_gives_the_questions():
    files = {name: data for name, data in members(exported(crafted())).items()
             if not name.endswith(".markdown.json")}

    conversion = read_qti("no-source.zip", zip_of(files))

    assert conversion.problems == []
    back = reimported(conversion)
    original = crafted().questions
    assert [(q.qtype, q.key, q.title, q.points, q.tags) for q in back.questions] == \
        [(q.qtype, q.key, q.title, q.points, q.tags) for q in original]
    fill = back.questions[6]
    assert fill.stem.startswith("安全的 HTTP 是 {{1}}，π ≈ {{2}}，字面量 \\{{不是空}}")
    assert fill.payload["blanks"] == original[6].payload["blanks"]
    assert back.questions[-1].payload["rubric"] == original[-1].payload["rubric"]
    assert "Timeout waiting for connection from pool" in back.questions[-1].payload["case"]


def test_damaged_kept_markdown_is_reported_and_the_xhtml_used():
    files = members(exported(crafted()))
    files["items/q3.markdown.json"] = b"{not json"

    conversion = read_qti("damaged.zip", zip_of(files))

    assert problems(conversion) == [("warning", "items/q3.xml", "items/q3.markdown.json (the Markdown kept with the "
                                     "item) is damaged; the text was converted from the item's HTML instead")]
    assert conversion.drafts[2].stem == "以下哪些是 *私有* 地址段？"


# ------------------------------------------------------------------------------------------ structure

def parsed(data: bytes):
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def is_ncname(name: str) -> bool:
    if not name or ":" in name:
        return False
    try:
        etree.Element(name)  # lxml refuses a tag that isn't an XML Name
    except ValueError:
        return False
    return True


def test_ncname_makes_identifiers_from_our_ids():
    assert common.ncname("网络一") == "网络一"
    assert common.ncname("fd-001.b") == "fd-001.b"
    assert common.ncname("1号") == "q-1号"
    assert common.ncname("-x") == "q--x"
    assert common.ncname("a b×c") == "a_b_c"
    assert all(is_ncname(common.ncname(text)) for text in ("1号", ".a", "·x", "a b", "é", "٣", "_"))


@given(st.text(min_size=1, max_size=30))
def test_ncname_is_always_a_valid_ncname(text):
    assert is_ncname(common.ncname(common._xml_text(text)))


def test_package_structure():
    bank = crafted()
    files = members(exported(bank))
    manifest = parsed(files["imsmanifest.xml"])

    assert manifest.tag == f"{CP}manifest" and is_ncname(manifest.get("identifier"))
    assert manifest.get(f"{XSI}schemaLocation").split()[::2] == [
        "http://www.imsglobal.org/xsd/imscp_v1p1", "http://www.imsglobal.org/xsd/imsmd_v1p2",
        "http://www.imsglobal.org/xsd/imsqti_v2p1"]
    assert manifest.findtext(f"{CP}metadata/{CP}schema") == "QTIv2.1 Package"
    resources = manifest.findall(f"{CP}resources/{CP}resource")
    identifiers = [resource.get("identifier") for resource in resources]
    assert len(set(identifiers)) == len(identifiers) and all(map(is_ncname, identifiers))
    listed = {file.get("href") for resource in resources for file in resource.findall(f"{CP}file")}
    assert listed == set(files) - {"imsmanifest.xml"}
    assert all(resource.get("href") in listed for resource in resources)

    items = [resource for resource in resources if resource.get("type") == "imsqti_item_xmlv2p1"]
    (test_resource,) = [resource for resource in resources if resource.get("type") == "imsqti_test_xmlv2p1"]
    assert len(items) == len(bank.questions)
    assert [d.get("identifierref") for d in test_resource.findall(f"{CP}dependency")] == \
        [item.get("identifier") for item in items]

    test = parsed(files[test_resource.get("href")])
    assert test.tag == f"{QTI}assessmentTest" and test.get("title") == "全功能题库"
    (section,) = test.iter(f"{QTI}assessmentSection")
    assert [ref.get("href") for ref in section.iter(f"{QTI}assessmentItemRef")] == \
        [item.get("href") for item in items]

    item_ids = []
    for resource, question in zip(items, bank.questions):
        item = parsed(files[resource.get("href")])
        check_item(item, question)
        item_ids.append(item.get("identifier"))
        general = resource.find(f"{CP}metadata/{MD}lom/{MD}general")
        assert general.findtext(f"{MD}identifier") == question.key
        assert [k.findtext(f"{MD}langstring") for k in general.findall(f"{MD}keyword")] == question.tags
        difficulty = resource.find(f".//{MD}educational/{MD}difficulty/{MD}value/{MD}langstring").text
        assert difficulty == common.DIFFICULTY_WORDS[question.difficulty - 1]
    assert len(set(item_ids)) == len(item_ids)
    assert item_ids[:2] == ["端口.001", "q-2024-多选"]


def check_item(item, question) -> None:
    assert item.tag == f"{QTI}assessmentItem"
    assert item.get(f"{XSI}schemaLocation") == ("http://www.imsglobal.org/xsd/imsqti_v2p1 "
                                                "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd")
    assert is_ncname(item.get("identifier")) and item.get("title")
    assert (item.get("adaptive"), item.get("timeDependent")) == ("false", "false")
    order = [child.tag.removeprefix(QTI) for child in item]
    expected = ["responseDeclaration", "outcomeDeclaration", "itemBody", "responseProcessing", "modalFeedback"]
    assert order == sorted(order, key=expected.index), order
    responses = {d.get("identifier"): d for d in item.iter(f"{QTI}responseDeclaration")}
    outcomes = {d.get("identifier"): d for d in item.iter(f"{QTI}outcomeDeclaration")}
    for declaration in [*responses.values(), *outcomes.values()]:
        assert declaration.get("cardinality") in ("single", "multiple") and declaration.get("baseType")
    assert float(outcomes["MAXSCORE"].findtext(f"{QTI}defaultValue/{QTI}value")) == question.points
    assert float(outcomes["SCORE"].get("normalMaximum")) == question.points
    interactions = [e for e in item.iter() if isinstance(e.tag, str) and e.tag.endswith("Interaction")]
    assert sorted(e.get("responseIdentifier") for e in interactions) == sorted(responses)
    for element in item.iter(f"{QTI}variable", f"{QTI}correct", f"{QTI}mapResponse", f"{QTI}setOutcomeValue"):
        assert element.get("identifier") in {**responses, **outcomes}, element.get("identifier")
    for feedback in item.iter(f"{QTI}modalFeedback"):
        assert feedback.get("outcomeIdentifier") in outcomes and feedback.get("showHide") == "show"
    kinds = {e.tag.removeprefix(QTI) for e in interactions}
    if question.qtype in ("single", "multiple", "truefalse"):
        (choice,) = interactions
        identifiers = [c.get("identifier") for c in choice.iter(f"{QTI}simpleChoice")]
        assert len(set(identifiers)) == len(identifiers) and all(map(is_ncname, identifiers))
        assert choice.get("maxChoices") == ("0" if question.qtype == "multiple" else "1")
        assert responses["RESPONSE"].get("cardinality") == ("multiple" if question.qtype == "multiple" else "single")
        assert set(v.text for v in responses["RESPONSE"].iter(f"{QTI}value")) <= set(identifiers)
    elif question.qtype == "fill":
        assert kinds == {"textEntryInteraction"} and len(interactions) == len(question.payload["blanks"])
    else:
        assert kinds == {"extendedTextInteraction"} and item.find(f"{QTI}responseProcessing") is None
        assert item.find(f".//{QTI}rubricBlock[@view='scorer']") is not None
    if question.payload.get("case"):
        assert item.find(f"{QTI}itemBody/{QTI}div[@class='ee-case']") is not None


def test_truefalse_is_two_choices_true_and_false():
    files = members(exported(crafted()))
    item = parsed(files["items/q5.xml"])
    choices = [(c.get("identifier"), c.text) for c in item.iter(f"{QTI}simpleChoice")]
    assert choices == [("true", "对"), ("false", "错")]
    assert [v.text for v in item.iter(f"{QTI}value")][0] == "true"


def test_fill_blanks_are_inline_with_alternatives_and_tolerance():
    item = parsed(members(exported(crafted()))["items/fill.多空.xml"])
    responses = {d.get("identifier"): d for d in item.iter(f"{QTI}responseDeclaration")}
    entries = [(e.get("mapKey"), e.get("caseSensitive")) for e in responses["RESPONSE_1"].iter(f"{QTI}mapEntry")]
    assert entries == [("HTTPS", "true"), ("HTTP over TLS", "true")]
    assert responses["RESPONSE_2"].get("baseType") == "float"
    (equal,) = item.iter(f"{QTI}equal")
    assert (equal.get("toleranceMode"), equal.get("tolerance")) == ("absolute", "0.01 0.01")
    paragraph = item.find(f"{QTI}itemBody/{QTI}div/{QTI}p")
    assert paragraph.text == "安全的 HTTP 是 "
    assert paragraph[0].tag == f"{QTI}textEntryInteraction" and paragraph[0].tail.startswith("，π ≈ ")


# ----------------------------------------------------- the response processing scores as we grade

def evaluate(item, responses: dict) -> float:
    """A small QTI response-processing interpreter: the operators our writer uses."""
    declarations = {d.get("identifier"): d for d in item.iter(f"{QTI}responseDeclaration")}
    outcomes = {"SCORE": 0.0}

    def correct(identifier):
        values = [v.text for v in declarations[identifier].iterfind(f"{QTI}correctResponse/{QTI}value")]
        if declarations[identifier].get("baseType") == "float":
            values = [float(v) for v in values]
        return set(values) if declarations[identifier].get("cardinality") == "multiple" else values[0]

    def value(expression):
        tag = expression.tag.removeprefix(QTI)
        children = [value(child) for child in expression]
        if tag == "variable":
            return outcomes.get(expression.get("identifier"), responses.get(expression.get("identifier")))
        if tag == "correct":
            return correct(expression.get("identifier"))
        if tag == "baseValue":
            return float(expression.text)
        if tag == "isNull":
            return children[0] is None or children[0] in ("", set())
        if tag == "not":
            return not children[0]
        if tag == "and":
            return all(children)
        if tag == "match":
            return children[0] == children[1]
        if tag == "contains":
            return children[0] >= children[1]
        if tag == "sum":
            return sum(children)
        if tag == "equal":
            tolerance = float(expression.get("tolerance").split()[0])
            return children[0] is not None and abs(children[0] - children[1]) <= tolerance + 1e-12
        if tag == "mapResponse":
            mapping = declarations[expression.get("identifier")].find(f"{QTI}mapping")
            given = responses.get(expression.get("identifier"))
            for entry in mapping.iter(f"{QTI}mapEntry"):
                sensitive = entry.get("caseSensitive") == "true"
                if (entry.get("mapKey") == given) if sensitive else (entry.get("mapKey").casefold() == given.casefold()):
                    return float(entry.get("mappedValue"))
            return float(mapping.get("defaultValue"))
        raise AssertionError(f"unexpected operator {tag}")

    def run(rules):
        for rule in rules:
            tag = rule.tag.removeprefix(QTI)
            if tag == "setOutcomeValue":
                outcomes[rule.get("identifier")] = value(rule[0])
            elif tag == "responseCondition":
                for branch in rule:
                    branch_tag = branch.tag.removeprefix(QTI)
                    if branch_tag == "responseElse":
                        run(branch)
                        break
                    if value(branch[0]):
                        run(branch[1:])
                        break

    run(item.find(f"{QTI}responseProcessing"))
    return round(outcomes["SCORE"], 2)


def item_for(bank, index):
    files = members(exported(bank))
    manifest = parsed(files["imsmanifest.xml"])
    items = [r for r in manifest.iter(f"{CP}resource") if r.get("type") == "imsqti_item_xmlv2p1"]
    return parsed(files[items[index].get("href")])


@pytest.mark.parametrize("index", [1, 2, 3])
@given(chosen=st.sets(st.integers(0, 3)))
@settings(max_examples=40, deadline=None)
def test_choice_scores_match_our_grading(index, chosen):
    bank = crafted()
    question = bank.questions[index]
    item = item_for(bank, index)
    chosen = {i for i in chosen if i < len(question.payload["options"])}
    response = {item_writer._choice_id(i) for i in chosen}
    ours = qtypes.get("multiple").grade(question.payload, sorted(chosen), question.points).score
    assert evaluate(item, {"RESPONSE": response}) == ours


def test_single_and_truefalse_scores_match_our_grading():
    bank = crafted()
    single, truefalse = item_for(bank, 0), item_for(bank, 4)
    for index in range(4):
        expected = qtypes.get("single").grade(bank.questions[0].payload, index, bank.questions[0].points).score
        assert evaluate(single, {"RESPONSE": item_writer._choice_id(index)}) == expected
    assert evaluate(truefalse, {"RESPONSE": "true"}) == 1.0
    assert evaluate(truefalse, {"RESPONSE": "false"}) == 0.0


@pytest.mark.parametrize("answers, score", [
    (["HTTPS", "3.14", "a|b", "99.9", "1024"], 4.0),
    (["HTTP over TLS", "3.149", "a|b", "x", "1024"], 3.2),
    (["https", "3.16", "a|b", "99.9", "1024"], 2.4),  # case-sensitive; outside the tolerance
    (["", "", "", "", ""], 0.0),
])
def test_fill_scores_match_our_grading_on_exact_answers(answers, score):
    bank = crafted()
    question = bank.questions[6]
    item = item_for(bank, 6)
    given = {f"RESPONSE_{n}": float(a) if n == 2 and a else (a or None) for n, a in enumerate(answers, 1)}
    assert evaluate(item, given) == score
    assert qtypes.get("fill").grade(question.payload, answers, question.points).score == score


# ---------------------------------------------------------------------------- another tool's package

def test_another_tools_package_converts_through_its_xhtml():
    conversion = read_qti("外部.zip", foreign_package())

    assert conversion.title == "外部工具的试卷"
    assert [d.qtype for d in conversion.drafts] == ["single", "multiple", "truefalse", "fill", "fill", "short"]
    assert problems(conversion) == [
        ("skipped", "items/match.xml", "not converted: matchInteraction has no equivalent here"),
        ("skipped", "items/mixed.xml", "not converted: the item combines choiceInteraction and "
                                       "textEntryInteraction; a question here has one kind of answer"),
        ("error", "items/gone.xml", "the manifest lists the item file 'items/gone.xml' but the zip has no such file; "
                                    "export the package again"),
    ]
    assert conversion.files == {"items/images/dns.png": PNG}

    back = reimported(conversion)
    single, multiple, truefalse, text, number, essay = back.questions
    assert (single.key, single.title, single.difficulty, single.tags) == ("choice", "默认网关", 4, ["网络", "Windows"])
    assert single.stem == "在 Windows 上查看**默认网关**用哪个命令？\n\n请选择一项："
    assert single.payload["options"] == [{"md": "ping", "correct": False}, {"md": "`ipconfig`", "correct": True},
                                         {"md": "tracert", "correct": False}]
    assert single.payload["shuffle"] is True and single.explanation == "ipconfig 显示网关。"
    assert (multiple.points, multiple.payload["shuffle"], multiple.payload["scoring"]) == (2.0, False, None)
    assert [o["correct"] for o in multiple.payload["options"]] == [True, True, False]
    assert (truefalse.stem, truefalse.payload) == ("RAID 1 可以代替备份。", {"answer": False})
    assert text.stem == "安全的 HTTP 叫作 {{1}}，写法 \\{{x}} 不是空。"
    assert text.payload == {"blanks": [{"answers": ["HTTPS", "HTTP over TLS"], "number": None, "tolerance": None}],
                            "case_sensitive": False}
    assert [(b["answers"], b["tolerance"]) for b in number.payload["blanks"]] == [(["3.14"], 0.01), (["22"], None)]
    assert number.stem == "π ≈ {{1}}；SSH 端口 {{2}}。"
    assert essay.stem == "请用三句话以内作答。\n\n说明 DNS 缓存的作用。"
    assert essay.points == 5.0
    assert essay.payload["reference"] == "提到 *TTL* 与解析器缓存。\n\n![DNS](items/images/dns.png)"


def single_item_package(body: str, *, item: str = "items/one.xml", declarations: str = "",
                        head: str = 'identifier="one" title="一题" adaptive="false" timeDependent="false"') -> bytes:
    manifest = ('<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="m"><resources>'
                f'<resource identifier="r" type="imsqti_item_xmlv2p1" href="{item}"><file href="{item}"/></resource>'
                '</resources></manifest>')
    xml = f"{QTI_HEAD}{head}>{declarations}<itemBody>{body}</itemBody></assessmentItem>"
    return zip_of({"imsmanifest.xml": manifest, item: xml})


@pytest.mark.parametrize("interaction", ["orderInteraction", "hotspotInteraction", "inlineChoiceInteraction",
                                         "sliderInteraction", "uploadInteraction"])
def test_an_unsupported_interaction_is_skipped_with_the_item_file(interaction):
    conversion = read_qti("p.zip", single_item_package(f'<{interaction} responseIdentifier="R"/>',
                                                       item="items/排序.xml"))
    assert problems(conversion) == [("skipped", "items/排序.xml",
                                     f"not converted: {interaction} has no equivalent here")]
    assert conversion.drafts == []


@pytest.mark.parametrize("body, declarations, message", [
    ("<p>只有文字</p>", "", "not converted: the item has no interaction (nothing to answer)"),
    ('<choiceInteraction responseIdentifier="R" maxChoices="1"><simpleChoice identifier="a">甲</simpleChoice>'
     '</choiceInteraction>', "", "the interaction's response 'R' has no responseDeclaration; export the item again"),
    ('<choiceInteraction responseIdentifier="R" maxChoices="1"><simpleChoice identifier="a">甲</simpleChoice>'
     '<simpleChoice identifier="b">乙</simpleChoice></choiceInteraction>',
     '<responseDeclaration identifier="R" cardinality="single" baseType="identifier"/>',
     "the choice item has no correct answer (no correctResponse, no positive mapping); mark the right choice and "
     "export again"),
    ('<p><textEntryInteraction responseIdentifier="R"/></p>',
     '<responseDeclaration identifier="R" cardinality="single" baseType="float"><correctResponse><value>abc'
     '</value></correctResponse></responseDeclaration>',
     "blank 1 has no numeric correct answer (found 'abc')"),
    ('<p>论述</p><extendedTextInteraction responseIdentifier="R"/>',
     '<responseDeclaration identifier="R" cardinality="single" baseType="string"/>'
     '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float" normalMaximum="5"/>',
     "the essay item has no reference answer, which our [short] questions need: add a model answer (rubricBlock "
     "view=\"scorer\") and export again"),
    ('<p>论述</p><extendedTextInteraction responseIdentifier="R"/><rubricBlock view="scorer"><p>要点</p></rubricBlock>',
     '<responseDeclaration identifier="R" cardinality="single" baseType="string"/>',
     "the essay item gives no maximum score (MAXSCORE, or normalMaximum of SCORE), which our [short] questions "
     "need: set its points and export again"),
])
def test_items_that_lack_what_our_format_needs_are_reported(body, declarations, message):
    conversion = read_qti("p.zip", single_item_package(body, declarations=declarations))
    assert [p[2] for p in problems(conversion)] == [message]
    assert [p[1] for p in problems(conversion)] == ["items/one.xml"]
    assert conversion.drafts == []


def test_a_string_blank_without_mapping_is_case_sensitive_as_in_qti():
    conversion = read_qti("p.zip", single_item_package(
        '<p>协议 <textEntryInteraction responseIdentifier="R"/></p>',
        declarations='<responseDeclaration identifier="R" cardinality="single" baseType="string">'
                     '<correctResponse><value>HTTPS</value></correctResponse></responseDeclaration>'))
    (draft,) = conversion.drafts
    assert (draft.stem, draft.blanks[0].answers, draft.case_sensitive) == ("协议 {{1}}", ["HTTPS"], True)


def test_a_template_item_is_skipped():
    conversion = read_qti("p.zip", single_item_package(
        '<p><textEntryInteraction responseIdentifier="R"/></p>',
        declarations='<responseDeclaration identifier="R" cardinality="single" baseType="integer"/>'
                     '<templateDeclaration identifier="A" cardinality="single" baseType="integer"/>'))
    assert problems(conversion) == [("skipped", "items/one.xml", "not converted: a template item "
                                     "(templateDeclaration) makes a new question per attempt; export its instances "
                                     "instead")]


# ------------------------------------------------------------------------------------------ bad input

MANIFEST_OK = ('<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="m"><resources>'
               '<resource identifier="r" type="imsqti_item_xmlv2p1" href="items/a.xml"/></resources></manifest>')


@pytest.mark.parametrize("data, expected", [
    (b"", [("error", "", "this file is not a zip archive (or it is damaged): a QTI package is a .zip with "
                         "imsmanifest.xml; export it again")]),
    ("题库".encode(), [("error", "", "this file is not a zip archive (or it is damaged): a QTI package is a .zip "
                                     "with imsmanifest.xml; export it again")]),
    (zip_of({"readme.txt": "你好"}), [("error", "", "no imsmanifest.xml in the zip: this is not an IMS content "
                                                      "package; export the questions as a QTI 2.1 package")]),
    (zip_of({"imsmanifest.xml": "<manifest>\n<resources>"}),
     [("error", "imsmanifest.xml", "imsmanifest.xml is not well-formed XML (line 2, column 11); export the "
                                   "package again")]),
    (zip_of({"imsmanifest.xml": '<!DOCTYPE m [<!ENTITY x "y">]><manifest>&x;</manifest>'}),
     [("error", "imsmanifest.xml", "imsmanifest.xml declares entities or external references, which are not read "
                                   "for safety; export it without a DTD")]),
    (zip_of({"imsmanifest.xml": "<questestinterop/>"}),
     [("error", "imsmanifest.xml", "imsmanifest.xml is not an IMS manifest: its root element is <questestinterop>, "
                                   "not <manifest>")]),
    (zip_of({"imsmanifest.xml": '<manifest><resources><resource type="imsqti_xmlv1p2" href="quiz.xml"/>'
                                '</resources></manifest>'}),
     [("skipped", "quiz.xml", "not converted: resource type imsqti_xmlv1p2 (QTI 1.2 or 3.0) is not read here; "
                              "export the package as QTI 2.1")]),
    (zip_of({"imsmanifest.xml": "<manifest><resources/></manifest>"}),
     [("error", "imsmanifest.xml", "the manifest lists no QTI 2.1 items (resources of type imsqti_item_xmlv2p1); "
                                   "export the questions as QTI 2.1")]),
    (zip_of({"imsmanifest.xml": MANIFEST_OK}),
     [("error", "items/a.xml", "the manifest lists the item file 'items/a.xml' but the zip has no such file; export "
                               "the package again")]),
    (zip_of({"imsmanifest.xml": MANIFEST_OK, "items/a.xml": "<assessmentTest/>"}),
     [("error", "items/a.xml", "items/a.xml is not a QTI item: its root element is <assessmentTest>, not "
                               "<assessmentItem>")]),
    (zip_of({"imsmanifest.xml": MANIFEST_OK, "items/a.xml": b"<assessmentItem>\xff</assessmentItem>"}),
     [("error", "items/a.xml", "items/a.xml is not well-formed XML (line 1, column 16); export the package again")]),
    (zip_of({"imsmanifest.xml": MANIFEST_OK, "items/a.xml": "<a>" * 300 + "</a>" * 300}),
     [("error", "items/a.xml", "items/a.xml nests elements more than 200 levels deep")]),
])
def test_bad_packages_are_reported_with_their_place(data, expected):
    assert problems(read_qti("bad.zip", data)) == expected


def test_a_truncated_package_is_reported():
    data = exported(crafted())
    conversion = read_qti("cut.zip", data[: len(data) // 2])
    assert problems(conversion) == [("error", "", "this file is not a zip archive (or it is damaged): a QTI package "
                                     "is a .zip with imsmanifest.xml; export it again")]


def test_a_manifest_in_a_folder_is_found():
    files = members(exported(crafted()))
    conversion = read_qti("nested.zip", zip_of({f"导出/{name}": data for name, data in files.items()}))
    assert conversion.problems == [] and len(conversion.drafts) == 12


def test_zip_bombs_are_refused_before_unpacking(monkeypatch):
    data = zip_of({"imsmanifest.xml": MANIFEST_OK, "items/a.xml": "x" * 1_100_000, "b": "", "c": ""})
    monkeypatch.setattr(reader, "MAX_ZIP_MEMBERS", 3)
    assert problems(read_qti("many.zip", data)) == [
        ("error", "", "the zip holds 4 files, more than the 3 a question package may have")]
    monkeypatch.setattr(reader, "MAX_ZIP_MEMBERS", 10)
    monkeypatch.setattr(reader, "MAX_UNCOMPRESSED", 1024 * 1024)
    assert problems(read_qti("big.zip", data)) == [
        ("error", "", f"the zip unpacks to {1_100_000 + len(MANIFEST_OK):,} bytes, over the limit of 1 MB")]


def test_a_file_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(reader, "MAX_XML_BYTES", 1024 * 1024)
    data = zip_of({"imsmanifest.xml": MANIFEST_OK, "items/a.xml": "<a>" + " " * 1_100_000 + "</a>"})
    assert problems(read_qti("big.zip", data)) == [
        ("error", "items/a.xml", "items/a.xml is 1,100,007 bytes, over the limit of 1 MB")]


# ---------------------------------------------------------------------------------------- never raises

def assert_reported(conversion) -> None:
    assert all("internal error" not in problem.message for problem in conversion.problems), conversion.problems


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data):
    assert_reported(read_qti("x.zip", data))


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_as_the_manifest_never_raise(data):
    assert_reported(read_qti("x.zip", zip_of({"imsmanifest.xml": data})))


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_as_an_item_never_raise(data):
    assert_reported(read_qti("x.zip", zip_of({"imsmanifest.xml": MANIFEST_OK, "items/a.xml": data,
                                               "items/a.markdown.json": data})))


ITEM_FRAGMENTS = [
    '<choiceInteraction responseIdentifier="R" maxChoices="1">', '<choiceInteraction responseIdentifier="X">',
    "</choiceInteraction>", '<simpleChoice identifier="a">', '<simpleChoice identifier="true">', "</simpleChoice>",
    '<simpleChoice>', "对", "错", "正确", '<textEntryInteraction responseIdentifier="R"/>',
    '<textEntryInteraction/>', '<extendedTextInteraction responseIdentifier="R"/>', '<rubricBlock view="scorer">',
    "</rubricBlock>", '<rubricBlock view="candidate">', '<div class="ee-case">', '<div class="ee-stem">', "</div>",
    "<p>", "</p>", "<prompt>", "</prompt>", '<img src="../../x.png"/>', '<img src="a.png"/>', "{{1}}", "\\{{",
    '<ol><li><span class="ee-points">(x)</span> 甲</li></ol>', '<matchInteraction/>', "<pre><code>", "</code></pre>",
    "文字", "&amp;", "&lt;", "<br/>",
]
DECLARATIONS = [
    '<responseDeclaration identifier="R" cardinality="single" baseType="identifier"><correctResponse>'
    '<value>a</value></correctResponse></responseDeclaration>',
    '<responseDeclaration identifier="R" cardinality="multiple" baseType="identifier"><correctResponse>'
    '<value>true</value><value>b</value></correctResponse></responseDeclaration>',
    '<responseDeclaration identifier="R" cardinality="single" baseType="string"><mapping defaultValue="0">'
    '<mapEntry mapKey="{{x" mappedValue="1"/><mapEntry mapKey="" mappedValue="nan"/></mapping></responseDeclaration>',
    '<responseDeclaration identifier="R" cardinality="single" baseType="float"><correctResponse>'
    '<value>1e999</value></correctResponse></responseDeclaration>',
    '<outcomeDeclaration identifier="MAXSCORE" cardinality="single" baseType="float"><defaultValue>'
    '<value>-3</value></defaultValue></outcomeDeclaration>',
    '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float" normalMaximum="inf"/>',
    '<responseProcessing><equal tolerance="x -1" toleranceMode="relative"><variable identifier="R"/></equal>'
    '</responseProcessing>',
    '<modalFeedback identifier="f"><p>解析</p></modalFeedback>', '<modalFeedback/>',
]


@FUZZ
@given(st.lists(st.sampled_from(ITEM_FRAGMENTS), max_size=25), st.lists(st.sampled_from(DECLARATIONS), max_size=4),
       st.booleans(), st.sampled_from(["", '{"parts": {"stem": {"markdown": 1, "xhtml": "x"}}}', '{"parts": []}']))
def test_arbitrary_items_in_qti_structure_never_raise(body, declarations, ours, source):
    tool = f' toolName="{common.TOOL_NAME}"' if ours else ""
    xml = (f'{QTI_HEAD}identifier="a" title="t"{tool}>{"".join(declarations)}<itemBody>{"".join(body)}'
           "</itemBody></assessmentItem>")
    files = {"imsmanifest.xml": MANIFEST_OK, "items/a.xml": xml, "a.png": PNG}
    if source:
        files["items/a.markdown.json"] = source
    conversion = read_qti("x.zip", zip_of(files))
    assert_reported(conversion)
    if conversion.drafts:
        text = write_bank(conversion.drafts)
        assert isinstance(parse_bank(text).errors, list)


def test_kept_markdown_is_json_with_a_digest_per_part():
    source = json.loads(members(exported(crafted()))["items/分析-01.markdown.json"])
    assert source["generator"] == "ExamEngine" and source["format"] == 1
    assert list(source["parts"]) == ["case", "stem", "reference", "rubric:1", "rubric:2", "rubric:3", "explanation"]
    assert source["parts"]["rubric:2"]["markdown"] == "指出连接泄漏并给出证据"


markdown_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)


filled_text = markdown_text.filter(str.strip)


@FUZZ
@given(stem=filled_text, options=st.lists(filled_text, min_size=2, max_size=4), explanation=markdown_text,
       title=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=60), key=st.one_of(st.none(), st.from_regex(r"[\w.-]{1,20}", fullmatch=True)))
def test_any_markdown_comes_back_exactly(stem, options, explanation, title, key):
    """Markdown parts come back exactly, control characters too (kept outside the XML, which can't hold them)."""
    from examengine.core.converters import Option, QuestionDraft
    draft = QuestionDraft("single", stem, title=title, key=key, explanation=explanation, points=2.5,
                          options=[Option(text, index == 0) for index, text in enumerate(options)])

    conversion = read_qti("x.zip", write_qti([draft], key="k", title="t"))

    assert_reported(conversion)
    assert [p for p in conversion.problems if p.kind != "warning"] == []
    (back,) = conversion.drafts
    assert (back.stem, back.explanation, back.key) == (stem, explanation if explanation.strip() else "", key)
    assert back.title == " ".join(title.split())  # the title is one line, as write_bank writes it
    assert [(o.text, o.correct) for o in back.options] == [(o.text, o.correct) for o in draft.options]


def test_an_item_in_the_qti_2_2_namespace_is_read():
    xml = FOREIGN_ITEMS["tf.xml"].replace("imsqti_v2p1", "imsqti_v2p2")
    manifest = ('<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><resources><resource identifier="r" '
                'type="imsqti_item_xmlv2p2" href="tf.xml"/></resources></manifest>')
    conversion = read_qti("p.zip", zip_of({"imsmanifest.xml": manifest, "tf.xml": xml}))
    assert conversion.problems == [] and conversion.drafts[0].answer is False


def test_several_unsupported_interactions_are_named_together():
    conversion = read_qti("p.zip", single_item_package('<orderInteraction responseIdentifier="A"/>'
                                                       '<hotspotInteraction responseIdentifier="B"/>'))
    assert problems(conversion) == [("skipped", "items/one.xml", "not converted: hotspotInteraction and "
                                     "orderInteraction have no equivalent here")]


def test_an_item_without_any_text_is_reported():
    conversion = read_qti("p.zip", single_item_package(
        '<choiceInteraction responseIdentifier="R" maxChoices="1"><simpleChoice identifier="a">甲</simpleChoice>'
        '<simpleChoice identifier="b">乙</simpleChoice></choiceInteraction>',
        declarations='<responseDeclaration identifier="R" cardinality="single" baseType="identifier">'
                     '<correctResponse><value>a</value></correctResponse></responseDeclaration>',
        head='identifier="one" title=" " adaptive="false" timeDependent="false"'))
    assert problems(conversion) == [("error", "items/one.xml", "the item has no question text and no title; write "
                                     "the question in its itemBody")]


def test_an_image_missing_from_the_package_is_reported_once():
    conversion = read_qti("p.zip", single_item_package(
        '<p>看图 <img src="images/缺失.png" alt="图"/> <img src="images/缺失.png" alt="图"/>'
        '<img src="https://example.com/x.png" alt="外链"/></p><extendedTextInteraction responseIdentifier="R"/>'
        '<rubricBlock view="scorer"><p>要点</p></rubricBlock>',
        declarations='<responseDeclaration identifier="R" cardinality="single" baseType="string"/>'
                     '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float" normalMaximum="3"/>'))
    assert problems(conversion) == [("warning", "items/one.xml", "the image 'images/缺失.png' is not in the package; "
                                     "the question shows it only if the bank's folder has it at that path")]
    assert conversion.drafts[0].stem == ("看图 ![图](images/缺失.png) ![图](images/缺失.png)"
                                         "![外链](https://example.com/x.png)")


def test_the_format_registry_reads_and_writes_qti():
    from examengine.core.converters import formats
    bank = crafted()
    data = formats.get("qti").write(drafts_of(bank), key=bank.key, title=bank.title)
    assert data == exported(bank)
    conversion = formats.convert("全功能.qti.zip", data)
    assert conversion.problems == [] and len(conversion.drafts) == len(bank.questions)
