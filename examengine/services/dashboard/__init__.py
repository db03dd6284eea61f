"""The admin's start page: what needs attention now across exams, grading, appeals and reports.

`todo` counts exams running now, answers waiting for a reviewer, open appeals, open question reports
and lists the exams closing later today in the site's time zone. It reads the other domains and owns
no table; nothing depends on it (like `analysis`).
"""
from .todo import AdminTodo, admin_todo

__all__ = ["AdminTodo", "admin_todo"]
