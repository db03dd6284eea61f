"""sanitize()/render_markdown(): Markdown output survives, active content never does."""
from __future__ import annotations

import re

import pytest

from examengine.core.markup import render_markdown, sanitize

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert(1)\">",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"java\tscript:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<img src=\"data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<object data=\"x\"></object>",
    "<embed src=\"x\">",
    "<body onload=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<p style=\"position:fixed;top:0\">x</p>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<form action=\"https://evil.example\"><input name=x></form>",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
    "<link rel=stylesheet href=\"https://evil.example/x.css\">",
    "<base href=\"https://evil.example/\">",
    "<style>body{display:none}</style>",
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "![img](javascript:alert(1))",
    "![img](data:image/png;base64,AAAA)",
    "<a href=\"https://ok.example\" onclick=\"alert(1)\">x</a>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
]

DANGEROUS = re.compile(
    r"<\s*(script|iframe|object|embed|svg|math|style|form|input|meta|link|base|body|details)\b"
    r"|\son\w+\s*=|javascript:|vbscript:|data:|\sstyle\s*=",
    re.IGNORECASE,
)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_active_content_survives_markdown(payload):
    assert not DANGEROUS.search(render_markdown(payload)), render_markdown(payload)


@pytest.mark.parametrize("payload", [p for p in XSS_PAYLOADS if p.startswith("<")])
def test_no_active_content_survives_sanitize(payload):
    assert not DANGEROUS.search(sanitize(payload)), sanitize(payload)


def test_markdown_structure_is_kept():
    html = render_markdown(
        "# 标题\n\n**粗体** *斜体* `code`\n\n- 一\n- 二\n\n1. one\n2. two\n\n> 引用\n\n"
        "```bash\nls -l /var/log\n```\n\n| 端口 | 协议 |\n|---|---|\n| 443 | HTTPS |\n"
    )
    for fragment in ("<h1>标题</h1>", "<strong>粗体</strong>", "<em>斜体</em>", "<code>code</code>",
                     "<ul>", "<ol>", "<blockquote>", "<pre><code class=\"language-bash\">ls -l /var/log",
                     "<table>", "<th>端口</th>", "<td>HTTPS</td>"):
        assert fragment in html


def test_safe_links_and_images_are_kept():
    html = render_markdown(
        "[doc](https://example.com/a?b=1) [mail](mailto:ops@example.com) [rel](/help) "
        "![diagram](https://example.com/a.png) ![local](images/net.png)"
    )
    assert 'href="https://example.com/a?b=1"' in html
    assert 'href="mailto:ops@example.com"' in html
    assert 'href="/help"' in html
    assert 'src="https://example.com/a.png"' in html
    assert 'src="images/net.png"' in html


def test_mailto_is_not_an_image_source():
    assert "mailto" not in render_markdown("![x](mailto:a@example.com)")


def test_html_in_markdown_text_is_escaped_or_dropped():
    html = render_markdown("a < b and <b>bold</b> & c")
    assert "a &lt; b" in html and "<b>bold</b>" in html and "&amp; c" in html


def test_empty_input():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


def test_sanitize_is_safe_to_call_from_many_threads_at_once():
    """gunicorn's threaded workers render pages concurrently; a shared parser once crashed here."""
    from concurrent.futures import ThreadPoolExecutor

    documents = [f"<p>选项 {n} <b>粗体</b> <script>x()</script><em>{n}</em></p>" * 20 for n in range(400)]
    expected = [sanitize(doc) for doc in documents]
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(sanitize, documents))
    assert results == expected


def test_the_per_thread_markdown_instance_renders_like_a_fresh_one():
    """One Markdown instance per thread, reset between conversions: no state leaks from one text to the next."""
    import markdown as markdown_lib

    from examengine.core import markup

    texts = [
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "```python\nprint('x')\n```",
        "plain text\nwith a break",
        "1. one\n2. two\n\n- three",
        "| c |\n|---|\n| 3 |",
        "plain again",
        "",
    ]
    for text in texts * 2:
        fresh = markdown_lib.markdown(text, extensions=markup.MARKDOWN_EXTENSIONS, output_format="html")
        assert markup._markdown(text) == fresh, text
