from psycopg2 import IntegrityError
from psycopg2.errors import SerializationFailure

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import FacilityCase
from .test_booking_concurrency import CommittedCase, _env


@tagged("post_install", "-at_install")
class TestAllocationPools(FacilityCase):
    """The committee's grants within Titan's annual pools (附件2 §4): external groups at most 15 %
    of the rated hours, 30 % reserved for CAS pilot projects."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls.env.ref("core_facility.policy_titan")
        cls.titan.write({"booking_policy_id": cls.policy.id, "rated_annual_hours": 4000})
        cls.Allocation = cls.env["facility.booking.allocation"]
        cls.group_pilot = cls.env["facility.research.group"].create(
            {"name": "Pilot Group", "pi_id": cls.pi_a.id}
        )

    def grant(self, group, month, hours, pilot=False):
        return self.Allocation._grant_hours(
            self.titan, group, month, hours, "Application", pilot=pilot
        )

    def test_external_grant_beyond_15_percent_is_refused_with_the_figures(self):
        """Acceptance: granting Titan time to an external group beyond 15 % of the year's hours
        is refused with the figures."""
        self.grant(self.group_b, "2026-02-01", 300)
        self.grant(self.group_b, "2026-06-01", 260)
        with self.assertRaisesRegex(
            ValidationError,
            r"^Test Titan: external groups may be granted at most 15 % of the 2026 rated hours "
            r"\(4,000 h\): 600 h; 560 h are granted already, 40 h remain; 60 h asked\.$",
        ):
            self.grant(self.group_b, "2026-09-01", 60)
        allocation = self.grant(self.group_b, "2026-09-01", 40)
        self.assertEqual(allocation.hours, 40)

    def test_second_round_hours_of_external_groups_count(self):
        self.Allocation.create(
            {
                "instrument_id": self.titan.id,
                "research_group_id": self.group_a.id,
                "month": "2026-03-01",
                "hours": 100,
            }
        ).write({"forfeited_hours": 100, "forfeit_date": "2026-03-02 00:00:00"})
        self.Allocation.create(
            {
                "instrument_id": self.titan.id,
                "research_group_id": self.group_b.id,
                "month": "2026-03-01",
                "second_round_hours": 100,
            }
        )
        self.grant(self.group_b, "2026-04-01", 500)
        with self.assertRaisesRegex(ValidationError, "600 h are granted already, 0 h remain"):
            self.grant(self.group_b, "2026-05-01", 1)

    def test_pools_are_per_calendar_year(self):
        self.grant(self.group_b, "2026-12-01", 600)
        self.assertEqual(self.grant(self.group_b, "2027-01-01", 600).hours, 600)

    def test_others_cannot_take_the_reserved_share(self):
        self.grant(self.group_a, "2026-01-01", 2800)
        with self.assertRaisesRegex(
            ValidationError,
            r"grants other than to CAS pilot projects may take at most 70 % of the 2026 rated "
            r"hours \(4,000 h\): 2,800 h; 2,800 h are granted already, 0 h remain; 8 h asked",
        ):
            self.grant(self.group_a, "2026-02-01", 8)
        # the reserved share stays for pilot projects, recorded on the allocation
        allocation = self.grant(self.group_pilot, "2026-02-01", 1200, pilot=True)
        self.assertEqual((allocation.hours, allocation.pilot_hours), (1200, 1200))
        with self.assertRaisesRegex(ValidationError, r"CAS pilot projects may be granted"):
            self.grant(self.group_pilot, "2026-03-01", 1, pilot=True)

    def test_pilot_projects_may_use_the_general_pool(self):
        """The documented default: the reserved share is what others cannot take; pilot
        projects may also be granted what the general pool has left."""
        self.grant(self.group_a, "2026-01-01", 2000)
        self.grant(self.group_pilot, "2026-01-01", 1500, pilot=True)  # 300 h from the general
        with self.assertRaisesRegex(ValidationError, "2,300 h are granted already, 500 h remain"):
            self.grant(self.group_a, "2026-02-01", 501)
        self.grant(self.group_a, "2026-02-01", 500)
        with self.assertRaisesRegex(ValidationError, "1,500 h are granted to them already"):
            self.grant(self.group_pilot, "2026-02-01", 1, pilot=True)

    def test_pilot_hours_add_up_on_one_allocation(self):
        self.grant(self.group_a, "2026-05-01", 40)
        allocation = self.grant(self.group_a, "2026-05-01", 24, pilot=True)
        self.assertEqual((allocation.hours, allocation.pilot_hours), (64, 24))
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            allocation.write({"pilot_hours": 65})
            allocation.flush_recordset()

    def test_no_rated_hours_no_pools(self):
        self.titan.rated_annual_hours = 0
        self.assertEqual(self.grant(self.group_b, "2026-01-01", 5000).hours, 5000)
        self.assertFalse(self.titan.allocation_pool_summary)

    def test_instrument_shows_this_years_pools(self):
        self.titan.invalidate_recordset(["allocation_pool_summary"])
        year = self.titan._local_today().year
        self.grant(self.group_b, f"{year}-01-01", 150)
        self.grant(self.group_pilot, f"{year}-01-01", 100, pilot=True)
        status = {f.pool: f for f in self.titan._allocation_pool_status(year)}
        self.assertEqual((status["external"].granted, status["external"].remaining), (150, 450))
        self.assertEqual((status["general"].granted, status["general"].remaining), (150, 2650))
        self.assertEqual(status["reserved"].granted, 100)
        summary = str(self.titan.with_user(self.manager_t20).allocation_pool_summary)
        for text in ("External groups", "450 h", "2,650 h", "Reserved: CAS pilot projects"):
            self.assertIn(text, summary)


@tagged("post_install", "-at_install")
class TestAllocationPoolConcurrency(CommittedCase):
    """Two decisions at once on the same instrument and year cannot together exceed a pool."""

    policy_values = {"allocation_required": True, "external_share": 15}

    def _prepare(self, env, instrument, groups):
        instrument.rated_annual_hours = 1000  # 150 h for external groups
        groups[1:].write({"category": "external"})

    def _grant(self, env, group_id, hours, month="2031-03-01"):
        Allocation = env["facility.booking.allocation"]
        return Allocation._grant_hours(
            env["facility.instrument"].browse(self.ids["instrument"]),
            env["facility.research.group"].browse(group_id),
            month,
            hours,
            "Race",
        )

    def test_two_decisions_cannot_overdraw_the_external_pool(self):
        _internal, external_b, external_c = self.ids["groups"]
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            cr_b.execute("SELECT 1")  # session B's snapshot: before A's grant
            self._grant(env_a, external_b, 100)
            cr_a.commit()
            # B saw 150 h left; its 100 h would overdraw the pool: B must not succeed
            with mute_logger("odoo.sql_db"), self.assertRaises(SerializationFailure):
                self._grant(env_b, external_c, 100, month="2031-07-01")
            cr_b.rollback()
        # Odoo retries the request; the retry sees A's grant and is refused with the figures
        with self.registry.cursor() as cr:
            env = _env(cr)
            with (
                self.assertRaisesRegex(ValidationError, "100 h are granted already, 50 h remain"),
                cr.savepoint(),
            ):
                self._grant(env, external_c, 100, month="2031-07-01")
            cr.execute(
                "SELECT COALESCE(SUM(hours), 0) FROM facility_booking_allocation "
                "WHERE instrument_id = %s",
                [self.ids["instrument"]],
            )
            self.assertEqual(cr.fetchone()[0], 100)

    def test_other_years_do_not_wait(self):
        _internal, external_b, external_c = self.ids["groups"]
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            cr_b.execute("SELECT 1")
            self._grant(env_a, external_b, 100)
            cr_a.commit()
            self._grant(env_b, external_c, 100, month="2032-03-01")
            cr_b.commit()
