"""What the language tests share: the English source texts of the catalog, and finding them on a page.

A page in the Chinese UI that shows one of these texts (4 words or more, placeholders cut out) shows a
message that was not translated."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parents[1] / "examengine" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"


def english_msgids() -> set[str]:
    with open(CATALOG / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    texts = set()
    for message in catalog:
        for text in (message.id if isinstance(message.id, (list, tuple)) else [message.id]):
            plain = re.split(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdrfgx]|%%|`", text or "")
            texts.update(part.strip() for part in plain if len(part.split()) >= 4)
    return texts


def untranslated(html: str, msgids: set[str]) -> list[str]:
    body = re.sub(r"<script.*?</script>|<[^>]+>", " ", html, flags=re.DOTALL)
    body = " ".join(body.split()).replace("&#39;", "'").replace("&quot;", '"').replace("&amp;", "&")
    return sorted(text for text in msgids if text in body)
