from psycopg2.errors import SerializationFailure

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .test_booking_concurrency import CommittedCase, _env

YEAR = 2041


@tagged("post_install", "-at_install")
class TestCollaborationPlacesConcurrency(CommittedCase):
    """Two approvals at once cannot both take the year's last collaboration place."""

    def _prepare(self, env, instrument, groups):
        self.ids["year"] = env["facility.collaboration.year"].create({"year": YEAR, "places": 1}).id

    def _cleanup(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM facility_collaboration WHERE research_group_id IN %s",
                [tuple(self.ids["groups"])],
            )
            cr.execute("DELETE FROM facility_collaboration_year WHERE id = %s", [self.ids["year"]])
        return super()._cleanup()

    def _create(self, env, group_id):
        return env["facility.collaboration"].create(
            {"name": "Race", "research_group_id": group_id, "year": YEAR}
        )

    def test_two_approvals_take_the_last_place(self):
        group_a, group_b, _group_c = self.ids["groups"]
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            cr_b.execute("SELECT 1")  # session B's snapshot: before A's approval
            self._create(env_a, group_a)
            cr_a.commit()
            with mute_logger("odoo.sql_db"), self.assertRaises(SerializationFailure):
                self._create(env_b, group_b)
            cr_b.rollback()
        # the retry sees A's collaboration and is refused with the figures
        with self.registry.cursor() as cr:
            with (
                self.assertRaisesRegex(
                    ValidationError, f"the 1 collaboration places of {YEAR} are taken"
                ),
                cr.savepoint(),
            ):
                self._create(_env(cr), group_b)
            cr.execute("SELECT count(*) FROM facility_collaboration WHERE year = %s", [YEAR])
            self.assertEqual(cr.fetchone()[0], 1)
