"""The integrity record as an XLSX download (the seed's 诚信记录表 columns).

Written with xlsxwriter directly (Odoo ships it) rather than OCA ``report_xlsx``: one sheet with
fixed columns needs no report engine, and core_facility gains no dependency. The rows are read as
the user, so record rules decide whose lines appear.
"""

from odoo import http
from odoo.http import content_disposition, request

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class IntegrityRecordController(http.Controller):
    @http.route("/core_facility/integrity_record/xlsx", type="http", auth="user")
    def integrity_record_xlsx(self, ids="", year=None, group_id=None):
        Record = request.env["facility.integrity.record"]
        domain = []
        wanted = [int(x) for x in ids.split(",") if x.strip().isdigit()]
        if wanted:
            domain.append(("id", "in", wanted))
        if year and str(year).isdigit():
            domain.append(("year", "=", int(year)))
        if group_id and str(group_id).isdigit():
            domain.append(("research_group_id", "=", int(group_id)))
        records = Record.search(domain)
        content = records._xlsx_content()
        filename = request.env._("Integrity Record") + ".xlsx"
        return request.make_response(
            content,
            headers=[
                ("Content-Type", XLSX_MIME),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )
