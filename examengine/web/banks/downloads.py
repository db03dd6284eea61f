"""Admin downloads: a bank in another format (Markdown, Moodle XML, QTI, XLSX) and the XLSX template."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort

from ...models import Bank
from ...services.banks import export_bank, import_template
from ..auth.session import role_required
from ..http import get_or_404
from . import bp


@bp.route("/banks/<int:bank_id>/export/<format_name>")
@role_required("admin")
def export(bank_id: int, format_name: str):
    bank = get_or_404(Bank, bank_id)
    exported = export_bank(bank, format_name) or abort(404)
    return _attachment(exported.content, exported.media_type, exported.filename)


@bp.route("/banks/template.xlsx")
@role_required("admin")
def template():
    template_file = import_template()
    return _attachment(template_file.content, template_file.media_type, template_file.filename)


def _attachment(content: bytes, media_type: str, filename: str) -> Response:
    response = Response(content, mimetype=media_type)
    # RFC 6266/5987: an ASCII fallback and the UTF-8 name, so a Chinese bank id survives the download.
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_")
    response.headers["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return response
