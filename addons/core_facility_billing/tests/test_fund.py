from datetime import date

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from .settlement_common import SettlementCase


@tagged("post_install", "-at_install")
class TestFund(SettlementCase):
    def test_fund_is_in_the_research_funds_plan_with_the_group_pi(self):
        plan = self.company._facility_fund_plan()
        self.assertEqual(plan.name, "Research Funds")
        self.assertEqual(self.fund_a.plan_id, plan)
        self.assertTrue(self.fund_a.facility_is_fund)
        self.assertEqual(self.fund_a.facility_pi_id, self.pi_a)
        self.assertIn(self.fund_a, self.group_a.fund_ids)
        self.assertIn(
            self.fund_a,
            self.env["account.analytic.account"].search([("facility_is_fund", "=", True)]),
        )
        self.assertEqual(self.fund_a.display_name, "[2039-KY-0001] NSFC 32171234")

    def test_validity_both_sides_of_each_edge(self):
        fund = self.fund_a  # 2038-01-01 to 2040-06-30
        self.assertFalse(fund._facility_fund_problem(date(2038, 1, 1)))
        self.assertFalse(fund._facility_fund_problem(date(2040, 6, 30)))
        self.assertEqual(
            fund._facility_fund_problem(date(2040, 7, 1)),
            "Fund 2039-KY-0001 expired on 2040-06-30: choose another fund of the group.",
        )
        self.assertEqual(
            fund._facility_fund_problem(date(2037, 12, 31)),
            "Fund 2039-KY-0001 is valid only from 2038-01-01.",
        )
        self.assertFalse(self.fund_a2._facility_fund_problem(date(2043, 1, 1)))  # open-ended
        self.fund_a2.active = False
        self.assertRegex(self.fund_a2._facility_fund_problem(date(2039, 1, 1)), "is archived")

    def test_problem_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        problem = self.fund_a.with_context(lang="zh_CN")._facility_fund_problem(date(2041, 1, 1))
        self.assertIn("2039-KY-0001", problem)
        self.assertIn("2040-06-30", problem)

    def test_a_group_fund_belongs_to_the_research_funds_plan(self):
        other_plan = self.env["account.analytic.plan"].create({"name": "Projects"})
        with self.assertRaisesRegex(ValidationError, "Research Funds"):
            self.env["account.analytic.account"].create(
                {
                    "name": "Wrong plan",
                    "plan_id": other_plan.id,
                    "facility_research_group_id": self.group_a.id,
                }
            )
        # an ordinary analytic account of another plan is left alone
        account = self.env["account.analytic.account"].create(
            {"name": "Marketing", "plan_id": other_plan.id}
        )
        self.assertFalse(account.facility_is_fund)

    def test_fund_code_once_and_dates_in_order(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env["account.analytic.account"].create(
                {"name": "Twin", "facility_fund_code": "2039-KY-0001"}
            )
        with self.assertRaisesRegex(ValidationError, "ends before it starts"):
            self.fund_a.facility_date_to = date(2037, 1, 1)

    def test_platform_account_made_once(self):
        account = self.center._facility_analytic_account()
        self.assertEqual(account.plan_id.name, "Core Facility Platforms")
        self.assertEqual(self.center._facility_analytic_account(), account)

    def test_pi_reads_funds_finance_reads_accountant_writes(self):
        fund = self.fund_a.with_user(self.pi_a)
        self.assertEqual(fund.facility_fund_code, "2039-KY-0001")
        with self.assertRaises(AccessError):
            fund.write({"facility_budget": 1})
        self.assertEqual(self.fund_a.with_user(self.finance).name, "NSFC 32171234")
        action = self.env.ref("core_facility_billing.action_facility_fund_mine")
        domain = safe_eval(action.domain, {"uid": self.pi_a.id})
        mine = self.env["account.analytic.account"].with_user(self.pi_a).search(domain)
        self.assertIn(self.fund_a, mine)
        self.assertNotIn(
            self.fund_a,
            self.env["account.analytic.account"].search(
                safe_eval(action.domain, {"uid": self.pi_b.id})
            ),
        )


@tagged("post_install", "-at_install")
class TestFundAccess(SettlementCase):
    """Funds are read by their group's PI and members, finance, accountants and facility
    managers; other analytic accounts stay as Odoo has them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fund_b = cls.env["account.analytic.account"].create(
            {
                "name": "Industry contract",
                "facility_fund_code": "2039-KY-0099",
                "facility_research_group_id": cls.group_b.id,
            }
        )
        cls.platform = cls.center._facility_analytic_account()

    def test_pi_reads_own_funds_only(self):
        Fund = self.env["account.analytic.account"].with_user(self.pi_a)
        found = Fund.search([("facility_is_fund", "=", True)])
        self.assertIn(self.fund_a, found)
        self.assertNotIn(self.fund_b, found)
        with self.assertRaises(AccessError):
            self.fund_b.with_user(self.pi_a).read(["name"])
        self.assertTrue(self.platform.with_user(self.pi_a).read(["name"]))  # not a fund
        self.assertTrue(self.fund_a.with_user(self.student_a1).read(["name"]))  # a member

    def test_my_research_funds_opens_for_a_pi(self):
        action = self.env.ref("core_facility_billing.action_facility_fund_mine")
        domain = safe_eval(action.domain, {"uid": self.pi_a.id})
        Fund = self.env["account.analytic.account"].with_user(self.pi_a)
        records = Fund.search(domain)
        self.assertIn(self.fund_a, records)
        values = records.web_read(
            {"name": {}, "facility_spent": {}, "facility_remaining": {}, "facility_budget": {}}
        )
        self.assertIn(self.fund_a.id, [row["id"] for row in values])

    def test_finance_and_accountants_read_all(self):
        accountant = new_test_user(
            self.env, login="t_fund_accountant", groups="account.group_account_user"
        )
        for user in (self.finance, accountant, self.env.ref("base.user_admin")):
            with self.subTest(user=user.login):
                found = (
                    self.env["account.analytic.account"]
                    .with_user(user)
                    .search([("facility_is_fund", "=", True)])
                )
                self.assertIn(self.fund_a, found)
                self.assertIn(self.fund_b, found)
                self.assertEqual(self.fund_b.with_user(user).facility_spent, 0.0)
