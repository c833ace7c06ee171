from psycopg2.errors import SerializationFailure

import odoo
from odoo import SUPERUSER_ID, api
from odoo.exceptions import ValidationError
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, dict(DISABLED_MAIL_CONTEXT, lang="en_US"))


@tagged("post_install", "-at_install")
class TestExternalCapacityConcurrency(BaseCase):
    """Two decisions accepting external orders at once against a capacity of one: the second
    transaction cannot count without the first one's order (it fails to serialize and is
    retried), and the retry is refused with the figures."""

    def setUp(self):
        super().setUp()
        self.registry = odoo.registry(get_db_name())
        with self.registry.cursor() as cr:
            env = _env(cr)
            admin = env.ref("base.user_admin")
            self.type_id = (
                env["facility.service.type"]
                .create({"name": "Race Prep", "flow": "prep", "external_capacity": 1})
                .id
            )
            groups = env["facility.research.group"].create(
                [
                    {"name": f"Race External {x}", "pi_id": admin.id, "category": "external"}
                    for x in "AB"
                ]
            )
            self.group_ids = groups.ids
            self.application_ids = (
                env["facility.application"]
                .create(
                    [
                        {
                            "kind": "service",
                            "title": f"Race {group.name}",
                            "applicant_id": admin.id,
                            "research_group_id": group.id,
                            "service_type_id": self.type_id,
                            "state": "approved",
                        }
                        for group in groups
                    ]
                )
                .ids
            )
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM facility_service_order WHERE service_type_id = %s", [self.type_id]
            )
            cr.execute(
                "DELETE FROM facility_application WHERE id IN %s", [tuple(self.application_ids)]
            )
            cr.execute(
                "DELETE FROM facility_research_group WHERE id IN %s", [tuple(self.group_ids)]
            )
            cr.execute("DELETE FROM facility_service_type WHERE id = %s", [self.type_id])

    def _decide(self, env, index):
        application = env["facility.application"].browse(self.application_ids[index])
        return env["facility.service.order"]._create_from_application(application)

    def test_two_decisions_at_once_keep_the_capacity(self):
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            # session B has taken its snapshot before A commits: A's order is invisible to it
            self.assertEqual(
                env_b["facility.service.order"].search_count(
                    [("service_type_id", "=", self.type_id)]
                ),
                0,
            )
            self._decide(env_a, 0)
            cr_a.commit()
            with mute_logger("odoo.sql_db"), self.assertRaises(SerializationFailure):
                self._decide(env_b, 1)
            cr_b.rollback()
        # the retry (Odoo retries a request that failed to serialize) sees A's order
        with self.registry.cursor() as cr_c:
            with self.assertRaisesRegex(ValidationError, "accepts at most 1 .* has 1"):
                self._decide(_env(cr_c), 1)
            cr_c.rollback()
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM facility_service_order WHERE service_type_id = %s",
                [self.type_id],
            )
            self.assertEqual(cr.fetchone()[0], 1)
