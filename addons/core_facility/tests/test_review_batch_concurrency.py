from datetime import datetime

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

# Wednesday 5 March 2031, 10:00 in Shanghai: the batch of Friday 7 March
MOMENT = datetime(2031, 3, 5, 2, 0)


@tagged("post_install", "-at_install")
class TestReviewBatchConcurrency(BaseCase):
    """Two applications submitted at once in a new week: one batch for the meeting."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.addCleanup(self._cleanup)

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, dict(DISABLED_MAIL_CONTEXT))

    def _cleanup(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM facility_review_batch WHERE meeting_date = '2031-03-07'")

    def test_two_sessions_create_one_batch(self):
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = self._env(cr_a), self._env(cr_b)
            # session B has read before A commits: its snapshot cannot see A's batch
            self.assertFalse(
                env_b["facility.review.batch"].search([("meeting_date", "=", "2031-03-07")])
            )
            batch_a = env_a["facility.review.batch"]._for_submission(MOMENT, env_a.company)
            cr_a.commit()
            # B's insert meets A's committed row: a serialization failure, which Odoo retries
            with mute_logger("odoo.sql_db"), self.assertRaises(SerializationFailure):
                env_b["facility.review.batch"]._for_submission(MOMENT, env_b.company)
            cr_b.rollback()
        # the retry finds A's batch
        with self.registry.cursor() as cr:
            env = self._env(cr)
            batch = env["facility.review.batch"]._for_submission(MOMENT, env.company)
            self.assertEqual(batch.id, batch_a.id)
            cr.execute(
                "SELECT count(*) FROM facility_review_batch WHERE meeting_date = '2031-03-07'"
            )
            self.assertEqual(cr.fetchone()[0], 1)
