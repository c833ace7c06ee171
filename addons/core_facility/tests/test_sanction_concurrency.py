"""Two sessions climbing one group's ladder at once: each step still fires once."""

from psycopg2.errors import SerializationFailure

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from ..rules.codes import SanctionKind, ViolationTrack


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, dict(DISABLED_MAIL_CONTEXT, lang="en_US"))


@tagged("post_install", "-at_install")
class TestLadderConcurrency(BaseCase):
    """A group with two committed violations; two sessions each record a third one at once."""

    def setUp(self):
        super().setUp()
        self.registry = odoo.registry(get_db_name())
        with self.registry.cursor() as cr:
            env = _env(cr)
            admin = env.ref("base.user_admin")
            group = env["facility.research.group"].create(
                {"name": "Ladder Race Group", "pi_id": admin.id}
            )
            cls_ = env["facility.violation.class"].create(
                {
                    "name": "Race",
                    "code": "race",
                    "points": 1,
                    "track": ViolationTrack.NO_CONSEQUENCE,
                }
            )
            type_ = env["facility.violation.type"].create(
                {"name": "Race", "code": "race", "class_id": cls_.id}
            )
            self.ids = {"group": group.id, "class": cls_.id, "type": type_.id}
            self._violate(env, 2)
        self.addCleanup(self._cleanup)

    def _violate(self, env, count=1):
        return env["facility.violation"].create(
            [
                {
                    "type_id": self.ids["type"],
                    "class_id": self.ids["class"],
                    "points": 1,
                    "date": fields.Datetime.now(),
                    "year": fields.Datetime.now().year,
                    "research_group_id": self.ids["group"],
                }
                for _i in range(count)
            ]
        )

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = _env(cr)
            sanctions = env["facility.sanction"].search(
                [("research_group_id", "=", self.ids["group"])]
            )
            cr.execute(
                "DELETE FROM facility_sanction WHERE id IN %s", [tuple(sanctions.ids) or (0,)]
            )
            cr.execute(
                "DELETE FROM facility_sanction_ladder_counter WHERE key LIKE %s",
                [f"group:{self.ids['group']}:%"],
            )
            cr.execute(
                "DELETE FROM facility_violation WHERE research_group_id = %s", [self.ids["group"]]
            )
            env["facility.violation.type"].browse(self.ids["type"]).unlink()
            env["facility.violation.class"].browse(self.ids["class"]).unlink()
            env["facility.research.group"].browse(self.ids["group"]).unlink()

    def test_two_sessions_reach_the_third_violation(self):
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            # session B reads before A commits: its snapshot does not see A's violation
            self.assertEqual(
                env_b["facility.violation"].search_count(
                    [("research_group_id", "=", self.ids["group"])]
                ),
                2,
            )
            # recording the violation climbs the ladder (violation._ledger_changed)
            self._violate(env_a)
            created = env_a["facility.sanction"].search(
                [("research_group_id", "=", self.ids["group"])]
            )
            self.assertEqual(created.mapped("kind"), [SanctionKind.INTERVIEW])
            cr_a.commit()
            # B would fire the interview again: it fails to serialise (Odoo retries it)
            with mute_logger("odoo.sql_db"), self.assertRaises(SerializationFailure):
                self._violate(env_b)
            cr_b.rollback()
        # the retry sees the first interview
        with self.registry.cursor() as cr:
            env = _env(cr)
            self.assertFalse(env["facility.sanction"]._apply_ladder(self._violate(env)))
            self.assertEqual(
                env["facility.sanction"].search_count(
                    [("research_group_id", "=", self.ids["group"])]
                ),
                1,
            )
