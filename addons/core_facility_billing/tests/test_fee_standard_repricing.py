"""The next fee standard cannot be valid from a day the standard in force already priced: the
lines charged keep their price (corrected one by one, never repriced)."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .charge_common import ChargeCase


@tagged("post_install", "-at_install")
class TestFeeStandardRepricing(ChargeCase):
    def test_valid_from_after_the_last_priced_line(self):
        line = self.manual_line(
            standard_id=self.spirit_std.id, unit_price=0.0, date="2040-03-05", quantity=1.0
        )
        self.assertEqual(line.standard_id, self.spirit_std)
        new = self.standard(self.spirit, "internal", 120.0, state="submitted")
        for day in ("2040-02-01", "2040-03-05"):  # before, and the line's very day
            with self.subTest(day=day), self.assertRaisesRegex(UserError, "already priced"):
                new.with_user(self.director)._approve(day)
        self.assertEqual(self.spirit_std.state, "approved")
        new.with_user(self.director)._approve("2040-03-06")  # the day after: allowed
        self.assertEqual(self.spirit_std.date_to.isoformat(), "2040-03-05")
        self.assertEqual(new.state, "approved")

    def test_cancelled_lines_do_not_hold_the_standard(self):
        line = self.manual_line(standard_id=self.spirit_std.id, unit_price=0.0, date="2040-03-05")
        line.with_user(self.finance)._correct("Entered twice", cancel=True)
        new = self.standard(self.spirit, "internal", 120.0, state="submitted")
        new.with_user(self.director)._approve("2040-03-01")
        self.assertEqual(self.spirit_std.state, "superseded")

    def test_valid_from_before_any_line_is_kept(self):
        # as the demo does: a standard in force with no line yet is superseded from any later day
        new = self.standard(self.spirit, "internal", 120.0, state="submitted")
        new.with_user(self.director)._approve("2040-01-02")
        self.assertEqual(new.state, "approved")
