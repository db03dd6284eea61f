"""Checking bank files and folders, as `banks check` does in CI."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from examengine.core import qtypes
from examengine.core.banks.errors import BankError
from examengine.core.banks.parser import DEFAULT_MAX_BYTES, load_bank_bytes
from examengine.core.banks.specs import ParseResult
from examengine.core.messages import N_, Message, Np_

BANK_SUFFIX = ".md"


@dataclass
class CheckReport:
    files: int = 0
    questions: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    by_dimension: dict[str, int] = field(default_factory=dict)  # questions without a dimension are not counted
    by_tag: dict[str, int] = field(default_factory=dict)
    errors: list[BankError] = field(default_factory=list)
    results: list[ParseResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict:
        return {
            "files": self.files, "questions": self.questions, "by_type": self.by_type,
            "by_dimension": self.by_dimension, "by_tag": self.by_tag,
            "errors": [{"path": e.path, "line": e.line, "message": e.message} for e in self.errors],
        }

    def summary_lines(self) -> list[str]:
        errors = (Np_("%(num)d error", "%(num)d errors", len(self.errors)) if self.errors
                  else N_("no errors"))
        lines = [N_("%(files)s, %(questions)s, %(errors)s", errors=errors,
                    files=Np_("%(num)d file", "%(num)d files", self.files),
                    questions=Np_("%(num)d question", "%(num)d questions", self.questions))]
        for label, counts in ((N_("by type: %(counts)s"), self.by_type),
                              (N_("by dimension: %(counts)s"), self.by_dimension),
                              (N_("by tag: %(counts)s"), self.by_tag)):
            if counts:
                listed = ", ".join(f"{name} {count}" for name, count in counts.items())
                lines.append(Message(label.id, {"counts": listed}))
        return lines


def check_paths(paths: list[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> CheckReport:
    """Parse every bank under `paths` (files, or folders searched recursively for *.md)."""
    report = CheckReport()
    files = _bank_files(paths, report.errors)
    results = [_check_file(path, max_bytes) for path in files]
    report.results = _with_duplicate_keys(results)
    report.files = len(files)
    for result in report.results:
        report.errors.extend(result.errors)
    _count(report)
    return report


def duplicate_bank_keys(results: list[ParseResult]) -> list[BankError]:
    """An error for each bank whose key an earlier result in `results` already uses."""
    first_source: dict[str, str] = {}
    errors = []
    for result in results:
        if result.bank is None:
            continue
        first = first_source.setdefault(result.bank.key, result.bank.source)
        if first != result.bank.source:
            errors.append(BankError(result.bank.source, 0, N_("bank id %(key)r is also used by %(first)s: give one of them "
                                                           "another `id:` in its front matter",
                                                           key=result.bank.key, first=first), ""))
    return errors


def _with_duplicate_keys(results: list[ParseResult]) -> list[ParseResult]:
    """The results, with each duplicate-key bank turned into a failed result."""
    by_source = {error.path: error for error in duplicate_bank_keys(results)}
    return [ParseResult(None, [by_source[r.bank.source]]) if r.bank and r.bank.source in by_source else r
            for r in results]


def _bank_files(paths: list[str], errors: list[BankError]) -> list[Path]:
    files: dict[Path, Path] = {}  # resolved -> as given, so each file is read once
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = _banks_in_folder(path)
            if not found:
                errors.append(BankError(given, 0, N_("no %(suffix)s files in this folder", suffix=BANK_SUFFIX), ""))
        elif path.is_file():
            found = [path] if path.suffix.lower() == BANK_SUFFIX else []
            if not found:
                errors.append(BankError(given, 0, N_("not a bank: bank files end in %(suffix)s", suffix=BANK_SUFFIX), ""))
        else:
            errors.append(BankError(given, 0, N_("no such file or folder"), ""))
            found = []
        for file in found:
            files.setdefault(file.resolve(), file)
    return list(files.values())


def _banks_in_folder(folder: Path) -> list[Path]:
    """*.md files below `folder`, sorted; hidden files and folders (.git, .github) are skipped."""
    return sorted(
        path for path in folder.rglob("*")
        if path.suffix.lower() == BANK_SUFFIX and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def _check_file(path: Path, max_bytes: int) -> ParseResult:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ParseResult(None, [BankError(str(path), 0, N_("cannot read the file: %(error)s",
                                                                         error=str(exc.strerror or exc)), "")])
    return load_bank_bytes(data, source=str(path), max_bytes=max_bytes)


def _count(report: CheckReport) -> None:
    types, dimensions, tags = Counter(), Counter(), Counter()
    for result in report.results:
        for question in result.bank.questions if result.bank else ():
            types[question.qtype] += 1
            if question.dimension:
                dimensions[question.dimension] += 1
            tags.update(question.tags)
    report.questions = sum(types.values())
    order = [t.name for t in qtypes.all_types()]
    report.by_type = {name: types[name] for name in order if types[name]}
    report.by_dimension = _by_count(dimensions)
    report.by_tag = _by_count(tags)


def _by_count(counter: Counter) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))
