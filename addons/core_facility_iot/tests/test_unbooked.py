"""Unbooked use: a closed session without a booking, by a known user of a known group, is
recorded once as a violation (unless a legitimate walk-in) and charged at the walk-in rate when
billing is installed, once its measured time is final; without a known user it is listed as
unidentified and nothing is recorded. What was recorded is never lost nor recorded twice when
late events reshape the sessions: the session is flagged for review instead."""

from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.core_facility.models.access import permit

from .test_session_common import UsageCase


@tagged("post_install", "-at_install")
class TestUnbookedUse(UsageCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = "facility.charge" in cls.env
        if cls.billing:
            permit(cls.env["facility.fee.standard"].sudo()).create(
                {
                    "name": "Spirit internal hour",
                    "instrument_id": cls.spirit.id,
                    "payer_category": "internal",
                    "fee_unit": "hour",
                    "unit_price": 100.0,
                    "walk_in_price": 120.0,
                    "date_from": "2040-01-01",
                    "state": "approved",
                }
            )

    def use(self, user=None, uid="L1"):
        """A use of 90 minutes an hour ago, logged in as ``user`` (or unknown)."""
        extra = {"user": user.login} if user else {}
        self.post(
            self.login(uid, -150, **extra),
            *self.beats(-145, -65),
            self.logout(f"O{uid}", -60),
        )
        return self.sessions(start_event_uid=uid)

    def violations(self):
        return self.env["facility.violation"].sudo().search([("source_key", "like", "iot:%")])

    def charges(self):
        if not self.billing:
            return []
        return self.env["facility.charge"].sudo().search([("origin_key", "like", "iot:%")])

    def test_recorded_once_as_violation_and_walk_in_charge(self):
        session = self.use(self.student_a1)
        self.assertTrue(session.is_unbooked)
        self.assertFalse(session.is_unidentified)
        self.assertTrue(session.unbooked_recorded, session.match_note)
        self.assertEqual(session.research_group_id, self.group_a)
        violation = self.violations()
        self.assertEqual(len(violation), 1)
        self.assertEqual(violation.type_id.code, "no_booking")
        self.assertEqual(
            (violation.user_id, violation.research_group_id), (self.student_a1, self.group_a)
        )
        self.assertEqual(violation.source_key, "iot:SPIRIT-BOX-1:pc:L1")
        self.assertTrue(self.billing, "billing is installed in the test database")
        charge = self.charges()
        self.assertEqual(len(charge), 1)
        self.assertEqual((charge.quantity, charge.unit_price), (1.5, 120.0))
        # billing prefixes its kind: the line's key is the violation's, not "iot:iot:..."
        self.assertEqual(charge.origin_key, "iot:SPIRIT-BOX-1:pc:L1")
        # delivered again, rebuilt from scratch: still once
        self.use(self.student_a1)
        self.Session._rebuild(self.box, full=True, now=self.at(0))
        self.assertEqual(len(self.violations()), 1)
        self.assertEqual(len(self.charges()), 1)

    def test_legitimate_walk_in_is_charged_not_a_violation(self):
        self.spirit.write({"booking_mode": "log", "iot_walk_in": True})
        session = self.use(self.student_a1)
        self.assertTrue(session.is_unbooked)
        self.assertFalse(self.violations())
        self.assertEqual(len(self.charges()), 1)

    def test_unidentified_use_records_nothing(self):
        session = self.use()
        self.assertTrue(session.is_unbooked)
        self.assertTrue(session.is_unidentified)
        self.assertFalse(session.unbooked_recorded)
        self.assertFalse(self.violations())
        self.assertFalse(self.charges())
        found = self.Session.search([("is_unidentified", "=", True)])
        self.assertIn(session, found)

    def test_running_unbooked_use_is_recorded_once_closed(self):
        self.post(self.login("L1", -30, user=self.student_a1.login), *self.beats(-25, 0))
        session = self.sessions()
        self.assertTrue(session.is_unbooked)
        self.assertFalse(self.violations())
        self.post(self.logout("O1", 2), now=self.at(3))
        self.assertEqual(len(self.violations()), 1)

    def test_a_silent_box_s_use_waits_until_its_time_is_final(self):
        """Review finding 1 for unbooked use: the box falls silent during the use; the cron
        ends the session at the timeout but records nothing until the buffered events are in
        (then at the true length) or the settle delay has passed."""
        self.post(self.login("L1", -120, user=self.student_a1.login), *self.beats(-115, -100))
        self.Session._cron_close_sessions(now=self.at(-60))
        session = self.sessions()
        self.assertEqual(session.end_reason, "heartbeat_timeout")
        self.assertFalse(self.violations())
        self.assertFalse(self.charges())
        self.post(*self.beats(-95, -65), self.logout("O1", -60), *self.beats(-55, -50))
        self.assertEqual(session.date_stop, self.at(-60))
        self.assertTrue(session.unbooked_recorded)
        self.assertEqual(len(self.violations()), 1)
        self.assertEqual(self.charges().quantity, 1.0)
        self.assertFalse(session.needs_review)
        # a box that never comes back: recorded once the delay has passed, by the cron
        self.post(self.login("L2", -40, user=self.student_a1.login), self.beat("H-35", -35))
        self.Session._cron_close_sessions(now=self.at(-25 + 24 * 60 - 1))
        late = self.sessions(start_event_uid="L2")
        self.assertFalse(late.unbooked_recorded)
        self.Session._cron_close_sessions(now=self.at(-25 + 24 * 60))
        self.assertTrue(late.unbooked_recorded)
        self.assertEqual(len(self.violations()), 2)

    def test_a_merge_keeps_what_was_recorded(self):
        """Review finding 2 (/tmp/review/s3.py): two uses of one user recorded apart (the box
        sent the second before the heartbeats in between) are joined by the late heartbeats.
        The merged session keeps both keys, nothing is recorded a second time, and it is
        flagged for the manager."""
        login = self.student_a1.login
        self.post(self.login("L1", -120, user=login), *self.beats(-115, -110), now=self.at(-109))
        self.post(self.login("L2", -80, user=login), self.logout("O2", -60), now=self.at(-59))
        first, second = self.sessions()
        self.assertEqual((first.date_stop, second.date_stop), (self.at(-100), self.at(-70)))
        self.assertTrue(first.unbooked_recorded and second.unbooked_recorded)
        self.assertEqual(len(self.violations()), 2)
        self.assertEqual(sorted(self.charges().mapped("quantity")), [0.1667, 0.3333])
        self.post(*self.beats(-105, -85), now=self.at(-50))
        merged = self.sessions()
        self.assertEqual(merged, first)
        self.assertEqual((merged.date_start, merged.date_stop), (self.at(-120), self.at(-70)))
        self.assertEqual(merged.recorded_keys, "iot:SPIRIT-BOX-1:pc:L1 iot:SPIRIT-BOX-1:pc:L2")
        self.assertAlmostEqual(merged.recorded_hours, 0.5)
        self.assertTrue(merged.needs_review)
        self.assertIn("merged into this one", merged.review_note)
        self.assertIn("Recorded as unbooked use of 0.33 h", merged.review_note)
        self.assertEqual(len(self.violations()), 2)  # nothing recorded a second time
        self.assertEqual(len(self.charges()), 2)
        # rebuilt from scratch: still nothing new
        self.Session._rebuild(self.box, full=True, now=self.at(-50))
        self.assertEqual(self.sessions(), merged)
        self.assertEqual(len(self.violations()), 2)
        # the manager checked it
        merged.with_user(self.manager_spirit).action_mark_reviewed()
        self.assertFalse(merged.needs_review)
        with self.assertRaises(AccessError):
            merged.with_user(self.student_a1).action_mark_reviewed()

    def test_without_billing_the_charge_is_skipped(self):
        Env = type(self.env)
        real = Env.__contains__

        def without_billing(env, name):
            return name != "facility.charge" and real(env, name)

        with patch.object(Env, "__contains__", without_billing):
            session = self.use(self.student_a1)
        self.assertTrue(session.unbooked_recorded)
        self.assertEqual(len(self.violations()), 1)
        self.assertFalse(self.charges())
