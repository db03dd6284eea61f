"""Admin: importing users from CSV. Routes on the `admin_users` blueprint."""
from __future__ import annotations

import csv
import io
from urllib.parse import quote

from flask import Response, current_app, render_template

from ...core.spreadsheets import neutralize_row
from ...services.accounts import DEFAULT_MAX_ROWS, RowError
from ...services.accounts import import_users as import_users_from_csv
from ..auth.session import role_required
from ..http import no_store
from . import bp
from .forms import ImportForm

BOM = "\ufeff"  # lets Excel open the UTF-8 file with Chinese text intact
MAX_ERRORS_SHOWN = 200
SAMPLE_ROWS = (
    ("用户名", "姓名", "分组", "角色"),
    ("zhangsan", "张三", "技术支持部;一线支持组", "员工"),
    ("lisi", "李四", "技术支持部", "阅卷人;员工"),
    ("wangwu", "Wang Wu", "", "admin"),
)


def _csv_text(rows) -> str:
    """CSV for Excel; usernames are user data, so formula-like cells are neutralized as in the exports."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(neutralize_row(row) for row in rows)
    return BOM + out.getvalue()


@bp.route("/users/import", methods=["GET", "POST"])
@role_required("admin")
def import_users():
    form = ImportForm()
    errors = []
    if form.validate_on_submit():
        result = import_users_from_csv(form.file.data.read(), max_rows=_max_rows())
        if result.ok:
            return _show_imported(result)
        # str(): a lazy message is "safe" to Jinja (LazyString.__html__), so the CSV text inside it
        # would not be escaped.
        errors = [RowError(error.row, str(error.message)) for error in result.errors]
    return render_template("accounts/import.html", form=form, errors=errors[:MAX_ERRORS_SHOWN],
                           more_errors=max(0, len(errors) - MAX_ERRORS_SHOWN), max_rows=_max_rows())


def _max_rows() -> int:
    return current_app.config.get("EXAMENGINE_USER_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


def _show_imported(result):
    """The new passwords, shown once; the download link carries them in the page, never stored."""
    passwords = _csv_text([("username", "password")] + [(name, pw) for name, _, pw in result.accounts])
    download = "data:text/csv;charset=utf-8," + quote(passwords)
    return no_store(render_template("accounts/import_done.html", result=result, download=download))


@bp.route("/users/import/sample.csv")
@role_required("admin")
def import_sample():
    return Response(_csv_text(SAMPLE_ROWS), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=users-sample.csv"})
