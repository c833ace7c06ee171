from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .test_booking import NOW, BookingCase, local

REFUSED = (AccessError, UserError, ValidationError)


class ViolationCase(BookingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Violation = cls.env["facility.violation"]
        cls.no_show_type = cls.env.ref("core_facility.violation_type_no_show")
        cls.data_left = cls.env.ref("core_facility.violation_type_data_left")

    def violations(self, group=None, **domain):
        terms = [("research_group_id", "=", (group or self.group_a).id)]
        terms += [(name, "=", value) for name, value in domain.items()]
        return self.Violation.search(terms)


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestViolationAutomatic(ViolationCase):
    """No-shows, late cancellations and unreported under-use are recorded once, from the
    booking; IoT and billing record theirs through record_violation()."""

    def test_three_no_shows_three_violations_of_one_point(self):
        bookings = self.env["facility.booking"]
        for day in (4, 5, 8):
            booking = self.book(self.spirit, local(2025, 12, day, 9), local(2025, 12, day, 12))
            booking._mark_no_show(at=local(2025, 12, day, 10))
            bookings |= booking
        found = self.violations(source="no_show")
        self.assertEqual(len(found), 3)
        self.assertEqual(found.mapped("points"), [1, 1, 1])
        self.assertEqual(found.booking_id, bookings)
        self.assertEqual(found.user_id, self.student_a1)
        self.assertEqual(set(found.mapped("year")), {2025})
        self.assertEqual(self.group_a.integrity_points, 47)
        # the transition again (as a second call would), and the safety-net job twice
        bookings._record_violations()
        self.Violation._cron_record_booking_violations()
        self.Violation._cron_record_booking_violations()
        self.assertEqual(len(self.violations()), 3)
        self.assertEqual(
            sorted(found.mapped("source_key")),
            sorted(f"booking:{b.id}:no_show" for b in bookings),
        )

    def test_late_cancellation_and_under_use(self):
        late = self.book(self.confocal, local(2025, 12, 3, 14), local(2025, 12, 3, 16))
        with freeze_time(local(2025, 12, 3, 13, 30)):
            late.with_user(self.student_a1).action_cancel()
        in_time = self.book(self.confocal, local(2025, 12, 5, 14), local(2025, 12, 5, 16))
        in_time.with_user(self.student_a1).action_cancel()
        under = self.book(self.spirit, local(2025, 12, 4, 9), local(2025, 12, 4, 17))
        under._start(at=local(2025, 12, 4, 9))
        under._finish(at=local(2025, 12, 4, 10))
        self.assertTrue(under.is_underuse)
        kinds = {v.booking_id: v.source for v in self.violations()}
        self.assertEqual(kinds, {late: "late_cancel", under: "under_use"})
        self.assertEqual(self.violations(source="late_cancel").date, local(2025, 12, 3, 13, 30))

    def test_a_finished_booking_is_no_violation(self):
        done = self.book(self.spirit, local(2025, 12, 4, 9), local(2025, 12, 4, 12))
        done._start(at=local(2025, 12, 4, 9))
        done._finish(at=local(2025, 12, 4, 12))
        self.assertFalse(self.violations())

    def test_record_violation_is_idempotent_on_its_key(self):
        first = self.Violation.sudo().record_violation(
            self.group_a, self.student_a1, "no_booking", source_key="iot:spirit:7781"
        )
        again = self.Violation.sudo().record_violation(
            self.group_a, self.student_a1, "no_booking", source_key="iot:spirit:7781"
        )
        self.assertEqual(first, again)
        self.assertEqual(first.points, 3)
        self.assertEqual(first.source, "no_booking")
        fees = self.Violation.sudo().record_violation(
            self.group_b, None, "unpaid_fees", source_key="fees:INV/2025/0042"
        )
        self.assertEqual((fees.research_group_id, fees.user_id.id), (self.group_b, False))
        self.assertEqual(self.group_b.integrity_points, 47)

    def test_record_violation_with_another_class(self):
        grave = self.Violation.sudo().record_violation(
            self.group_a, self.student_a1, "acknowledgement", class_code="grave"
        )
        self.assertEqual((grave.points, grave.track), (25, "serious"))

    def test_record_violation_refuses_unknown_codes_and_non_staff(self):
        with self.assertRaisesRegex(UserError, "no violation type nonsense"):
            self.Violation.sudo().record_violation(self.group_a, self.student_a1, "nonsense")
        with self.assertRaises(AccessError):
            self.Violation.with_user(self.pi_a).record_violation(
                self.group_b, self.student_b1, "no_show"
            )
        with self.assertRaisesRegex(ValidationError, "is not a member of research group"):
            self.Violation.sudo().record_violation(self.group_a, self.student_b1, "no_show")

    def test_the_year_is_the_facility_year(self):
        # 2025-12-31 23:30 in Shanghai is still 2025; 00:30 on 1 January is 2026
        old = self.Violation.sudo().record_violation(
            self.group_a, self.student_a1, "no_show", when=local(2025, 12, 31, 23, 30)
        )
        new = self.Violation.sudo().record_violation(
            self.group_a, self.student_a1, "no_show", when=local(2026, 1, 1, 0, 30)
        )
        self.assertEqual((old.year, new.year), (2025, 2026))

    def test_the_person_and_the_pi_are_told(self):
        violation = self.Violation.sudo().record_violation(
            self.group_a, self.student_a1, "no_show", source_key="t:1"
        )
        told = violation.message_ids.filtered(lambda m: m.partner_ids)
        self.assertEqual(told.partner_ids, (self.student_a1 | self.pi_a).partner_id)
        self.assertIn("1 points deducted", told[0].body)
        self.assertIn("49 points remain for 2025", told[0].body)
        self.assertLessEqual(
            (self.student_a1 | self.pi_a).partner_id, violation.message_follower_ids.partner_id
        )

    def test_one_message_per_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.pi_a.lang = "zh_CN"
        violation = self.Violation.sudo().record_violation(self.group_a, self.student_a1, "no_show")
        told = violation.message_ids.filtered(lambda m: m.partner_ids)
        self.assertEqual(len(told), 2)
        self.assertEqual(
            {tuple(m.partner_ids.ids) for m in told},
            {(self.student_a1.partner_id.id,), (self.pi_a.partner_id.id,)},
        )


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestViolationManual(ViolationCase):
    """Staff record violations by hand; what a violation is does not change afterwards and it
    is never deleted."""

    def record(self, user=None, **values):
        return self.Violation.with_user(user or self.manager_spirit).create(
            dict(
                {
                    "type_id": self.data_left.id,
                    "research_group_id": self.group_a.id,
                    "user_id": self.student_a2.id,
                    "description": "800 GB left on the local disk",
                },
                **values,
            )
        )

    def test_staff_record_a_violation(self):
        violation = self.record()
        self.assertRegex(violation.name, r"^VIO/2025/\d{4}$")
        self.assertEqual(violation.class_id.code, "no_consequence")
        self.assertEqual((violation.points, violation.state), (1, "recorded"))
        self.assertEqual(violation.recorded_by_id, self.manager_spirit)
        self.assertEqual(violation.measure, self.data_left.measure)
        self.assertEqual(violation.source, "manual")
        self.assertFalse(violation.source_key)

    def test_users_and_pis_do_not_record(self):
        for user in (self.student_a1, self.pi_a, self.finance):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.record(user)

    def test_a_source_key_is_for_record_violation_only(self):
        violation = self.record(source_key="forged")
        self.assertFalse(violation.source_key)

    def test_what_a_violation_is_does_not_change(self):
        violation = self.record()
        loss = self.env.ref("core_facility.violation_class_loss")
        for user in (self.manager_spirit, self.director):
            for values in (
                {"class_id": loss.id},
                {"user_id": self.student_a1.id},
                {"date": "2025-01-01 00:00:00"},
                {"research_group_id": self.group_b.id},
            ):
                with self.subTest(user=user.login, values=values):
                    with self.assertRaisesRegex(UserError, "do not change"):
                        violation.with_user(user).write(values)
        for name, value in (("state", "withdrawn"), ("decision_note", "forged")):
            with self.assertRaisesRegex(UserError, "change only through its actions"):
                violation.with_user(self.director).write({name: value})
        violation.with_user(self.manager_spirit).write({"measure": "Warned in person"})
        self.assertEqual(violation.measure, "Warned in person")

    def test_never_deleted(self):
        violation = self.record()
        with self.assertRaisesRegex(UserError, "never deleted"):
            violation.sudo().unlink()

    def test_a_class_edited_later_leaves_the_past_alone(self):
        violation = self.record()
        violation.class_id.sudo().points = 2
        violation.invalidate_recordset()
        self.assertEqual(violation.points, 1)


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestViolationContest(ViolationCase):
    """The PI contests with a reason; a facility manager withdraws or upholds. A withdrawn
    violation gives its points back and stays visible, marked withdrawn."""

    def setUp(self):
        super().setUp()
        self.violation = self.Violation.sudo().record_violation(
            self.group_a, self.student_a1, "no_booking", source_key="iot:1"
        )
        self.violation = self.violation.with_user(self.pi_a)

    def decide(self, user, decision, note, violation=None):
        violation = (violation or self.violation).with_user(user)
        action = getattr(violation, f"action_{decision}")()
        wizard = (
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
            .create({"note": note})
        )
        wizard.action_apply()

    def test_contest_then_withdraw_gives_the_points_back(self):
        self.assertEqual(self.group_a.integrity_points, 47)
        self.decide(self.pi_a, "contest", "The booking system was down that evening.")
        self.assertEqual(self.violation.state, "contested")
        self.assertEqual(self.violation.contested_by_id, self.pi_a)
        self.assertEqual(self.group_a.integrity_points, 47)  # counts until withdrawn
        with patch.object(type(self.Violation), "_ledger_changed", autospec=True) as changed:
            self.decide(self.director, "withdraw", "The outage is confirmed.")
        self.assertEqual(changed.call_args.args[0].ids, self.violation.ids)
        self.group_a.invalidate_recordset()
        self.assertEqual(self.group_a.integrity_points, 50)
        # still visible, marked withdrawn, to the PI and the person
        for user in (self.pi_a, self.student_a1):
            seen = self.Violation.with_user(user).search([("id", "=", self.violation.id)])
            self.assertEqual(seen.state, "withdrawn")
        self.assertFalse(self.violation.is_counted)
        self.assertEqual(self.violation.decided_by_id, self.director)

    def test_uphold_keeps_it_counting(self):
        self.decide(self.pi_a, "contest", "It was not us.")
        self.decide(self.director, "uphold", "The door log shows the user.")
        self.assertEqual(self.violation.state, "upheld")
        self.assertEqual(self.group_a.integrity_points, 47)
        with self.assertRaisesRegex(UserError, "cannot be decided again"):
            self.violation.with_user(self.director)._withdraw("Changed my mind")

    def test_who_may_contest_and_decide(self):
        with self.assertRaisesRegex(UserError, "only the PI of Group A"):
            self.violation.with_user(self.student_a1).action_contest()
        with self.assertRaisesRegex(UserError, "only the PI of Group A"):
            self.violation.with_user(self.pi_b)._contest("Not mine")
        with self.assertRaisesRegex(UserError, "give the reason"):
            self.violation._contest("  ")
        with self.assertRaisesRegex(UserError, "only a facility manager"):
            self.violation.with_user(self.manager_spirit)._withdraw("No")
        with self.assertRaisesRegex(UserError, "only a recorded violation can be contested"):
            self.violation._contest("First")
            self.violation._contest("Second")
        self.decide(self.pi_a, "contest", "Once")
        with self.assertRaisesRegex(UserError, "only a recorded violation can be contested"):
            self.violation._contest("Twice")

    def test_only_a_contested_violation_is_upheld(self):
        with self.assertRaisesRegex(UserError, "cannot be decided again"):
            self.violation.with_user(self.director).action_uphold()
