"""Database models. Import from here: `from examengine.models import User, Bank`."""
from .accounts import ROLES, Group, User, UserRole, user_groups
from .banks import Bank, Question, QuestionTag, QuestionVersion

__all__ = [
    "ROLES",
    "Bank",
    "Group",
    "Question",
    "QuestionTag",
    "QuestionVersion",
    "User",
    "UserRole",
    "user_groups",
]
