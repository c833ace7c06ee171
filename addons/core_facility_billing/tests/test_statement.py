"""Statements (月结单): one per group and period, every line, totals per fund and per instrument
equal to the lines to the fen, PDF and XLSX, mailed to the PI in the PI's language."""

import io
from datetime import date
from decimal import Decimal

import openpyxl

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..rules.codes import ChargeState
from ..rules.money import line_amount
from .external_common import ExternalCase

FROM, TO = date(2042, 3, 1), date(2042, 3, 31)


@tagged("post_install", "-at_install")
class TestStatement(ExternalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.pi_b.partner_id.lang = "zh_CN"
        plan = cls.company._facility_fund_plan()
        Account = cls.env["account.analytic.account"]
        cls.fund_1 = Account.create({"name": "NSFC 32271234", "plan_id": plan.id})
        cls.fund_2 = Account.create({"name": "MOST 2041YFA01", "plan_id": plan.id})
        # 333.33 元/h × 0.25 h = 83.3325 → 83.33 a line: 40 lines on two funds and instruments
        cls.lines = cls.env["facility.charge"]
        for i in range(40):
            amount = float(line_amount(0.25, 333.33))
            cls.lines |= cls.charge(
                amount,
                day=date(2042, 3, 1 + i % 28),
                quantity=0.25,
                unit_price=333.33,
                fund_id=(cls.fund_1 if i % 2 else cls.fund_2).id,
                instrument_id=(cls.spirit if i % 3 else cls.t20).id,
                user_id=cls.student_b1.id,
                state=ChargeState.SETTLED if i % 4 else ChargeState.CONFIRMED,
            )
        # outside the statement: another month, a draft, a cancelled line
        cls.charge(50, day=date(2042, 4, 1))
        cls.charge(60, day=date(2042, 3, 9), state=ChargeState.DRAFT)
        cls.charge(70, day=date(2042, 3, 9), state=ChargeState.CANCELLED)

    def generate(self, **kw):
        return (
            self.env["facility.statement"]
            .with_user(self.finance)
            .generate_statements(FROM, TO, groups=self.group_b, **kw)
        )

    def test_every_line_and_the_total_to_the_fen(self):
        statement = self.generate()
        self.assertEqual(statement.charge_ids, self.lines)
        self.assertEqual(statement.amount_total, 3333.20)  # 40 × 83.33
        self.assertEqual(statement.research_group_id, self.group_b)
        funds = dict(statement._fund_totals())
        self.assertEqual(
            funds, {"NSFC 32271234": Decimal("1666.60"), "MOST 2041YFA01": Decimal("1666.60")}
        )
        instruments = dict(statement._instrument_totals())
        self.assertEqual(instruments["Test T20"], Decimal("83.33") * 14)
        self.assertEqual(sum(instruments.values()), Decimal("3333.20"))

    def test_generating_twice_creates_nothing_new(self):
        first = self.generate()
        self.charge(10, day=date(2042, 3, 30))
        second = self.generate()
        self.assertEqual(first, second)
        self.assertEqual(second.amount_total, 3343.20)  # refreshed while not sent
        self.assertEqual(
            self.env["facility.statement"].search_count(
                [("research_group_id", "=", self.group_b.id), ("date_from", "=", FROM)]
            ),
            1,
        )

    def test_money_fields_are_guarded(self):
        statement = self.generate()
        with self.assertRaisesRegex(UserError, "cannot be written directly"):
            statement.with_user(self.finance).write({"amount_total": 1})

    def test_only_finance_prepares_statements(self):
        with self.assertRaisesRegex(UserError, "Only finance"):
            self.env["facility.statement"].with_user(self.pi_b).generate_statements(FROM, TO)

    def test_xlsx_has_every_line_and_totals(self):
        statement = self.generate()
        book = openpyxl.load_workbook(io.BytesIO(statement._xlsx_content()))
        sheet = book.active
        amounts = [row[7] for row in sheet.iter_rows(min_row=6, values_only=True) if row[7]]
        self.assertEqual(round(sum(amounts[:40]), 2), 3333.20)
        self.assertEqual(len(amounts[:40]), 40)
        self.assertEqual(amounts[-1], 3333.20)  # the grand total

    def test_pdf_renders_in_the_pi_language(self):
        statement = self.generate()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "core_facility_billing.action_report_facility_statement", statement.ids
            )[0]
            .decode()
        )
        self.assertIn('lang="zh-CN"', html)
        self.assertIn("3,333.20", html)
        self.assertIn("华北大学", html)
        self.assertIn("NSFC 32271234", html)

    def test_mail_to_the_pi_in_zh_cn_with_pdf_and_xlsx(self):
        statement = self.generate(send=True)
        self.assertTrue(statement.sent_date)
        template = self.env.ref("core_facility_billing.mail_template_facility_statement")
        self.assertEqual(template._render_lang(statement.ids)[statement.id], "zh_CN")
        mail = self.env["mail.mail"].search(
            [("model", "=", "facility.statement"), ("res_id", "=", statement.id)]
        )
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.pi_b.partner_id)
        names = sorted(mail.attachment_ids.mapped("name"))
        self.assertEqual(len(names), 2)
        # the report (PDF; tests render reports as HTML without wkhtmltopdf)
        self.assertTrue(any(n.endswith((".pdf", ".html")) for n in names), names)
        self.assertTrue(any(n.endswith(".xlsx") for n in names), names)
        # sent once: generating again sends nothing
        self.generate(send=True)
        self.assertEqual(
            self.env["mail.mail"].search_count(
                [("model", "=", "facility.statement"), ("res_id", "=", statement.id)]
            ),
            1,
        )

    def test_the_pi_reads_the_groups_statements_members_do_not(self):
        """A statement lists every member's lines and the group's money: its PI's (and
        finance's), not every member's."""
        statement = self.generate()
        Statement = self.env["facility.statement"]
        self.assertIn(statement, Statement.with_user(self.pi_b).search([]))
        self.assertIn(statement, Statement.with_user(self.finance).search([]))
        self.assertNotIn(statement, Statement.with_user(self.student_b1).search([]))
        self.assertNotIn(statement, Statement.with_user(self.pi_a).search([]))
        self.assertNotIn(statement, Statement.with_user(self.student_a1).search([]))

    def test_cron_sends_the_last_cut_off_period(self):
        """Under the cut-off scheme (16 May, 16 Nov) the cron of 1 June 2042 sends the period
        17 Nov 2041 – 16 May 2042, not May."""
        self.company.write(
            {"facility_period_scheme": "cutoff", "facility_period_cutoffs": "05-16,11-16"}
        )
        statements = self.env["facility.statement"]._cron_send_statements(today=date(2042, 6, 1))
        mine = statements.filtered(lambda s: s.research_group_id == self.group_b)
        self.assertEqual((mine.date_from, mine.date_to), (date(2041, 11, 17), date(2042, 5, 16)))
        self.assertTrue(mine.sent_date)
        self.assertLessEqual(self.lines, mine.charge_ids)  # March's lines are in it
        # run again: the same statement, not sent twice
        again = self.env["facility.statement"]._cron_send_statements(today=date(2042, 6, 2))
        self.assertIn(mine, again)
        self.assertEqual(again.filtered(lambda s: s.research_group_id == self.group_b), mine)

    def test_cron_sends_last_month_under_the_monthly_scheme(self):
        self.company.facility_period_scheme = "monthly"
        statements = self.env["facility.statement"]._cron_send_statements(today=date(2042, 4, 3))
        mine = statements.filtered(lambda s: s.research_group_id == self.group_b)
        self.assertEqual((mine.date_from, mine.date_to), (FROM, TO))
        self.assertEqual(mine.charge_ids, self.lines)
