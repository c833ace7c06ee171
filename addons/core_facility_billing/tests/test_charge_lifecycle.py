from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .charge_common import ChargeCase, utc


@tagged("post_install", "-at_install")
class TestChargeLifecycle(ChargeCase):
    """draft → confirmed (staff of the instrument, finance) → disputed (the PI, within the
    window) → resolved; corrections and cancellation before settlement; nothing after."""

    def setUp(self):
        super().setUp()
        self.line = self.manual_line(self.manager_spirit)

    def _confirm_on(self, day, lines=None):
        lines = lines or self.line
        with freeze_time(f"{day} 04:00:00"):  # 12:00 in Shanghai
            lines.with_user(self.manager_spirit).action_confirm()

    def test_who_confirms(self):
        for user in (self.student_a1, self.pi_a, self.manager_t20):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                self.line.with_user(user).action_confirm()
        self.line.with_user(self.finance).action_confirm()
        self.assertEqual(self.line.state, "confirmed")
        with self.assertRaisesRegex(UserError, "Only draft lines can be confirmed"):
            self.line.with_user(self.finance).action_confirm()

    def test_confirm_many_from_the_list(self):
        lines = self.line | self.manual_line(self.manager_spirit, name="Resin")
        self._confirm_on("2040-03-10", lines)
        self.assertEqual(set(lines.mapped("state")), {"confirmed"})
        self.assertEqual(set(lines.mapped("dispute_deadline")), {date(2040, 3, 17)})

    def test_dispute_window_both_sides(self):
        """Confirmed on 10 March, 7 days: disputed on the 17th yes, on the 18th no."""
        late = self.manual_line(self.manager_spirit, name="Resin")
        self._confirm_on("2040-03-10", self.line | late)
        with freeze_time("2040-03-17 15:00:00"):  # 23:00 on the 17th in Shanghai
            self.assertTrue(self.line.with_user(self.pi_a).can_dispute)
            action = self.line.with_user(self.pi_a).action_dispute()
            wizard = Form(
                self.env[action["res_model"]].with_user(self.pi_a).with_context(**action["context"])
            )
            wizard.reason = "The grids were ours."
            wizard.save().action_apply()
        self.assertEqual(self.line.state, "disputed")
        self.assertEqual(self.line.dispute_reason, "The grids were ours.")
        with freeze_time("2040-03-17 16:00:00"):  # 00:00 on the 18th in Shanghai
            self.assertFalse(late.with_user(self.pi_a).can_dispute)
            with self.assertRaisesRegex(UserError, "dispute window .* closed on"):
                late.with_user(self.pi_a)._dispute("Too late")
        self.assertEqual(late.state, "confirmed")

    def test_only_the_pi_disputes_with_a_reason(self):
        self._confirm_on("2040-03-10")
        with freeze_time("2040-03-11"):
            for user in (self.student_a1, self.pi_b, self.manager_spirit):
                with self.subTest(user=user.login), self.assertRaises(UserError):
                    self.line.with_user(user)._dispute("No")
            with self.assertRaisesRegex(UserError, "reason"):
                self.line.with_user(self.pi_a)._dispute("  ")
        draft = self.manual_line(self.manager_spirit)
        with self.assertRaisesRegex(UserError, "only a confirmed line is disputed"):
            draft.with_user(self.pi_a)._dispute("Not yet confirmed")

    def _disputed(self):
        self._confirm_on("2040-03-10")
        with freeze_time("2040-03-11"):
            self.line.with_user(self.pi_a)._dispute("We used one grid, not two.")

    def test_resolve_reject_then_no_second_dispute(self):
        self._disputed()
        with self.assertRaises(UserError):
            self.line.with_user(self.pi_a)._resolve("reject", "No")
        self.line.with_user(self.manager_spirit)._resolve("reject", "Two grids were logged.")
        self.assertEqual((self.line.state, self.line.amount), ("confirmed", 71.0))
        self.assertEqual(self.line.dispute_resolution, "Two grids were logged.")
        with freeze_time("2040-03-12"), self.assertRaisesRegex(UserError, "once"):
            self.line.with_user(self.pi_a)._dispute("Again")

    def test_resolve_by_correction_and_by_cancellation(self):
        self._disputed()
        action = self.line.with_user(self.manager_spirit).action_resolve()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.manager_spirit)
            .with_context(**action["context"])
        )
        wizard.decision = "correct"
        self.assertEqual(wizard.quantity, 2.0)
        wizard.quantity = 1.0
        wizard.resolution = "Right: one grid."
        wizard.save().action_apply()
        self.assertRecordValues(
            self.line, [{"state": "confirmed", "quantity": 1.0, "amount": 35.5}]
        )
        other = self.manual_line(self.manager_spirit, name="Knife")
        self._confirm_on("2040-03-10", other)
        with freeze_time("2040-03-11"):
            other.with_user(self.pi_a)._dispute("Not ours")
        other.with_user(self.finance)._resolve("cancel", "Another group's knife.")
        self.assertEqual(other.state, "cancelled")

    def test_corrections_before_settlement(self):
        action = self.line.with_user(self.manager_spirit).action_correct()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.manager_spirit)
            .with_context(**action["context"])
        )
        self.assertEqual(wizard.unit_price, 35.5)
        wizard.unit_price = 33.33
        wizard.reason = "Price of the new batch"
        wizard.save().action_apply()
        self.assertEqual(self.line.amount, 66.66)
        self.assertIn("Price of the new batch", self.line.message_ids[:1].body)
        with self.assertRaisesRegex(UserError, "reason"):
            self.line.with_user(self.manager_spirit)._correct("", quantity=3)
        with self.assertRaises(UserError):
            self.line.with_user(self.manager_t20)._correct("Mine", quantity=3)
        self.line.with_user(self.finance)._correct("Duplicate", cancel=True)
        self.assertEqual(self.line.state, "cancelled")

    def test_nothing_changes_after_settlement(self):
        self._confirm_on("2040-03-10")
        self.line.sudo()._write_guarded({"state": "settled"})  # as the settlement does
        with self.assertRaisesRegex(UserError, "only draft or confirmed"):
            self.line.with_user(self.finance)._correct("Late fix", quantity=1)
        with self.assertRaisesRegex(UserError, "no longer changes"):
            self.line.with_user(self.finance).name = "Renamed"
        with freeze_time("2040-03-11"), self.assertRaises(UserError):
            self.line.with_user(self.pi_a)._dispute("Too late")

    def test_money_and_state_are_never_written_directly(self):
        for values in ({"amount": 1.0}, {"state": "settled"}, {"quantity": 9.0}):
            for user in (self.finance, self.manager_spirit):
                with self.subTest(values=values, user=user.login):
                    with self.assertRaisesRegex(UserError, "change only through its actions"):
                        self.line.with_user(user).write(values)
        self.line.with_user(self.manager_spirit).name = "Grids (two boxes)"
        with self.assertRaises(AccessError):
            self.line.with_user(self.finance).unlink()

    def test_smart_buttons(self):
        booking = self.book(utc(2040, 3, 5, 10))
        booking._mark_no_show(at=utc(2040, 3, 5, 12))
        self.assertEqual(booking.charge_count, 1)
        action = booking.action_view_charges()
        self.assertEqual(self.env["facility.charge"].search(action["domain"]), self.lines(booking))
        order = self.open_order(consumable_ids=[Command.create({"name": "Grids", "quantity": 1})])
        self.assertEqual(order.charge_count, 0)
