import io
import zipfile

from freezegun import freeze_time
from lxml import etree, html

from odoo.tests import tagged

from .test_booking import local
from .test_violation import ViolationCase

REPORT = "core_facility.report_facility_integrity_record"
SEED_COLUMNS = [
    "Time",
    "Research Group",
    "Person",
    "Violation",
    "Measure",
    "Cumulative Count",
    "Deduction",
    "Remaining Points",
]


@tagged("post_install", "-at_install")
@freeze_time("2025-12-20 02:00:00")
class TestIntegrityRecord(ViolationCase):
    """The ledger per group and year: cumulative count and remaining points, the year-end grade
    under the documented thresholds, the record as list, XLSX and PDF."""

    def record(self, type_code, when, user=None, group=None, class_code=None, key=None):
        return self.Violation.sudo().record_violation(
            group or self.group_a,
            user or self.student_a1,
            type_code,
            when=when,
            class_code=class_code,
            source_key=key,
        )

    def rows(self, group=None, year=2025, user=None):
        Record = self.env["facility.integrity.record"].with_user(user or self.director)
        return Record.search(
            [("research_group_id", "=", (group or self.group_a).id), ("year", "=", year)],
            order="date, id",
        )

    def test_cumulative_count_and_remaining_points(self):
        self.record("no_show", local(2025, 3, 1, 10))
        withdrawn = self.record("no_booking", local(2025, 4, 1, 10))
        self.record("damage", local(2025, 5, 1, 10), user=self.student_a2)
        self.record("no_show", local(2025, 6, 1, 10), group=self.group_b, user=self.student_b1)
        self.record("no_show", local(2026, 1, 2, 10))  # next year starts again at 50
        withdrawn.with_user(self.director)._withdraw("Confirmed outage")
        rows = self.rows()
        self.assertEqual(rows.mapped("cumulative_count"), [1, 2])
        self.assertEqual(rows.mapped("points"), [1, 10])
        self.assertEqual(rows.mapped("remaining_points"), [49, 39])
        self.assertEqual(rows.user_id, self.student_a1 | self.student_a2)
        self.assertEqual(self.rows(year=2026).remaining_points, 49)
        self.assertEqual(self.rows(group=self.group_b).remaining_points, 49)
        self.assertEqual(self.group_a._integrity_ledger(2025).remaining, 39)

    def test_the_record_opens_grouped_by_research_group(self):
        """The menu opens the list grouped by research group; its rows follow the model's order
        (group, year, date): the list sets no order of its own that grouping would refuse."""
        arch = self.env.ref("core_facility.facility_integrity_record_view_list").arch
        self.assertIsNone(etree.fromstring(arch.encode()).get("default_order"))
        self.record("no_show", local(2025, 3, 1, 10))
        self.record("no_show", local(2025, 6, 1, 10), group=self.group_b, user=self.student_b1)
        Record = self.env["facility.integrity.record"].with_user(self.director)
        groups = Record.web_read_group([], ["research_group_id"], ["research_group_id"])
        self.assertTrue(groups["groups"])
        self.assertTrue(Record.search([]))

    def test_starting_points_are_a_setting(self):
        self.env.company.facility_integrity_points = 60
        self.record("no_show", local(2025, 3, 1, 10))
        self.assertEqual(self.rows().remaining_points, 59)
        self.assertEqual(self.group_a.integrity_points, 59)

    def test_a_group_with_20_points_left_at_year_end_is_fair(self):
        # 50 - 25 - 3 - 1 - 1 = 20: 中 (Fair) under the documented thresholds (≥ 20)
        self.record("acknowledgement", local(2025, 2, 1, 10), class_code="grave")
        self.record("no_booking", local(2025, 3, 1, 10))
        self.record("no_show", local(2025, 4, 1, 10))
        self.record("no_show", local(2025, 12, 31, 23, 0))
        self.assertEqual(self.group_a._integrity_ledger(2025).remaining, 20)
        self.assertEqual(self.group_a._integrity_grade(2025), "fair")
        # one more point: 19, Poor
        self.record("no_show", local(2025, 12, 31, 23, 59))
        self.assertEqual(self.group_a._integrity_grade(2025), "poor")
        # the first minutes of 2026 are the new year's
        self.record("no_show", local(2026, 1, 1, 0, 1))
        self.assertEqual(self.group_a._integrity_ledger(2025).remaining, 19)

    def test_grades_at_the_documented_edges(self):
        self.assertEqual(self.group_a._integrity_grade(2025), "excellent")  # 50
        for _i in range(5):
            self.record("no_show", local(2025, 3, 1, 10))
        self.assertEqual(self.group_a._integrity_grade(2025), "excellent")  # 45
        self.record("no_show", local(2025, 3, 2, 10))
        self.assertEqual(self.group_a._integrity_grade(2025), "good")  # 44
        # 45 with a serious violation is not excellent
        self.assertEqual(self.group_b._integrity_grade(2025), "excellent")
        self.env.company.facility_integrity_points = 70
        self.record(
            "acknowledgement", local(2025, 3, 1, 10), self.student_b1, self.group_b, "grave"
        )
        self.assertEqual(self.group_b._integrity_ledger(2025).remaining, 45)
        self.assertEqual(self.group_b._integrity_grade(2025), "good")
        # thresholds are data
        self.env.ref("core_facility.integrity_grade_good").min_points = 46
        self.assertEqual(self.group_b._integrity_grade(2025), "fair")

    def test_who_sees_the_points_and_the_grade(self):
        self.record("no_show", local(2025, 3, 1, 10))
        reviewer = self.env["res.users"].create(
            {
                "name": "Reviewer",
                "login": "t_rev_integrity",
                "groups_id": [(6, 0, self.env.ref("core_facility.group_facility_reviewer").ids)],
            }
        )
        for user in (self.student_a1, self.pi_a, reviewer, self.finance, self.director):
            group = self.group_a.with_user(user)
            self.assertEqual((group.integrity_points, group.integrity_grade), (49, "excellent"))
        outsider = self.group_a.with_user(self.student_b1)
        self.assertEqual((outsider.integrity_points, outsider.integrity_grade), (0, False))

    def test_xlsx_has_the_seed_columns(self):
        self.record("no_show", local(2025, 3, 1, 10), key="k1")
        self.record("no_booking", local(2025, 3, 2, 14, 5), user=self.student_a2)
        content = self.rows()._xlsx_content()
        try:
            import openpyxl  # noqa: PLC0415 (optional in the test environment)
        except ImportError:
            openpyxl = None
        if openpyxl:
            sheet = openpyxl.load_workbook(io.BytesIO(content)).active
            values = [[cell.value for cell in row] for row in sheet.iter_rows()]
            self.assertEqual(values[0], SEED_COLUMNS)
            self.assertEqual(
                values[1:],
                [
                    ["2025-03-01 10:00", "Group A", self.student_a1.name, "No-show",
                     "Notified and warned; the booked time is charged.", 1, 1, 49],
                    ["2025-03-02 14:05", "Group A", self.student_a2.name, "Use without a booking",
                     "Notified the PI; the time used is charged.", 2, 3, 46],
                ],
            )  # fmt: skip
        else:
            strings = zipfile.ZipFile(io.BytesIO(content)).read("xl/sharedStrings.xml").decode()
            for header in SEED_COLUMNS:
                self.assertIn(header, strings)

    def test_xlsx_download_reads_as_the_user(self):
        self.record("no_show", local(2025, 3, 1, 10))
        self.record("no_show", local(2025, 3, 1, 11), user=self.student_b1, group=self.group_b)
        action = (
            self.env["facility.integrity.record"]
            .with_user(self.pi_a)
            .with_context(active_ids=[1, 2])
            .action_export_xlsx()
        )
        self.assertEqual(action["url"], "/core_facility/integrity_record/xlsx?ids=1,2")
        mine = self.env["facility.integrity.record"].with_user(self.pi_a).search([])
        self.assertEqual(mine.research_group_id, self.group_a)

    def test_pdf_renders(self):
        self.record("no_show", local(2025, 3, 1, 10))
        self.record("damage", local(2025, 5, 1, 10), user=self.student_a2)
        report = self.env["ir.actions.report"].with_user(self.pi_a)
        content, _type = report._render_qweb_html(REPORT, self.rows(user=self.pi_a).ids)
        page = html.fromstring(content)
        headers = [" ".join(th.text_content().split()) for th in page.xpath("//thead//th")]
        self.assertEqual(headers, SEED_COLUMNS)
        cells = [" ".join(td.text_content().split()) for td in page.xpath("//tbody/tr[2]/td")]
        self.assertEqual(cells[0], "2025-05-01 10:00")
        self.assertEqual(cells[5:], ["2", "10", "39"])
        self.assertIn("Good", page.text_content())  # 39 points: Good (≥ 35)
        pdf, kind = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            REPORT, self.rows(user=self.pi_a).ids
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
