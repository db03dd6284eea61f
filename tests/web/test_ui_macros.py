"""The shared page macros of templates/_ui.html, rendered on their own."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import render_template_string

IMPORT = ("{% from '_ui.html' import pager, empty_state, data_table, badge, progress_badge, pass_badge %}")


@pytest.fixture
def render(app):
    def render(source: str, **context) -> str:
        with app.test_request_context("/", headers={"Accept-Language": "en"}):
            return render_template_string(IMPORT + source, **context).strip()
    return render


class PageItems(HTMLParser):
    """The pager's items as (text, href or None, active, disabled)."""

    def __init__(self):
        super().__init__()
        self.items: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li":
            classes = attrs.get("class", "").split()
            self.items.append({"text": "", "href": None, "active": "active" in classes,
                               "disabled": "disabled" in classes, "current": attrs.get("aria-current")})
        elif tag == "a" and self.items:
            self.items[-1]["href"] = attrs["href"]

    def handle_data(self, data):
        if self.items:
            self.items[-1]["text"] += data.strip()


def items(html: str) -> list[dict]:
    parser = PageItems()
    parser.feed(html)
    return parser.items


def pager(render, page, pages, **args) -> str:
    return render("{{ pager(page, pages, 'results.exam_results', exam_id=7, **args) }}", page=page, pages=pages, args=args)


def test_pager_shows_first_last_and_three_either_side_with_ellipses(render):
    html = pager(render, 10, 30, sort="name")
    assert html.startswith('<nav aria-label="Pages"><ul class="pagination pagination-sm')
    listed = items(html)
    assert [item["text"] for item in listed] == ["1", "…", "7", "8", "9", "10", "11", "12", "13", "…", "30"]
    assert [item["text"] for item in listed if item["disabled"]] == ["…", "…"]
    assert all(item["href"] is None for item in listed if item["disabled"])
    active = [item for item in listed if item["active"]]
    assert [(item["text"], item["current"]) for item in active] == [("10", "page")]
    assert listed[0]["href"] == "/admin/exams/7/results?sort=name&page=1"
    assert listed[-1]["href"] == "/admin/exams/7/results?sort=name&page=30"


@pytest.mark.parametrize("page, pages, shown", [
    (1, 5, ["1", "2", "3", "4", "5"]),
    (5, 9, ["1", "2", "3", "4", "5", "6", "7", "8", "9"]),  # the window reaches both ends: no ellipsis
    (6, 12, ["1", "…", "3", "4", "5", "6", "7", "8", "9", "…", "12"]),
    (12, 12, ["1", "…", "9", "10", "11", "12"]),
    (9, 2, ["1", "2"]),  # a page past the end (an old link) still offers the real pages
])
def test_pager_window_at_the_edges(render, page, pages, shown):
    listed = items(pager(render, page, pages))
    assert [item["text"] for item in listed] == shown
    assert [item["text"] for item in listed if item["active"]] == ([str(page)] if page <= pages else [])


def test_pager_keeps_the_query_arguments_but_drops_empty_ones(render):
    html = pager(render, 1, 2, group=None, band=0, q="判断 & co", status="", dir="desc")
    hrefs = [item["href"] for item in items(html)]
    assert hrefs == ["/admin/exams/7/results?band=0&q=%E5%88%A4%E6%96%AD+%26+co&dir=desc&page=1",
                     "/admin/exams/7/results?band=0&q=%E5%88%A4%E6%96%AD+%26+co&dir=desc&page=2"]


@pytest.mark.parametrize("pages", [0, 1])
def test_pager_is_empty_for_a_single_page(render, pages):
    assert pager(render, 1, pages) == ""


def test_empty_state_with_and_without_testid(render):
    assert render("{{ empty_state('No <b>rows</b>.', 'no-rows') }}") == (
        '<p class="text-muted" data-testid="no-rows">No &lt;b&gt;rows&lt;/b&gt;.</p>')
    assert render("{{ empty_state('Nothing.', class_='mb-0') }}") == '<p class="text-muted mb-0">Nothing.</p>'
    assert render("{% call empty_state() %}Nothing <a href='/x'>yet</a>{% endcall %}") == (
        "<p class=\"text-muted\">Nothing <a href='/x'>yet</a></p>")


def test_badge_tone_classes_and_attributes(render):
    assert render("{{ badge('Open', 'info') }}") == '<span class="badge text-bg-info">Open</span>'
    assert render("{{ badge(3, 'light', testid='leave-count', class_='border', data_count='open', title='<t>') }}") == (
        '<span class="badge text-bg-light border" data-count="open" title="&lt;t&gt;" data-testid="leave-count">3</span>')


@pytest.mark.parametrize("state, tone, label", [
    ("upcoming", "secondary", "Upcoming"), ("open", "primary", "Open"), ("in_progress", "warning", "In progress"),
    ("submitted", "info", "Submitted, awaiting grading"), ("pending", "info", "Awaiting grading"),
    ("graded", "success", "Graded"), ("closed", "dark", "Closed"), ("bogus", "dark", "Closed"),
])
def test_progress_badge_maps_each_state_to_one_tone(render, state, tone, label):
    shown = "closed" if state == "bogus" else state
    assert render("{{ progress_badge(state) }}", state=state) == (
        f'<span class="badge text-bg-{tone}" data-status="{shown}">{label}</span>')


def test_pass_badge(render):
    assert render("{{ pass_badge(true) }}") == '<span class="badge text-bg-success" data-passed="yes">Passed</span>'
    assert render("{{ pass_badge(false) }}") == '<span class="badge text-bg-danger" data-passed="no">Not passed</span>'
    assert render("{{ pass_badge(none) }}") == '<span class="text-muted">—</span>'
    assert render("{{ pass_badge(none, missing='') }}") == ""


def test_data_table_headers_actions_and_rows(render):
    html = render("{% call data_table(['Name', ('Count', 'text-end'), ('', 'min-w-8rem')], testid='things',"
                  " actions=true, class_='table-sm min-w-44rem', aria_label='t') %}<tr><td>{{ row }}</td></tr>{% endcall %}",
                  row="<x>")
    assert html.startswith('<div class="table-responsive">\n<table class="table table-sm min-w-44rem" aria-label="t"'
                           ' data-testid="things">')
    assert ('<thead><tr><th>Name</th><th class="text-end">Count</th><th class="min-w-8rem"></th>'
            '<th class="text-end">Actions</th></tr></thead>') in html
    assert "<tbody><tr><td>&lt;x&gt;</td></tr>" in html and html.endswith("</table>\n</div>")
    plain = render("{% call data_table(['A']) %}{% endcall %}")
    assert '<table class="table table-hover align-middle">' in plain and "Actions" not in plain
