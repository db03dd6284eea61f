"""Admin: question banks — the bank list, uploads, the question browser and the question preview, with
each version's item analysis pooled over the exams that used it (from the analysis service)."""
from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import MultipleFileField, SubmitField

from ...core.banks import BankError
from ...core.converters import formats
from ...core.converters.formats import IMPORT_FORMATS
from ...extensions import db
from ...services import analysis as analysis_service
from ...services.banks import (
    ImportReport,
    QuestionFilters,
    bank_summaries,
    browse_questions,
    filter_choices,
    get_question,
    import_banks,
    parse_all,
    version_of,
)
from ..analysis.labels import FLAG_LABELS
from ..auth.session import role_required
from ..ui import question_context, type_names
from . import bp
from .previews import ConfirmForm, confirmed_files, conversion_preview

BANK_SUFFIX = ".md"
# The bank list's download links, in the order shown.
EXPORT_LABELS = (("md", "Markdown"), ("moodle-xml", "Moodle XML"), ("qti", "QTI"), ("xlsx", "Excel"))
UPLOAD_ACCEPT = ",".join([BANK_SUFFIX, ".txt", *(ext for fmt in IMPORT_FORMATS for ext in fmt.extensions)])


class UploadForm(FlaskForm):
    files = MultipleFileField(_l("Bank files"), render_kw={"accept": UPLOAD_ACCEPT})
    submit = SubmitField(_l("Check and import"))


@bp.route("/banks")
@role_required("admin")
def banks():
    return render_template("banks/list.html", summaries=bank_summaries(), type_names=type_names(),
                           export_labels=EXPORT_LABELS)


@bp.route("/banks/upload", methods=["GET", "POST"])
@role_required("admin")
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        # GET, or a POST whose CSRF token failed (CSRFProtect normally answers that one itself).
        errors = [BankError("", 0, message, "") for message in form.errors.get("csrf_token", [])]
        return render_template("banks/upload.html", form=form, errors=errors), 400 if errors else 200
    files, problems = read_uploads(form.files.data)
    if not problems and any(not name.lower().endswith(BANK_SUFFIX) for name, _data in files):
        return conversion_preview(files, max_bytes=current_app.config["EXAMENGINE_MAX_BANK_BYTES"])
    report = check_and_import(files, problems, max_bytes=current_app.config["EXAMENGINE_MAX_BANK_BYTES"])
    if not report.ok:
        return render_template("banks/upload.html", form=form, errors=report.errors), 400
    return render_template("banks/result.html", report=report)


@bp.route("/banks/upload/confirm", methods=["POST"])
@role_required("admin")
def upload_confirm():
    """Import the Markdown a conversion preview showed (sent back by its form), checked again."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        errors = [BankError("", 0, message, "") for message in form.errors.get("csrf_token", [])]
        return render_template("banks/upload.html", form=UploadForm(formdata=None), errors=errors), 400
    files, problems = confirmed_files(request.form.getlist("name"), request.form.getlist("markdown"))
    report = check_and_import(files, problems, max_bytes=current_app.config["EXAMENGINE_MAX_BANK_BYTES"])
    if not report.ok:
        return render_template("banks/upload.html", form=UploadForm(formdata=None), errors=report.errors), 400
    return render_template("banks/result.html", report=report)


def check_and_import(files: list[tuple[str, bytes]], problems: list[BankError], *, max_bytes: int) -> ImportReport:
    """Import the files, or, when the upload itself has problems, list those with the files' own errors.

    Any unexpected failure becomes an error message too: an upload never gets a 500.
    """
    try:
        if problems:
            return ImportReport(errors=problems + (parse_all(files, max_bytes=max_bytes)[1] if files else []))
        return import_banks(files, max_bytes=max_bytes)
    except Exception:  # a bug: logged, rolled back and reported
        current_app.logger.exception("bank upload failed")
        db.session.rollback()
        message = _("An unexpected error stopped the import, so nothing was stored. It has been logged; "
                    "please tell the administrator of this site.")
        return ImportReport(errors=[BankError("", 0, message, "")])


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    message = _("The upload is larger than %(mb).1f MB in total. Upload fewer or smaller files.",
                mb=limit / 1024 / 1024)
    form = UploadForm(formdata=None)
    return render_template("banks/upload.html", form=form, errors=[BankError("", 0, message, "")]), 413


def read_uploads(storages) -> tuple[list[tuple[str, bytes]], list[BankError]]:
    """The uploaded files as (name, bytes), or the problems that stop the import before parsing."""
    # A hand-made POST can send plain strings under the field name: only real files count.
    chosen = [storage for storage in storages or () if isinstance(storage, FileStorage) and storage.filename]
    if not chosen:
        return [], [BankError("", 0, _("Choose at least one bank file to upload."), "")]
    files, errors = [], []
    for storage in chosen:
        # Keep the author's file name (it may be Chinese): it is the default bank id. Jinja escapes it.
        name = storage.filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
        if not name.lower().endswith(BANK_SUFFIX) and formats.detect(name, b"") is None:
            errors.append(BankError(name, 0, _("This file type can't be imported: upload Markdown (.md), Excel "
                                               "(.xlsx), CSV, Word (.docx), GIFT or Aiken (.txt), Moodle XML "
                                               "(.xml) or a QTI package (.zip)."), ""))
            continue
        files.append((name, storage.read()))
    return files, errors


@bp.route("/questions")
@role_required("admin")
def questions():
    filters = filters_from_args(request.args)
    if filters.flagged_only:
        filters.version_ids = frozenset(analysis_service.flagged_version_ids())
    page = browse_questions(filters, page=request.args.get("page", 1, type=int))
    stats = analysis_service.version_statistics([version.id for version in page.items])
    return render_template("banks/questions.html", page=page, filters=filters, stats=stats, flag_labels=FLAG_LABELS,
                           choices=filter_choices(), type_names=type_names())


def filters_from_args(args) -> QuestionFilters:
    return QuestionFilters(
        bank_id=args.get("bank", type=int),
        qtype=args.get("type", "").strip(),
        tag=args.get("tag", "").strip(),
        dimension=args.get("dimension", "").strip(),
        difficulty=args.get("difficulty", type=int),
        text=args.get("q", "").strip()[:200],
        flagged_only=args.get("flagged") == "1",
    )


@bp.route("/questions/<int:question_id>")
@role_required("admin")
def question(question_id: int):
    found = get_question(question_id)
    if found is None:
        abort(404)
    version = version_of(found, request.args.get("version", type=int))
    if version is None:
        abort(404)
    # `view` (what the type partial reads) is the examinee's; the key is shown beside it.
    stats = analysis_service.version_statistics([item.id for item in found.versions])
    return render_template("banks/question.html", question=found, version=version,
                           view=question_context(version), key=question_context(version, show_key=True),
                           type_names=type_names(), stats=stats, flag_labels=FLAG_LABELS)
