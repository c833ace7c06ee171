import io

import pytz
import xlsxwriter

from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..rules.codes import COUNTED_VIOLATION_STATES
from .utils import to_local

# The seed's 诚信记录表 columns, in order (headers: the fields' labels, translated).
XLSX_COLUMNS = (
    "date",
    "research_group_id",
    "user_id",
    "type_id",
    "measure",
    "cumulative_count",
    "points",
    "remaining_points",
)


class FacilityIntegrityRecord(models.Model):
    """The integrity record (诚信记录表, seed 000 附件4) as a database view: one row per counted
    violation with the group's cumulative count and remaining points in its year, by window
    functions over the counted violations of each group and year (in date order)."""

    _name = "facility.integrity.record"
    _description = "Integrity Record"
    _auto = False
    _order = "research_group_id, year desc, date, id"
    _rec_name = "name"

    violation_id = fields.Many2one("facility.violation", string="Recorded Violation", readonly=True)
    name = fields.Char(string="Reference", readonly=True)
    date = fields.Datetime(string="Time", readonly=True)
    year = fields.Integer(readonly=True, aggregator=False)
    research_group_id = fields.Many2one("facility.research.group", readonly=True)
    user_id = fields.Many2one("res.users", string="Person", readonly=True)
    type_id = fields.Many2one("facility.violation.type", string="Violation", readonly=True)
    class_id = fields.Many2one("facility.violation.class", readonly=True)
    measure = fields.Text(readonly=True)
    cumulative_count = fields.Integer(readonly=True, aggregator="max")
    points = fields.Integer(string="Deduction", readonly=True)
    remaining_points = fields.Integer(readonly=True, aggregator="min")
    company_id = fields.Many2one("res.company", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(view)s AS (
                    SELECT v.id,
                           v.id AS violation_id,
                           v.name,
                           v.date,
                           v.year,
                           v.research_group_id,
                           v.user_id,
                           v.type_id,
                           v.class_id,
                           v.measure,
                           v.points,
                           v.company_id,
                           count(*) OVER ledger AS cumulative_count,
                           COALESCE(c.facility_integrity_points, 50)
                               - sum(v.points) OVER ledger AS remaining_points
                      FROM facility_violation v
                      JOIN res_company c ON c.id = v.company_id
                     WHERE v.state IN %(counted)s
                    WINDOW ledger AS (
                        PARTITION BY v.research_group_id, v.year
                        ORDER BY v.date, v.id
                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                    )
                )
                """,
                view=SQL.identifier(self._table),
                counted=tuple(str(state) for state in COUNTED_VIOLATION_STATES),
            )
        )

    @api.model
    def action_export_xlsx(self):
        """Download the records of the active ids (or all those the user reads) as XLSX."""
        ids = self.env.context.get("active_ids") or []
        return {
            "type": "ir.actions.act_url",
            "url": "/core_facility/integrity_record/xlsx?ids=" + ",".join(map(str, ids)),
            "target": "download",
        }

    def _report_sections(self):
        """These rows by research group and year, in order, with the year's ledger and grade
        (for the PDF)."""
        sections = {}
        for row in self.sorted(lambda r: (r.research_group_id.name or "", -r.year, r.date, r.id)):
            sections.setdefault((row.research_group_id, row.year), self.browse())
            sections[(row.research_group_id, row.year)] |= row
        labels = dict(
            self.env["facility.research.group"]
            ._fields["integrity_grade"]
            ._description_selection(self.env)
        )
        result = []
        for (group, year), rows in sections.items():
            ledger = group._integrity_ledger(year)
            grade = group._integrity_grade(year)
            result.append(
                {
                    "group": group,
                    "year": year,
                    "rows": rows,
                    "ledger": ledger,
                    "grade_label": labels.get(grade, ""),
                }
            )
        return result

    def _local_time(self):
        """The time in the facility's zone, without seconds."""
        self.ensure_one()
        zone = pytz.timezone(self.company_id._facility_tz())
        return to_local(self.date, zone).strftime("%Y-%m-%d %H:%M")

    def _xlsx_content(self):
        """These rows as an XLSX workbook (bytes) with the seed's columns, in the user's
        language, times in the facility's zone without seconds."""
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = workbook.add_worksheet(self.env._("Integrity Record")[:31])
        bold = workbook.add_format({"bold": True, "border": 1, "text_wrap": True})
        cell = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        for col, name in enumerate(XLSX_COLUMNS):
            sheet.write(0, col, self._fields[name]._description_string(self.env), bold)
        sheet.set_column(0, 0, 17)
        sheet.set_column(1, 4, 22)
        sheet.set_column(5, 7, 10)
        for row, record in enumerate(self, start=1):
            values = (
                record._local_time(),
                record.research_group_id.name or "",
                record.user_id.name or "",
                record.type_id.name or "",
                record.measure or "",
                record.cumulative_count,
                record.points,
                record.remaining_points,
            )
            for col, value in enumerate(values):
                sheet.write(row, col, value, cell)
        workbook.close()
        return output.getvalue()
