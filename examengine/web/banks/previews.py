"""The converted upload: what each foreign file became, before the admin confirms the import.

No state is kept between the two steps (several servers may answer them): the preview page carries each
file's Markdown in its confirmation form, and the confirmation imports exactly that Markdown, checked
again, all or nothing, as an upload of .md files would be.
"""
from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField

from ...core.banks import BankError, load_bank_bytes
from ...core.converters import Conversion, ConvertedBank, convert_to_bank
from ...core.messages import N_
from ...services.messages import translate
from ..ui import type_names

KIND_LABELS = {"error": N_("error"), "skipped": N_("not converted"), "warning": N_("warning")}
KIND_COLORS = {"error": "danger", "skipped": "warning", "warning": "info"}


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Import these banks"))


def conversion_preview(files: list[tuple[str, bytes]], *, max_bytes: int):
    """The preview page of an upload with at least one foreign file (.md files are shown as they are)."""
    items = [_converted(name, data, max_bytes) for name, data in files]
    importable = all(item.ok for item in items)
    return render_template("banks/convert.html", items=items, importable=importable, form=ConfirmForm(),
                           kind_labels=KIND_LABELS, kind_colors=KIND_COLORS, translate=translate,
                           type_names=type_names()), \
        200 if importable else 400


def _converted(name: str, data: bytes, max_bytes: int) -> ConvertedBank:
    if name.lower().endswith(".md"):
        check = load_bank_bytes(data, source=name, max_bytes=max_bytes)
        markdown = data.decode("utf-8", "replace").removeprefix("\ufeff")
        return ConvertedBank(name, None, Conversion(name), name, markdown, check)
    return convert_to_bank(name, data)


def confirmed_files(names: list[str], texts: list[str]) -> tuple[list[tuple[str, bytes]], list[BankError]]:
    """The Markdown files the confirmation form sent back, or why it can't be imported."""
    if not names or len(names) != len(texts):
        return [], [BankError("", 0, translate(N_("The confirmation form is incomplete: upload the files again.")),
                              "")]
    if not all(name.lower().endswith(".md") for name in names):
        return [], [BankError("", 0, translate(N_("Only Markdown banks can be confirmed: upload the files again.")),
                              "")]
    return [(name, text.replace("\r\n", "\n").encode("utf-8")) for name, text in zip(names, texts)], []

