"""The exports of a campaign's forms in the seeds' layouts (XLSX read back with openpyxl) and
their PDFs for signature. The forms are created here as the campaign's computation would leave
them (part of the scoring is not this test's concern): an instrument table of three criteria in
two sections, the 30-point hours line among them."""

import io
from datetime import date

import openpyxl

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import EvalCase

HOURS_RULE = "1. 机时≥1600：计30分\n2. 1400<机时<1600：计28分"


@tagged("post_install", "-at_install")
class TestEvalExport(EvalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.env.company.name = "测试大学"
        Scheme = env["facility.eval.scheme"]
        cls.unit_table = Scheme.create(
            {"name": "Test Annex 2", "code": "t_annex2", "level": "unit", "fail_below": 70}
        )
        cls.table = Scheme.create(
            {
                "name": "Test Annex 3",
                "code": "t_annex3",
                "level": "instrument",
                "fail_below": 60,
                "unit_scheme_id": cls.unit_table.id,
            }
        )
        cls.rules_section = cls.section(cls.table, "rules", "1. 制度规定落实情况（5%）", 10)
        cls.usage_section = cls.section(cls.table, "usage", "7. 设备使用率（40%）", 70)
        cls.c_rules = cls.criterion(cls.rules_section, "rules", "设备规范化日常管理情况", 5, 10)
        cls.c_ledger = cls.criterion(
            cls.usage_section, "ledger", "7.1 设备使用台账记录情况", 10, 71
        )
        cls.c_hours = cls.criterion(
            cls.usage_section,
            "hours",
            "7.2 设备年度总机时（小时）",
            30,
            72,
            figure="hours",
            rule_text=HOURS_RULE,
            method="band",
        )
        cls.u_section = cls.section(cls.unit_table, "usage", "7. 设备使用率 (40%)", 70)
        cls.u_hours = cls.criterion(
            cls.u_section, "hours_score", "7.2 设备年度机时平均分权重", 10, 72
        )
        cls.campaign = cls.new_campaign(scheme=cls.table)
        cls.spirit.code = "TEM-01"
        cls.other_unit = env["facility.unit"].create(
            {"name": "Chemistry", "unit_type": "department", "parent_id": cls.institution.id}
        )
        cls.sheet_spirit = cls.sheet(cls.spirit, cls.research_unit, hours=1650, unit_points=28)
        cls.sheet_t20 = cls.sheet(cls.t20, cls.research_unit, hours=900, unit_points=22)
        cls.sheet_titan = cls.sheet(cls.titan, cls.other_unit, hours=1700, unit_points=30)
        cls.unit_form = env["facility.eval.unit"].create(
            {
                "campaign_id": cls.campaign.id,
                "unit_id": cls.research_unit.id,
                "total_unit": 8.5,
                "total_school": 8.0,
                "line_ids": [
                    Command.create(
                        {
                            "criterion_id": cls.u_hours.id,
                            "figure_value": 25,
                            "points_computed": 8.33,
                            "points_unit": 8.5,
                            "points_school": 8.0,
                        }
                    )
                ],
            }
        )

    @classmethod
    def section(cls, table, code, name, sequence, **values):
        return cls.env["facility.eval.section"].create(
            {"scheme_id": table.id, "code": code, "name": name, "sequence": sequence, **values}
        )

    @classmethod
    def criterion(cls, section, code, name, max_points, sequence, method="manual", **values):
        return cls.env["facility.eval.criterion"].create(
            {
                "section_id": section.id,
                "code": code,
                "name": name,
                "max_points": max_points,
                "sequence": sequence,
                "method": method,
                **values,
            }
        )

    @classmethod
    def sheet(cls, instrument, unit, hours, unit_points):
        lines = [
            (cls.c_rules, 2, 5, 5, 5),
            (cls.c_ledger, 0, 10, 9, 9),
            (cls.c_hours, hours, 28, unit_points, unit_points),
        ]
        return cls.env["facility.eval.sheet"].create(
            {
                "campaign_id": cls.campaign.id,
                "instrument_id": instrument.id,
                "unit_id": unit.id,
                "hours": hours,
                "total_unit": sum(line[3] for line in lines),
                "total_school": sum(line[4] for line in lines),
                "line_ids": [
                    Command.create(
                        {
                            "criterion_id": criterion.id,
                            "figure_value": figure,
                            "points_computed": computed,
                            "points_unit": unit_points,
                            "points_school": school,
                        }
                    )
                    for criterion, figure, computed, unit_points, school in lines
                ],
            }
        )

    def export(self, user, kind="annex3", campaign=None, **values):
        wizard = (
            self.env["facility.eval.export"]
            .with_user(user)
            .create({"campaign_id": (campaign or self.campaign).id, "kind": kind, **values})
        )
        action = wizard.action_export()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn("download=true", action["url"])
        self.assertEqual(action["url"], f"/web/content/{wizard.attachment_id.id}?download=true")
        return openpyxl.load_workbook(io.BytesIO(wizard.attachment_id.raw))

    @staticmethod
    def row_of(ws, column, text):
        for row in ws.iter_rows():
            if row[column - 1].value == text:
                return row[0].row
        raise AssertionError(f"{text} not in column {column}")

    def test_annex3_one_sheet_per_instrument_with_the_seeds_header(self):
        book = self.export(self.school_assessor)
        # by unit (Chemistry, then Research Unit), then instrument
        self.assertEqual(book.sheetnames, ["Test Titan", "TEM-01", "Test T20"])
        ws = book["TEM-01"]
        self.assertEqual(
            ws["A1"].value, "测试大学单台（套）40万元及以上大型仪器设备开放共享年度效益评价表"
        )
        self.assertEqual((ws["A2"].value, ws["B2"].value), ("仪器设备名称", "Test Spirit"))
        self.assertEqual((ws["D2"].value, ws["E2"].value), ("设备编号", "TEM-01"))
        self.assertEqual(ws["A3"].value, "所属单位（二级单位与实验室名称）")
        self.assertEqual(ws["D3"].value, "责任人签字")
        # the two header rows, merged as the seed's
        self.assertEqual(
            [ws.cell(5, c).value for c in range(1, 8)],
            ["考核指标及权重", None, "计分规则说明", "分值", None, None, "备注"],
        )
        self.assertEqual(
            [ws.cell(6, c).value for c in range(1, 8)],
            ["考核大项", "考核内容", None, "满分", "二级单位对机组考核", "学校考核", None],
        )
        merges = {str(r) for r in ws.merged_cells.ranges}
        self.assertTrue({"A1:G1", "A5:B5", "C5:C6", "D5:F5", "G5:G6"} <= merges, merges)
        # one row per criterion, the section merged over its criteria
        self.assertEqual(ws["A7"].value, "1. 制度规定落实情况（5%）")
        self.assertEqual(ws["A8"].value, "7. 设备使用率（40%）")
        self.assertIn("A8:A9", merges)
        # the 30-point hours line: rule, full marks, the unit's and the school's points, the
        # figure counted in the remarks
        hours = self.row_of(ws, 2, "7.2 设备年度总机时（小时）")
        self.assertEqual(hours, 9)
        self.assertEqual(ws.cell(hours, 3).value, HOURS_RULE)
        self.assertEqual(ws.cell(hours, 4).value, 30)
        self.assertEqual(ws.cell(hours, 5).value, 28)
        self.assertEqual(ws.cell(hours, 6).value, 28)
        self.assertIn("1650", ws.cell(hours, 7).value)
        total = self.row_of(ws, 1, "合计")
        self.assertEqual(total, 10)
        self.assertEqual([ws.cell(total, c).value for c in (4, 5, 6)], [45, 42, 42])
        self.assertTrue(any(str(ws.cell(r, 1).value).startswith("注：(1)") for r in range(11, 16)))

    def test_unit_head_exports_the_forms_of_the_unit_only(self):
        book = self.export(self.unit_head)
        self.assertEqual(book.sheetnames, ["TEM-01", "Test T20"])
        book = self.export(self.school_assessor, unit_ids=[Command.set(self.other_unit.ids)])
        self.assertEqual(book.sheetnames, ["Test Titan"])

    def test_annex2_one_sheet_per_unit(self):
        book = self.export(self.school_assessor, kind="annex2")
        self.assertEqual(book.sheetnames, ["Research Unit"])
        ws = book["Research Unit"]
        self.assertEqual(ws["A1"].value, "测试大学大型仪器设备开放共享工作二级单位年度考核评价表")
        self.assertEqual((ws["A2"].value, ws["B2"].value), ("单位名称", "Research Unit"))
        self.assertEqual(
            [ws.cell(4, c).value for c in range(1, 8)],
            ["考核指标及权重", None, "计分规则说明", "得分", None, None, "备注"],
        )
        self.assertEqual(
            [ws.cell(5, c).value for c in range(1, 8)],
            ["考核大项", "考核内容", None, "满分", "二级单位自评", "学校考核", None],
        )
        merges = {str(r) for r in ws.merged_cells.ranges}
        self.assertTrue({"A4:B4", "C4:C5", "D4:F4", "G4:G5"} <= merges, merges)
        self.assertEqual(ws.cell(6, 2).value, "7.2 设备年度机时平均分权重")
        self.assertEqual([ws.cell(6, c).value for c in (4, 5, 6)], [10, 8.5, 8])
        self.assertEqual(ws.cell(7, 1).value, "合计")

    def test_benefit_table_one_block_per_instrument(self):
        benefit = self.env["facility.eval.scheme"].create(
            {"name": "Test Benefit", "code": "t_benefit", "level": "benefit"}
        )
        hours = self.section(benefit, "hours", "机时利用", 10, weight=35, cap=100)
        public = self.section(benefit, "public_service", "公共服务", 20, weight=30, cap=100)
        machine = self.criterion(hours, "machine_hours", "有效机时", 100, 1, method="hours_ratio")
        public_lines = [
            self.criterion(public, code, name, 100, seq, method="per_item")
            for code, name, seq in (
                ("normal_projects", "支持的普通科研项目数", 2),
                ("key_projects", "支持的重点科研项目数", 3),
                ("departments", "支持的院系数", 4),
                ("researchers", "支持的科研人员数", 5),
                ("external_fees", "校外测试收费", 6),
            )
        ]
        campaign = self.new_campaign(scheme=benefit, name="Benefit 2041")
        self.spirit.code = "04000120"
        figures = [
            (machine, 3800, 100.0),
            *zip(public_lines, (16, 4, 10, 50, 70000), (16, 8, 20, 50, 70), strict=True),
        ]
        # as the computation stores them: each section's subtotal on its first line, the total
        stored = {machine: (100, 35), public_lines[0]: (100, 30)}
        self.env["facility.eval.sheet"].create(
            {
                "campaign_id": campaign.id,
                "instrument_id": self.spirit.id,
                "unit_id": self.research_unit.id,
                "total_computed": 65,
                "line_ids": [
                    Command.create(
                        {
                            "criterion_id": c.id,
                            "section_sequence": c.section_id.sequence,
                            "sequence": c.sequence,
                            "figure_value": f,
                            "points_computed": p,
                            "section_first": c in stored,
                            "section_subtotal": stored.get(c, (0, 0))[0],
                            "section_weighted": stored.get(c, (0, 0))[1],
                        }
                    )
                    for c, f, p in figures
                ],
            }
        )
        with self.assertRaisesRegex(UserError, "benefit-evaluation table"):
            self.export(self.school_assessor, kind="annex3", campaign=campaign)
        book = self.export(self.school_assessor, kind="benefit", campaign=campaign)
        self.assertEqual(book.sheetnames, ["效益评价"])
        ws = book["效益评价"]
        self.assertEqual(
            [ws.cell(2, c).value for c in range(1, 11)],
            [
                "仪器编号",
                "仪器名称",
                "项目",
                "权重",
                "内容",
                "数量",
                "评分标准",
                "分项得分",
                "小计",
                "加权得分",
            ],
        )
        self.assertEqual((ws["A3"].value, ws["B3"].value), ("04000120", "Test Spirit"))
        merges = {str(r) for r in ws.merged_cells.ranges}
        self.assertTrue({"A3:A8", "B3:B8", "C4:C8", "D4:D8", "I4:I8", "J4:J8"} <= merges, merges)
        self.assertEqual(
            (ws["C3"].value, ws["D3"].value, ws["F3"].value), ("机时利用", "35%", 3800)
        )
        self.assertEqual((ws["I3"].value, ws["J3"].value), (100, 35))
        # public service 16 + 8 + 20 + 50 + 70 = 164, capped at 100 → 30.0 (seed 001)
        self.assertEqual((ws["C4"].value, ws["I4"].value, ws["J4"].value), ("公共服务", 100, 30))
        self.assertEqual((ws["A9"].value, ws["J9"].value), ("加权总分", 65))
        # an instrument under 150 effective hours prints its written explanation
        sheet = campaign.sheet_ids
        sheet.explanation = "全年维修"
        book = self.export(self.school_assessor, kind="benefit", campaign=campaign)
        ws = book["效益评价"]
        self.assertEqual(ws["A9"].value, "有效机时小于150小时的说明：全年维修")
        self.assertIn("A9:J9", {str(r) for r in ws.merged_cells.ranges})
        self.assertEqual((ws["A10"].value, ws["J10"].value), ("加权总分", 65))

    def test_signed_benefit_form_exports_its_computed_column_as_stored(self):
        """A signature approves the benefit table's one column: the export prints the computed
        points, the stored subtotals and weighted points and the form's total (8.64 + 1.84 =
        10.48, not 8.6 + 1.8), in the PDF too."""
        benefit = self.env["facility.eval.scheme"].create(
            {"name": "Test Benefit", "code": "t_benefit2", "level": "benefit"}
        )
        hours = self.section(benefit, "hours", "机时利用", 10, weight=35, cap=100)
        outcomes = self.section(benefit, "outcomes", "成果", 30, weight=15, cap=100)
        machine = self.criterion(hours, "machine_hours", "有效机时", 100, 1, method="hours_ratio")
        papers = self.criterion(outcomes, "sci_papers", "SCI论文", 100, 2, method="per_item")
        campaign = self.new_campaign(scheme=benefit, name="Benefit 2041")
        sheet = self.env["facility.eval.sheet"].create(
            {
                "campaign_id": campaign.id,
                "instrument_id": self.spirit.id,
                "unit_id": self.research_unit.id,
                "total_computed": 10.48,
                "total": 10.48,
                "line_ids": [
                    Command.create(
                        {
                            "criterion_id": c.id,
                            "section_sequence": c.section_id.sequence,
                            "sequence": c.sequence,
                            "figure_value": f,
                            "points_computed": p,
                            "section_first": True,
                            "section_subtotal": p,
                            "section_weighted": w,
                        }
                    )
                    for c, f, p, w in ((machine, 345.6, 24.69, 8.64), (papers, 2, 12.27, 1.84))
                ],
            }
        )
        for state in ("unit_signed", "school_signed"):
            with self.subTest(state=state):
                sheet._write_guarded({"state": state})
                book = self.export(self.school_assessor, kind="benefit", campaign=campaign)
                ws = book["效益评价"]
                self.assertEqual((ws["H3"].value, ws["H4"].value), (24.69, 12.27))
                self.assertEqual((ws["I3"].value, ws["J3"].value), (24.69, 8.64))
                self.assertEqual((ws["I4"].value, ws["J4"].value), (12.27, 1.84))
                self.assertEqual((ws["A5"].value, ws["J5"].value), ("加权总分", 10.48))
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        html = Report._render_qweb_html("core_facility_eval.facility_eval_sheet_report", sheet.ids)[
            0
        ].decode()
        self.assertIn("大型仪器设备使用效益评价表（2041年度）", html)
        self.assertIn("加权总分", html)
        self.assertIn("10.48", html)
        self.assertIn("24.69", html)
        self.assertNotIn("计分规则说明", html, "not the 附件3 layout")
        pdf, _kind = Report._render_qweb_pdf(
            "core_facility_eval.facility_eval_sheet_report", sheet.ids
        )
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_lines_print_in_the_tables_order(self):
        """A criterion added to section 1 with a high sequence prints in section 1."""
        extra = self.criterion(self.rules_section, "rules_extra", "新增考核内容", 5, 99)
        sheet = self.sheet_spirit
        for line in sheet.line_ids:
            criterion = line.criterion_id
            line._write_guarded(
                {"section_sequence": criterion.section_id.sequence, "sequence": criterion.sequence}
            )
        sheet.line_ids = [
            Command.create(
                {
                    "criterion_id": extra.id,
                    "section_sequence": self.rules_section.sequence,
                    "sequence": 99,
                    "points_unit": 4,
                    "points_school": 4,
                }
            )
        ]
        data = self.env["facility.eval.export"]._form_data(sheet)
        self.assertEqual(
            [line["criterion"] for line in data["lines"]],
            [
                "设备规范化日常管理情况",
                "新增考核内容",
                "7.1 设备使用台账记录情况",
                "7.2 设备年度总机时（小时）",
            ],
        )
        self.assertEqual([(run[0], run[1]) for run in data["runs"]], [(0, 1), (2, 3)])

    def test_an_empty_export_is_refused(self):
        campaign = self.new_campaign(scheme=self.table, name="Empty", year=2042)
        with self.assertRaisesRegex(UserError, "no form to export"):
            self.export(self.school_assessor, campaign=campaign)

    def test_pdf_of_an_instrument_and_a_unit_form(self):
        self.sheet_spirit._write_guarded(
            {
                "state": "unit_signed",
                "unit_signer_id": self.unit_head.id,
                "unit_signed_date": date(2042, 1, 10),
            }
        )
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        for xmlid, record in (
            ("core_facility_eval.facility_eval_sheet_report", self.sheet_spirit),
            ("core_facility_eval.facility_eval_unit_report", self.unit_form),
        ):
            with self.subTest(report=xmlid):
                html = Report._render_qweb_html(xmlid, record.ids)[0].decode()
                self.assertIn("计分规则说明", html)
                self.assertIn("合计", html)
                pdf, kind = Report._render_qweb_pdf(xmlid, record.ids)
                self.assertEqual(kind, "pdf")
                self.assertTrue(pdf.startswith(b"%PDF"))
        html = Report._render_qweb_html(
            "core_facility_eval.facility_eval_sheet_report", self.sheet_spirit.ids
        )[0].decode()
        self.assertIn("测试大学单台（套）40万元及以上", html)
        self.assertIn(self.unit_head.name, html)  # signed by the unit head
        self.assertIn("2042 年 1 月 10 日", html)
