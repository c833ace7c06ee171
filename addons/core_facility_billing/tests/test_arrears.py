"""Arrears (欠款): overdue invoices listed for finance; after the company's "fees overdue after"
days the group cannot book and one violation per invoice is recorded; paying lifts the block."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .external_common import ExternalCase

TODAY = date(2041, 6, 15)


@tagged("post_install", "-at_install")
class TestArrears(ExternalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.facility_fee_overdue_days = 60
        cls.due_60 = cls.invoice(800, due=TODAY - timedelta(days=60), day=date(2041, 3, 1))
        cls.due_61 = cls.invoice(1200, due=TODAY - timedelta(days=61), day=date(2041, 3, 1))

    def _violations(self):
        return self.env["facility.violation"].search(
            [("research_group_id", "=", self.group_b.id), ("source_key", "like", "invoice:")]
        )

    def test_block_only_after_the_grace_days(self):
        problem = self.group_b._facility_arrears_problem(today=TODAY)
        self.assertIn(self.due_61.name, problem)
        self.assertNotIn(self.due_60.name, problem)
        self.assertIn("1,200.00 元", problem)
        self.assertIn("more than 60 days", problem)
        # the day before, the older one was exactly 60 days past due: no block yet
        self.assertFalse(self.group_b._facility_arrears_problem(today=TODAY - timedelta(days=1)))

    def test_paying_lifts_the_block(self):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.due_61.ids
        ).create({"journal_id": self.bank.id})._create_payments()
        self.assertEqual(self.due_61.payment_state in ("paid", "in_payment"), True)
        self.assertFalse(self.group_b._facility_arrears_problem(today=TODAY))

    def test_cron_records_one_violation_per_invoice(self):
        Group = self.env["facility.research.group"]
        Group._cron_facility_arrears(today=TODAY)
        Group._cron_facility_arrears(today=TODAY)
        violations = self._violations()
        self.assertEqual(violations.mapped("source_key"), [f"invoice:{self.due_61.id}"])
        self.assertEqual(violations.user_id, self.pi_b)
        self.assertEqual(violations.type_id.code, "unpaid_fees")
        Group._cron_facility_arrears(today=TODAY + timedelta(days=1))
        self.assertEqual(len(self._violations()), 2)

    def test_other_groups_are_not_blocked(self):
        self.assertFalse(self.group_a._facility_arrears_problem(today=TODAY))

    @freeze_time("2041-06-15 04:00:00")
    def test_arrears_list_with_days_overdue(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility_billing.account_move_arrears_action"
        )
        self.assertIn("facility_is_group_invoice", action["domain"])
        domain = [
            ("facility_is_group_invoice", "=", True),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", "2041-06-15"),
        ]
        found = self.env["account.move"].with_user(self.finance).search(domain)
        self.assertIn(self.due_61, found)
        self.assertIn(self.due_60, found)
        other = self.invoice(50, partner=self.env["res.partner"].create({"name": "Walk-in"}))
        self.assertNotIn(other, self.env["account.move"].search(domain))
        self.assertEqual(self.due_61.facility_days_overdue, 61)
        self.assertEqual(self.group_b.arrears_count, 2)
