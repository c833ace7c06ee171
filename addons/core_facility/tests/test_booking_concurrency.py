from datetime import timedelta

from psycopg2.errors import SerializationFailure

import odoo
from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import ValidationError
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT


class CommittedCase(BaseCase):
    """Real, separate transactions: an instrument with its own policy and research groups is
    committed before the test and removed afterwards; the test's own cursor commits nothing."""

    policy_values = {}

    def setUp(self):
        super().setUp()
        self.registry = odoo.registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, DISABLED_MAIL_CONTEXT)
            user = env.ref("base.user_admin")
            unit = env["facility.unit"].create({"name": "Concurrency Center"})
            policy = env["facility.booking.policy"].create(
                dict(self.policy_values, name="Concurrency policy")
            )
            instrument = env["facility.instrument"].create(
                {
                    "name": "Concurrency Titan",
                    "unit_id": unit.id,
                    "booking_policy_id": policy.id,
                    "manager_ids": [Command.set(user.ids)],
                }
            )
            groups = env["facility.research.group"].create(
                [{"name": f"Concurrency Group {x}", "pi_id": user.id} for x in "ABC"]
            )
            self.ids = {
                "instrument": instrument.id,
                "policy": policy.id,
                "groups": groups.ids,
                "unit": unit.id,
            }
            self._prepare(env, instrument, groups)
        self.addCleanup(self._cleanup)

    def _prepare(self, env, instrument, groups):
        """Further committed records of the test."""

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cr.execute(
                "DELETE FROM facility_booking WHERE instrument_id = %s", [self.ids["instrument"]]
            )
            env["facility.booking.allocation"].search(
                [("instrument_id", "=", self.ids["instrument"])]
            ).unlink()
            instrument = env["facility.instrument"].browse(self.ids["instrument"])
            equipment = instrument.equipment_id
            instrument.unlink()
            equipment.unlink()
            env["facility.booking.policy"].browse(self.ids["policy"]).unlink()
            env["facility.research.group"].browse(self.ids["groups"]).unlink()
            env["facility.unit"].browse(self.ids["unit"]).unlink()


@tagged("post_install", "-at_install")
class TestBookingConcurrency(CommittedCase):
    """Two sessions confirming the same Titan slot at once: exactly one booking survives."""

    policy_values = {"auto_confirm": False, "internal_priority": False}

    def _prepare(self, env, instrument, groups):
        user = env.ref("base.user_admin")
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)
        values = {
            "instrument_id": instrument.id,
            "operator_id": user.id,
            "research_group_id": groups[0].id,
            "purpose": "Race",
            "date_start": start,
            "date_stop": start + timedelta(hours=10),
        }
        self.ids["bookings"] = env["facility.booking"].create([values, values]).ids

    def test_two_sessions_confirm_the_same_slot(self):
        first_id, second_id = self.ids["bookings"]
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = api.Environment(cr_a, SUPERUSER_ID, DISABLED_MAIL_CONTEXT)
            env_b = api.Environment(cr_b, SUPERUSER_ID, dict(DISABLED_MAIL_CONTEXT, lang="en_US"))
            booking_a = env_a["facility.booking"].browse(first_id)
            booking_b = env_b["facility.booking"].browse(second_id)
            # both sessions check the rules before either commits: no conflict is visible yet
            booking_a.action_confirm()
            self.assertFalse(booking_b._rule_messages())
            cr_a.commit()
            # session B confirms a moment later: only the exclusion constraint can stop it
            with (
                mute_logger("odoo.sql_db"),
                self.assertRaisesRegex(
                    ValidationError, "Concurrency Titan was booked for this time by someone else"
                ),
            ):
                booking_b._confirm()
            cr_b.rollback()
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT state, count(*) FROM facility_booking WHERE id IN %s GROUP BY state",
                [(first_id, second_id)],
            )
            self.assertEqual(dict(cr.fetchall()), {"confirmed": 1, "requested": 1})


@tagged("post_install", "-at_install")
class TestAllocationConcurrency(CommittedCase):
    """Two managers giving out the same forfeited hours at once: the pool is never overdrawn."""

    policy_values = {"allocation_required": True}

    def _prepare(self, env, instrument, groups):
        lapsed = env["facility.booking.allocation"].create(
            {
                "instrument_id": instrument.id,
                "research_group_id": groups[0].id,
                "month": "2030-01-01",
                "hours": 10,
            }
        )
        lapsed.write({"forfeited_hours": 10, "forfeit_date": "2030-01-02 00:00:00"})

    def _grant(self, env, group_id, hours):
        return env["facility.booking.allocation"].create(
            {
                "instrument_id": self.ids["instrument"],
                "research_group_id": group_id,
                "month": "2030-01-01",
                "second_round_hours": hours,
            }
        )

    def test_two_managers_share_out_the_same_pool(self):
        _lapsed, group_b, group_c = self.ids["groups"]
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = api.Environment(cr_a, SUPERUSER_ID, DISABLED_MAIL_CONTEXT)
            env_b = api.Environment(cr_b, SUPERUSER_ID, dict(DISABLED_MAIL_CONTEXT, lang="en_US"))
            cr_b.execute("SELECT 1")  # session B's snapshot: before A's grant
            self._grant(env_a, group_b, 8)
            cr_a.commit()
            # B saw 10 h in the pool; granting 8 more would overdraw it: B must not succeed
            with mute_logger("odoo.sql_db"), self.assertRaises(SerializationFailure):
                self._grant(env_b, group_c, 8)
            cr_b.rollback()
        # the request is retried (as Odoo does on serialization failures) and sees A's grant
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, dict(DISABLED_MAIL_CONTEXT, lang="en_US"))
            with (
                self.assertRaisesRegex(ValidationError, "10 h were forfeited .* 16 h would be"),
                cr.savepoint(),
            ):
                self._grant(env, group_c, 8)
            self._grant(env, group_c, 2)
            granted = env["facility.booking.allocation"].search(
                [("instrument_id", "=", self.ids["instrument"])]
            )
            self.assertEqual(sum(granted.mapped("second_round_hours")), 10)
