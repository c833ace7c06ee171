"""Unbooked use: a closed session without a booking, by a known user of a known group, is
recorded once as a violation (unless a legitimate walk-in) and charged at the walk-in rate when
billing is installed; without a known user it is listed as unidentified and nothing is
recorded."""

from unittest.mock import patch

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
