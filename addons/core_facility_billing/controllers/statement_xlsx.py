"""A statement as an XLSX download (written with xlsxwriter, as core_facility's integrity
record is). The statement is read as the user: record rules decide who downloads which (the
group's PI, finance); anything else is a 404."""

from odoo import http
from odoo.exceptions import AccessError
from odoo.http import content_disposition, request

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ID = 2**31 - 1


def readable_statement(statement_id):
    """The statement ``statement_id`` if the current user may read it (record rules: the group's
    PI, finance), else a 404 — never a hint that it exists."""
    if not 0 < statement_id <= MAX_ID:
        raise request.not_found()
    statement = request.env["facility.statement"].browse(statement_id).exists()
    try:
        statement.check_access("read")
    except AccessError:
        raise request.not_found() from None
    if not statement:
        raise request.not_found()
    return statement


class StatementXlsxController(http.Controller):
    @http.route(
        "/core_facility_billing/statement/<int:statement_id>/xlsx", type="http", auth="user"
    )
    def statement_xlsx(self, statement_id, **kwargs):
        statement = readable_statement(statement_id)
        return request.make_response(
            statement._xlsx_content(),
            headers=[
                ("Content-Type", XLSX_MIME),
                ("Content-Disposition", content_disposition(statement._xlsx_filename())),
            ],
        )
