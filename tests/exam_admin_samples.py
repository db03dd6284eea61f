"""Generated question banks for the exam definition tests (services and admin pages)."""
from __future__ import annotations

from examengine.services.banks import import_banks


def bank_md(key: str, questions) -> str:
    """A bank of single-choice (or true/false) questions: [(difficulty, tags, points or None, qtype)]."""
    parts = [f"---\nid: {key}\ntitle: Bank {key}\n---\n"]
    for i, (difficulty, tags, points, qtype) in enumerate(questions):
        head = f"## [{qtype}] {key} question {i}\nid: q{i}\ndifficulty: {difficulty}\n"
        head += f"tags: {tags}\n" if tags else ""
        head += f"points: {points}\n" if points is not None else ""
        if qtype == "truefalse":
            parts.append(f"{head}answer: true\n\nStatement {key} {i}.\n")
        else:
            parts.append(f"{head}\nQuestion {key} {i}?\n\n- [ ] wrong {i}\n- [x] right {i}\n")
    return "\n".join(parts)


def singles(count: int, *, difficulty: int = 2, tags: str = "", points=None) -> list:
    return [(difficulty, tags, points, "single")] * count


def load(key: str, questions) -> None:
    report = import_banks([(f"{key}.md", bank_md(key, questions).encode())], max_bytes=1 << 22)
    assert report.ok, report.errors
