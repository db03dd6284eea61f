"""Database models. Import from here: `from examengine.models import User, Bank`."""
from . import sqlite_pragmas  # noqa: F401  (registers the connect hook)
from .accounts import (
    PASSWORD_HASH_METHOD,
    ROLES,
    Group,
    LoginThrottle,
    User,
    UserRole,
    hash_is_current,
    hash_method,
    hash_password,
    user_groups,
)
from .attempts import ATTEMPT_STATES, Attempt, AttemptEvent, AttemptSlot, StartQueueEntry
from .banks import Bank, Question, QuestionTag, QuestionVersion
from .calibration import CalibrationMark, CalibrationSample
from .exams import (
    DIFFICULTY_SOURCE_CHOICES,
    EXAM_STATUSES,
    MULTIPLE_SCORING_CHOICES,
    Exam,
    ExamOverride,
    ExamRule,
    ExamSection,
    exam_groups,
    exam_users,
)
from .grading import APPEAL_STATES, MARK_ROUNDS, Appeal, GradingClaim, GradingMark, ScoreChange, exam_reviewers
from .reports import REPORT_STATES, QuestionReport

__all__ = [
    "PASSWORD_HASH_METHOD", "ROLES", "Group", "LoginThrottle", "User", "UserRole", "hash_is_current",
    "hash_method", "hash_password", "user_groups",
    "Bank", "Question", "QuestionTag", "QuestionVersion",
    "CalibrationMark", "CalibrationSample",
    "DIFFICULTY_SOURCE_CHOICES", "EXAM_STATUSES", "MULTIPLE_SCORING_CHOICES", "Exam", "ExamOverride", "ExamRule", "ExamSection",
    "exam_groups", "exam_users",
    "ATTEMPT_STATES", "Attempt", "AttemptEvent", "AttemptSlot", "StartQueueEntry",
    "APPEAL_STATES", "MARK_ROUNDS", "Appeal", "GradingClaim", "GradingMark", "ScoreChange", "exam_reviewers",
    "REPORT_STATES", "QuestionReport",
]
