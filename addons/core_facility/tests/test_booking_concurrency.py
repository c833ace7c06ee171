from datetime import timedelta

from psycopg2.errors import SerializationFailure

import odoo
from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import UserError, ValidationError
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
            for table in ("facility_booking", "facility_booking_counter"):
                cr.execute(
                    f"DELETE FROM {table} WHERE instrument_id = %s",
                    [self.ids["instrument"]],
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


def _env(cr, **context):
    return api.Environment(cr, SUPERUSER_ID, dict(DISABLED_MAIL_CONTEXT, lang="en_US", **context))


@tagged("post_install", "-at_install")
class TestBookingConcurrency(CommittedCase):
    """Two sessions taking the same time at once: exactly one booking holds it."""

    policy_values = {"auto_confirm": True, "internal_priority": False}

    def _values(self, start, hours=10, group=0):
        return {
            "instrument_id": self.ids["instrument"],
            "operator_id": self.admin_id,
            "research_group_id": self.ids["groups"][group],
            "purpose": "Race",
            "date_start": start,
            "date_stop": start + timedelta(hours=hours),
        }

    def _prepare(self, env, instrument, groups):
        self.admin_id = env.ref("base.user_admin").id
        self.start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)

    def test_two_sessions_book_the_same_time(self):
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            # both sessions check the rules before either commits: no conflict is visible yet
            probe = env_b["facility.booking"].new(self._values(self.start))
            self.assertFalse(probe._rule_messages())
            env_a["facility.booking"].create(self._values(self.start))
            cr_a.commit()
            # session B books a moment later: only the exclusion constraint can stop it, and the
            # loser reads the instrument's name (not "False")
            with (
                mute_logger("odoo.sql_db"),
                self.assertRaisesRegex(
                    ValidationError, "^Concurrency Titan was booked for this time by someone else"
                ),
            ):
                env_b["facility.booking"].create(self._values(self.start + timedelta(hours=2)))
            cr_b.rollback()
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT state, count(*) FROM facility_booking WHERE instrument_id = %s "
                "GROUP BY state",
                [self.ids["instrument"]],
            )
            self.assertEqual(dict(cr.fetchall()), {"confirmed": 1})


@tagged("post_install", "-at_install")
class TestCompetingConfirmations(CommittedCase):
    """Two managers confirming overlapping requests at once: the first wins, the other request
    is rejected with the reason and its requester put on the waitlist."""

    policy_values = {"auto_confirm": False, "internal_priority": False}

    def _prepare(self, env, instrument, groups):
        user = env.ref("base.user_admin")
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)
        self.ids["bookings"] = (
            env["facility.booking"]
            .create(
                [
                    {
                        "instrument_id": instrument.id,
                        "operator_id": user.id,
                        "research_group_id": group.id,
                        "purpose": "Race",
                        "date_start": start + timedelta(hours=shift),
                        "date_stop": start + timedelta(hours=shift + 10),
                    }
                    for group, shift in ((groups[0], 0), (groups[1], 2))
                ]
            )
            .ids
        )

    def test_two_managers_confirm_overlapping_requests(self):
        first_id, second_id = self.ids["bookings"]
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            booking_b = env_b["facility.booking"].browse(second_id)
            self.assertEqual(booking_b.state, "requested")  # B's snapshot: before A confirms
            env_a["facility.booking"].browse(first_id).action_confirm()
            cr_a.commit()
            # A's confirmation rejected B's request: B's manager cannot confirm it any more;
            # the transaction fails to serialise and Odoo retries it...
            with mute_logger("odoo.sql_db"), self.assertRaises(SerializationFailure):
                booking_b.action_confirm()
            cr_b.rollback()
        with self.registry.cursor() as cr:
            env = _env(cr)
            second = env["facility.booking"].browse(second_id)
            # ... and the retry sees the rejection, with its reason
            with self.assertRaisesRegex(UserError, "Only requested bookings can be confirmed"):
                second.action_confirm()
            self.assertEqual(second.state, "rejected")
            self.assertRegex(second.reject_reason, "The time was given to .* waitlist")
            entry = env["facility.booking.waitlist"].search(
                [("instrument_id", "=", self.ids["instrument"])]
            )
            self.assertEqual(
                (entry.state, entry.date_from, entry.date_to),
                ("waiting", second.date_start, second.date_stop),
            )


class CountingCase(CommittedCase):
    """Two sessions each making a booking that fits alone but not together."""

    def _values(self, day, hours, group=0, **extra):
        start = self.month_start + timedelta(days=day, hours=1)
        return {
            "instrument_id": self.ids["instrument"],
            "operator_id": self.admin_id,
            "research_group_id": self.ids["groups"][group],
            "purpose": "Counting race",
            "date_start": start,
            "date_stop": start + timedelta(hours=hours),
            **extra,
        }

    def _prepare(self, env, instrument, groups):
        self.admin_id = env.ref("base.user_admin").id
        # Monday of a week well inside next month, so that horizons do not interfere
        today = fields.Date.today()
        first = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        monday = first + timedelta(days=(7 - first.weekday()) % 7)
        self.month_start = fields.Datetime.to_datetime(monday)

    def race(self, first, second, message):
        """Session B gets its snapshot, A books and commits, B books: B must fail to
        serialise; its retry is refused with ``message``; one booking remains."""
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            cr_b.execute("SELECT 1")  # session B's snapshot: before A's booking
            env_a["facility.booking"].create(first)
            cr_a.commit()
            with mute_logger("odoo.sql_db"), self.assertRaises(SerializationFailure):
                env_b["facility.booking"].create(second)
            cr_b.rollback()
        with self.registry.cursor() as cr:
            with self.assertRaisesRegex(ValidationError, message), cr.savepoint():
                _env(cr)["facility.booking"].create(second)
            cr.execute(
                "SELECT count(*) FROM facility_booking WHERE instrument_id = %s",
                [self.ids["instrument"]],
            )
            self.assertEqual(cr.fetchone()[0], 1)


@tagged("post_install", "-at_install")
class TestAllocationCounting(CountingCase):
    policy_values = {"allocation_required": True, "auto_confirm": False}

    def _prepare(self, env, instrument, groups):
        res = super()._prepare(env, instrument, groups)
        env["facility.booking.allocation"].create(
            {
                "instrument_id": instrument.id,
                "research_group_id": groups[0].id,
                "month": self.month_start.date().replace(day=1),
                "hours": 24,
            }
        )
        return res

    def test_two_members_cannot_overdraw_the_allocation(self):
        self.race(self._values(0, 16), self._values(1, 16), "Allocation rule: .* 24 h allocated")


@tagged("post_install", "-at_install")
class TestQuotaCounting(CountingCase):
    policy_values = {
        "quota_ids": [Command.create({"scope": "group", "period": "week", "limit": 8})]
    }

    def test_two_members_cannot_overdraw_the_weekly_quota(self):
        self.race(self._values(0, 5), self._values(1, 5), "Quota rule: at most 8 h")


@tagged("post_install", "-at_install")
class TestShareCounting(CountingCase):
    policy_values = {"external_share": 15}

    def _prepare(self, env, instrument, groups):
        res = super()._prepare(env, instrument, groups)
        instrument.rated_annual_hours = 100
        groups[1].category = "external"
        return res

    def test_two_external_groups_cannot_overdraw_the_share(self):
        self.race(
            self._values(0, 10, group=1), self._values(1, 10, group=1), "Share rule: external"
        )


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
