from lxml import html

from odoo import Command
from odoo.tests import tagged
from odoo.tools import format_date

from .common import FacilityCase

REPORT = "core_facility.action_report_facility_assessment"


@tagged("post_install", "-at_install")
class TestAssessmentSheet(FacilityCase):
    """The printed assessment sheet: the facility's letterhead, Chinese glyphs, and signature
    boxes that stay empty until each party has signed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.assessment = (
            cls.env["facility.assessment"]
            .with_user(cls.manager_spirit)
            .create(
                {
                    "trainee_id": cls.student_a1.id,
                    "research_group_id": cls.group_a.id,
                    "level_id": cls.primary.id,
                    "instrument_ids": [Command.set(cls.spirit.ids)],
                }
            )
        )
        cls.assessment.line_ids.result = "pass"

    def _sheet(self, user=None):
        report = self.env["ir.actions.report"].with_user(user or self.manager_spirit)
        content, _type = report._render_qweb_html(REPORT, self.assessment.ids)
        return html.fromstring(content)

    def _boxes(self, sheet):
        return {
            cell.get("data-cf-signature"): " ".join(cell.text_content().split())
            for cell in sheet.xpath("//td[@data-cf-signature]")
        }

    def test_boxes_are_empty_before_anyone_signed(self):
        boxes = self._boxes(self._sheet())
        self.assertEqual(set(boxes), {"assessor", "trainee", "lab_head", "unit_head"})
        self.assertEqual(boxes, dict.fromkeys(boxes, ""))

    def test_a_signed_box_carries_the_name_and_the_date(self):
        self.assessment.with_user(self.manager_spirit).action_confirm()
        self.assessment.with_user(self.student_a1).action_sign_trainee()
        boxes = self._boxes(self._sheet())
        signed_on = format_date(self.env, self.assessment.trainee_sign_date)
        self.assertEqual(boxes["assessor"], self.manager_spirit.name)
        self.assertEqual(boxes["trainee"], f"{self.student_a1.name} {signed_on}")
        self.assertEqual(boxes["lab_head"], "")
        self.assertEqual(boxes["unit_head"], "")
        self.assessment.with_user(self.pi_a).action_sign_lab_head()
        self.assessment.with_user(self.unit_head).action_sign_unit_head()
        boxes = self._boxes(self._sheet())
        self.assertIn(self.pi_a.name, boxes["lab_head"])
        self.assertIn(self.unit_head.name, boxes["unit_head"])

    def test_letterhead_and_chinese_glyphs(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.student_a1.lang = "zh_CN"
        sheet = self._sheet()
        # printed in the trainee's language, marked so that the Chinese glyphs are chosen
        (article,) = sheet.xpath("//div[hasclass('article')]")
        self.assertEqual(article.get("lang"), "zh-CN")
        (letterhead,) = article.xpath(".//table[hasclass('cf-letterhead')]")
        text = " ".join(letterhead.text_content().split())
        company = self.assessment.company_id
        self.assertIn(company.name, text)
        # the unit of the assessed instruments, under its institution
        self.assertIn("Test Institute · Imaging Center", text)
        style = " ".join(article.xpath(".//style/text()"))
        self.assertIn('"Noto Sans CJK SC"', style)

    def test_one_page_format_without_a_header_band(self):
        report = self.env.ref(REPORT)
        self.assertEqual(report.paperformat_id.format, "A4")
        self.assertLessEqual(report.paperformat_id.margin_top, 15)
