from psycopg2.errors import SerializationFailure

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from .test_booking_concurrency import CommittedCase, _env


@tagged("post_install", "-at_install")
class TestPublicationMaliciousConcurrency(CommittedCase):
    """Two malicious cases of one group decided at once: the group is blacklisted all the same
    (each decision counts the group's cases under a lock on the group)."""

    def _prepare(self, env, instrument, groups):
        groups.write({"unit_id": self.ids["unit"]})
        publications = env["facility.publication"].create(
            [
                {
                    "name": f"Race paper {n}",
                    "kind": "paper",
                    "year": 2025,
                    "research_group_id": groups[0].id,
                    "user_ids": [Command.set(groups[0].pi_id.ids)],
                    "instrument_ids": [Command.set(instrument.ids)],
                    "acknowledgement_text": "We thank our colleagues for discussions.",
                }
                for n in (1, 2)
            ]
        )
        self.ids["publications"] = publications.ids

    def _cleanup(self):
        with self.registry.cursor() as cr:
            groups = tuple(self.ids["groups"])
            cr.execute("DELETE FROM facility_publication WHERE research_group_id IN %s", [groups])
            cr.execute("DELETE FROM facility_sanction WHERE research_group_id IN %s", [groups])
            cr.execute("DELETE FROM facility_violation WHERE research_group_id IN %s", [groups])
        return super()._cleanup()

    def _record(self, env, index):
        publication = env["facility.publication"].browse(self.ids["publications"][index])
        publication.record_missing_acknowledgement(True, 6, 12)

    def test_two_malicious_cases_at_once_blacklist_the_group(self):
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            cr_b.execute("SELECT 1")  # session B's snapshot: before A's decision
            self._record(env_a, 0)
            cr_a.commit()
            with mute_logger("odoo.sql_db"), self.assertRaises(SerializationFailure):
                self._record(env_b, 1)
            cr_b.rollback()
        # the retry sees A's malicious case: this is the second one
        with self.registry.cursor() as cr:
            env = _env(cr)
            self._record(env, 1)
            group = env["facility.research.group"].browse(self.ids["groups"][0])
            self.assertEqual(group.state, "blacklisted")
            self.assertTrue(group.unit_id.poor_integrity)
