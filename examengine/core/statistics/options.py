"""What examinees answered on one slot: the distractor table of a choice question (by option text, since
options are shuffled per paper and pools may hold several versions), option curves across score groups,
and the most frequent wrong answers of a fill-in question."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .items import MIN_TRUSTED_N

CURVE_GROUPS = 5  # option curves: share choosing each option in five groups by total, lowest first


@dataclass(frozen=True)
class OptionRow:
    text: str
    correct: bool
    share: float  # of the examinees who saw the option
    upper_share: float | None
    lower_share: float | None
    curve: list[float | None]  # share in each score group, lowest group first
    flags: list[str]


def _shares(chosen: np.ndarray, offered: np.ndarray, rows: np.ndarray) -> list[float | None]:
    """Per option, the share of `rows` that chose it among those shown it (None if nobody was)."""
    shown = offered[rows].sum(axis=0)
    picked = (chosen[rows] & offered[rows]).sum(axis=0)
    return [float(p / s) if s else None for p, s in zip(picked, shown)]


def distractor_table(texts: Sequence[str], correct: set[str], chosen: np.ndarray, offered: np.ndarray,
                     totals: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> list[OptionRow]:
    """One row per option text: `chosen[r, t]` / `offered[r, t]` say whether row r picked / was shown
    text t; `lower` and `upper` are row indexes of the score groups."""
    n = len(totals)
    everyone = np.arange(n)
    order = np.argsort(totals, kind="stable")
    curve_groups = [group for group in np.array_split(order, CURVE_GROUPS) if len(group)] if n else []
    overall, high, low = (_shares(chosen, offered, rows) for rows in (everyone, upper, lower))
    curves = [_shares(chosen, offered, group) for group in curve_groups]
    seen = offered.sum(axis=0)
    table = []
    for t, text in enumerate(texts):
        share = overall[t] or 0.0
        flags = ["unused_distractor"] if text not in correct and seen[t] >= MIN_TRUSTED_N and share == 0 else []
        table.append(OptionRow(text=text, correct=text in correct, share=share, upper_share=high[t],
                               lower_share=low[t], curve=[curve[t] for curve in curves], flags=flags))
    table.sort(key=lambda row: (not row.correct, row.text))
    return table


def frequent_wrong_answers(answers: Sequence[tuple[int, str]], limit: int = 5) -> list[tuple[int, str, int]]:
    """(blank number, answer, count) of the commonest wrong answers, most frequent first."""
    counts = Counter((blank, text) for blank, text in answers if text)
    return [(blank, text, count) for (blank, text), count in
            sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]]


def rubric_hit_rates(credited: Sequence[Sequence[int]], items: int) -> list[float | None]:
    """Share of the marked answers credited with each rubric line (`credited`: the lines per answer)."""
    if not credited:
        return [None] * items
    counts = Counter(index for lines in credited for index in set(lines) if 0 <= index < items)
    return [counts[index] / len(credited) for index in range(items)]


def choice_sets(qtype: str, payload: dict, response) -> tuple[set[int], set[int]]:
    """(chosen, correct) option indexes of a stored choice response, in the author's order
    (true/false: 0 is "true", 1 is "false"). Malformed or missing responses choose nothing."""
    if qtype == "truefalse":
        chosen = {0 if response else 1} if isinstance(response, bool) else set()
        return chosen, {0 if payload.get("answer") else 1}
    correct = {i for i, option in enumerate(payload.get("options", [])) if option.get("correct")}
    if isinstance(response, bool):
        return set(), correct
    if isinstance(response, int):
        return {response}, correct
    if isinstance(response, list):
        return {v for v in response if isinstance(v, int) and not isinstance(v, bool)}, correct
    return set(), correct
