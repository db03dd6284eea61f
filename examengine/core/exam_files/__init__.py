"""Exams as files: the YAML format of `flask exams apply|export` (docs/exam-files.md), pure.

`read_exam_file(data, timezone=...)` turns the text into an `ExamFile` (every setting, the sections and
rules, the names of groups, users, reviewers, banks and questions, times as naive UTC, the line of
every key) or the problems of the file, each with its line, all of them at once; it never raises.
`write_exam_file(exam_file, timezone=...)` writes one back so that reading it gives an equal
`ExamFile`. What the names refer to, the ranges of the values, the question pool and the lock are
checked by `services.exams.files`, which reports at the lines kept here.
"""
from examengine.core.exam_files.model import (
    FIELD_PATHS,
    STATUSES,
    ExamFile,
    FileProblem,
    FileRule,
    FileSection,
    ReadResult,
    path_of,
)
from examengine.core.exam_files.reader import MAX_FILE_BYTES, TOP_KEYS, read_exam_file
from examengine.core.exam_files.writer import write_exam_file

__all__ = [
    "FIELD_PATHS", "MAX_FILE_BYTES", "STATUSES", "TOP_KEYS", "ExamFile", "FileProblem", "FileRule", "FileSection",
    "ReadResult", "path_of", "read_exam_file", "write_exam_file",
]
