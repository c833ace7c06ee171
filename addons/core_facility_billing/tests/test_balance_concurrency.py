"""Two sessions spending a prepaid group's last balance at once: only one passes."""

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from ..rules.codes import BillingMode, ChargeState


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, dict(DISABLED_MAIL_CONTEXT, lang="en_US"))


@tagged("post_install", "-at_install")
class TestBalanceConcurrency(BaseCase):
    """A prepaid group with 300 元 deposited (committed); two sessions each check a 300 元 use
    and record its line."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = _env(cr)
            admin = env.ref("base.user_admin")
            partner = env["res.partner"].create({"name": "Race University", "is_company": True})
            group = env["facility.research.group"].create(
                {
                    "name": "Race Group",
                    "pi_id": admin.id,
                    "category": "external",
                    "partner_id": partner.id,
                    "billing_mode": BillingMode.PREPAID,
                }
            )
            journal = env["account.journal"].search(
                [("type", "=", "bank"), ("company_id", "=", env.company.id)], limit=1
            )
            payment = env["account.payment"].create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": partner.id,
                    "amount": 300,
                    "journal_id": journal.id,
                }
            )
            payment.action_post()
            self.ids = {"group": group.id, "partner": partner.id, "payment": payment.id}
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = _env(cr)
            cr.execute(
                "DELETE FROM facility_charge WHERE research_group_id = %s", [self.ids["group"]]
            )
            payment = env["account.payment"].browse(self.ids["payment"])
            payment.action_draft()
            payment.unlink()
            env["facility.research.group"].browse(self.ids["group"]).unlink()
            env["res.partner"].browse(self.ids["partner"]).unlink()

    def _use(self, env):
        """Check a 300 元 use, then record it (as a booking's line would be)."""
        group = env["facility.research.group"].browse(self.ids["group"])
        problem = group._facility_prepaid_problem(300)
        if not problem:
            env["facility.charge"].create(
                {
                    "name": "Race",
                    "research_group_id": group.id,
                    "payer_category": "external",
                    "quantity": 2,
                    "unit_price": 150,
                    "amount": 300,
                    "state": ChargeState.CONFIRMED,
                }
            )
            env.flush_all()
        return problem

    def test_two_sessions_on_the_last_balance(self):
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            # session B reads before A commits: its snapshot does not see A's line
            group_b = env_b["facility.research.group"].browse(self.ids["group"])
            self.assertEqual(group_b.available_balance, 300)
            self.assertFalse(self._use(env_a))
            cr_a.commit()
            # B would pass on the same 300 元: it fails to serialise (Odoo retries it)
            with mute_logger("odoo.sql_db"), self.assertRaises(SerializationFailure):
                self._use(env_b)
            cr_b.rollback()
        # the retry sees A's line and is refused, with the figures
        with self.registry.cursor() as cr:
            problem = self._use(_env(cr))
            self.assertIn("the available balance of Race Group is 0.00 元", problem)
            self.assertEqual(
                _env(cr)["facility.charge"].search_count(
                    [("research_group_id", "=", self.ids["group"])]
                ),
                1,
            )
