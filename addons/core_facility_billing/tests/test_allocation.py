"""Allocation (拨款): each platform's income of the quarter, split by its shares to the fen
(the school takes the remainder), posted once per quarter as one entry per platform with the
platform's analytic account; reversible."""

from datetime import date
from decimal import Decimal

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .external_common import ExternalCase


@tagged("post_install", "-at_install")
class TestAllocation(ExternalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        Account = cls.env["account.account"]

        def account(code, name, kind):
            return Account.create({"code": code, "name": name, "account_type": kind})

        if not company.facility_income_account_id:
            company.facility_income_account_id = account("FB7001", "Facility income", "income")
        if not company.facility_billing_journal_id:
            company.facility_billing_journal_id = cls.env["account.journal"].create(
                {"name": "Facility", "code": "FACT", "type": "general"}
            )
        for field, code in (
            ("facility_allocation_platform_account_id", "FB2401"),
            ("facility_allocation_department_account_id", "FB2402"),
            ("facility_allocation_school_account_id", "FB2403"),
        ):
            if not company[field]:
                company[field] = account(code, field, "liability_current")
        cls.income = company.facility_income_account_id
        plan = company._facility_platform_plan()
        cls.center_aa = cls.env["account.analytic.account"].create(
            {"name": "Imaging Center", "plan_id": plan.id}
        )
        cls.center.analytic_account_id = cls.center_aa
        cls.share = cls.env["facility.income.share"].create(
            {
                "unit_id": cls.center.id,
                "platform_percent": 33.33,
                "department_percent": 33.33,
                "school_percent": 33.34,
            }
        )
        cls.expense = Account.search(
            [("account_type", "=", "expense"), ("company_ids", "in", company.ids)], limit=1
        )
        cls.book_income(100.01, date(2041, 2, 10))
        cls.book_income(900.00, date(2041, 3, 31))
        cls.book_income(5000.00, date(2041, 4, 1))  # next quarter

    @classmethod
    def book_income(cls, amount, day, analytic=None):
        move = cls.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": cls.company.facility_billing_journal_id.id,
                "date": day,
                "line_ids": [
                    Command.create({"account_id": cls.expense.id, "debit": amount, "name": "x"}),
                    Command.create(
                        {
                            "account_id": cls.income.id,
                            "credit": amount,
                            "name": "x",
                            "analytic_distribution": analytic or {str(cls.center_aa.id): 100},
                        }
                    ),
                ],
            }
        )
        move.action_post()
        return move

    def allocation(self, quarter="1"):
        return (
            self.env["facility.income.allocation"]
            .with_user(self.billing_admin)
            .create({"year": 2041, "quarter": quarter})
        )

    def test_quarter_income_split_and_posted(self):
        allocation = self.allocation()
        self.assertEqual(
            (allocation.date_from, allocation.date_to), (date(2041, 1, 1), date(2041, 3, 31))
        )
        allocation.action_post()
        self.assertEqual(allocation.state, "posted")
        move = allocation.move_ids
        self.assertEqual(len(move), 1)
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.date, date(2041, 3, 31))
        lines = {line.account_id: line for line in move.line_ids}
        # 1,000.01 × 33.33 % = 333.303333 → 333.30 twice; the school 333.41
        self.assertEqual(lines[self.income].debit, 1000.01)
        self.assertEqual(lines[self.income].analytic_distribution, {str(self.center_aa.id): 100})
        platform = lines[self.company.facility_allocation_platform_account_id]
        self.assertEqual(platform.credit, 333.30)
        self.assertEqual(platform.analytic_distribution, {str(self.center_aa.id): 100})
        self.assertEqual(
            lines[self.company.facility_allocation_department_account_id].credit, 333.30
        )
        self.assertEqual(lines[self.company.facility_allocation_school_account_id].credit, 333.41)
        self.assertIn("333.41", allocation.preview or "")

    def test_posted_once_per_quarter_reversal_allows_again(self):
        first = self.allocation()
        first.action_post()
        second = self.allocation()
        with mute_logger("odoo.sql_db"), self.assertRaisesRegex(UserError, "already allocated"):
            second.action_post()
        first.action_reverse()
        self.assertEqual(first.state, "reversed")
        self.assertEqual(len(first.move_ids), 2)
        # the allocations' own entries are not income: the quarter's income is unchanged
        self.assertEqual(second._platform_incomes()[self.center_aa.id], Decimal("1000.01"))
        second.action_post()
        self.assertEqual(second.move_ids.line_ids.filtered("debit")[:1].debit, 1000.01)

    def test_posted_quarter_is_fixed(self):
        """A posted allocation moved to another quarter would free its own: refused, as are the
        year and company; a draft is still edited, and the reversed one stays as it was."""
        draft = self.allocation(quarter="3")
        draft.write({"quarter": "4", "year": 2042})
        self.assertEqual(draft.date_from.isoformat(), "2042-10-01")
        posted = self.allocation()
        posted.action_post()
        other = self.env["res.company"].create({"name": "Other 2041"})
        for vals in ({"quarter": "2"}, {"year": 2040}, {"company_id": other.id}):
            with self.subTest(vals=vals), self.assertRaisesRegex(UserError, "no longer change"):
                posted.write(vals)
        posted.action_reverse()
        with self.assertRaisesRegex(UserError, "no longer change"):
            posted.write({"quarter": "2"})
        self.assertEqual(posted.date_from.isoformat(), "2041-01-01")

    def test_platform_without_shares_is_refused(self):
        self.share.unlink()
        with self.assertRaisesRegex(UserError, "no allocation shares"):
            self.allocation().action_post()

    def test_shares_sum_to_100(self):
        with self.assertRaisesRegex(ValidationError, "sum to 99.99 percent"):
            self.share.school_percent = 33.33
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.share.write({"school_percent": -10, "platform_percent": 76.67})

    def test_only_the_platform_system_administrator_allocates(self):
        allocation = self.allocation()
        with self.assertRaisesRegex(UserError, "Only the platform system administrator"):
            allocation.with_user(self.finance).action_post()
        with self.assertRaisesRegex(UserError, "cannot be written directly"):
            allocation.write({"state": "posted"})
