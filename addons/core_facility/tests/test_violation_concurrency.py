from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import SQL

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

KEY = "iot:concurrency-test:1"


@tagged("post_install", "-at_install")
class TestViolationConcurrency(BaseCase):
    """Two sessions record the same violation at once (an IoT box retrying, a job running
    twice): one violation is on record, the other session goes on."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, DISABLED_MAIL_CONTEXT)
            admin = env.ref("base.user_admin")
            group = env["facility.research.group"].create(
                {"name": "Concurrency Ledger Group", "pi_id": admin.id}
            )
            self.ids = {"group": group.id, "user": admin.id}
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            # violations are never deleted by the application: the test removes its own rows
            for table in ("facility_sanction", "facility_violation"):
                cr.execute(
                    SQL(
                        "DELETE FROM %s WHERE research_group_id = %s",
                        SQL.identifier(table),
                        self.ids["group"],
                    )
                )
            cr.execute(
                "DELETE FROM facility_sanction_ladder_counter WHERE key LIKE %s",
                [f"group:{self.ids['group']}:%"],
            )
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["facility.research.group"].browse(self.ids["group"]).unlink()

    def _record(self, env):
        group = env["facility.research.group"].browse(self.ids["group"])
        user = env["res.users"].browse(self.ids["user"])
        return env["facility.violation"].record_violation(group, user, "no_booking", source_key=KEY)

    def test_two_sessions_record_the_same_key(self):
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = api.Environment(cr_a, SUPERUSER_ID, dict(DISABLED_MAIL_CONTEXT))
            env_b = api.Environment(cr_b, SUPERUSER_ID, dict(DISABLED_MAIL_CONTEXT))
            # both sessions look before either commits: neither sees a violation
            self.assertFalse(env_b["facility.violation"].search([("source_key", "=", KEY)]))
            first = self._record(env_a)
            self.assertTrue(first)
            cr_a.commit()
            # session B inserts a moment later: the unique key stops it, inside a savepoint; the
            # violation committed after B's snapshot is invisible to B, which records nothing
            second = self._record(env_b)
            self.assertFalse(second)
            # B's transaction is still usable and commits its other work
            env_b["facility.research.group"].browse(self.ids["group"]).note = "<p>still here</p>"
            cr_b.commit()
        with self.registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM facility_violation WHERE source_key = %s", [KEY])
            self.assertEqual(cr.fetchone()[0], 1)
            env = api.Environment(cr, SUPERUSER_ID, {})
            # a later call (a new transaction) returns the one on record
            self.assertEqual(self._record(env).id, first.id)
            cr.rollback()
