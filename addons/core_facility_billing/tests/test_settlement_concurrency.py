"""Two sessions settling the same period at once: one set of entries."""

from datetime import date

from psycopg2.errors import SerializationFailure

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT
from odoo.addons.core_facility.models.access import permit

from .settlement_common import ensure_yuan

PERIOD = (date(2042, 7, 1), date(2042, 7, 31))


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, dict(DISABLED_MAIL_CONTEXT, lang="en_US"))


@tagged("post_install", "-at_install")
class TestSettlementConcurrency(BaseCase):
    """Committed: a group, a fund and three confirmed lines of July 2042."""

    def setUp(self):
        super().setUp()
        self.registry = odoo.registry(get_db_name())
        with self.registry.cursor() as cr:
            env = _env(cr)
            company = env.company
            ensure_yuan(env, company)
            company._facility_billing_accounts()
            admin = env.ref("base.user_admin")
            group = env["facility.research.group"].create(
                {"name": "Settlement Race Group", "pi_id": admin.id}
            )
            fund = env["account.analytic.account"].create(
                {
                    "name": "Race fund",
                    "facility_fund_code": "2042-RACE-1",
                    "facility_research_group_id": group.id,
                }
            )
            charges = permit(env["facility.charge"]).create(
                [
                    {
                        "name": f"Race {i}",
                        "date": date(2042, 7, 10 + i),
                        "research_group_id": group.id,
                        "fund_id": fund.id,
                        "payer_category": "internal",
                        "quantity": 1,
                        "unit_price": 100.01,
                        "amount": 100.01,
                        "state": "confirmed",
                        "origin_key": f"test:race:{i}",
                    }
                    for i in range(3)
                ]
            )
            self.ids = {
                "company": company.id,
                "group": group.id,
                "fund": fund.id,
                "charges": charges.ids,
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = _env(cr)
            settlements = env["facility.settlement"].search(
                [("date_from", "=", PERIOD[0]), ("date_to", "=", PERIOD[1])]
            )
            moves = settlements.move_ids
            env["facility.charge"].browse(self.ids["charges"]).unlink()
            moves.button_draft()
            moves.with_context(force_delete=True).unlink()
            settlements.unlink()
            env["account.analytic.account"].browse(self.ids["fund"]).unlink()
            env["facility.research.group"].browse(self.ids["group"]).unlink()

    def _settle(self, env):
        company = env["res.company"].browse(self.ids["company"])
        return env["facility.settlement"].settle_period(company, *PERIOD)

    def test_two_sessions_settle_the_same_period(self):
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            # session B reads before A commits: its snapshot does not see A's settlement
            pending = env_b["facility.charge"].search_count(
                [("id", "in", self.ids["charges"]), ("state", "=", "confirmed")]
            )
            self.assertEqual(pending, 3)
            settlement = self._settle(env_a)
            self.assertEqual(len(settlement.move_ids), 1)
            cr_a.commit()
            # B locks the same lines: it fails to serialise (Odoo retries the request)
            with mute_logger("odoo.sql_db"), self.assertRaises(SerializationFailure):
                self._settle(env_b)
            cr_b.rollback()
        # the retry finds nothing left to settle
        with self.registry.cursor() as cr:
            env = _env(cr)
            self.assertFalse(self._settle(env))
            settlements = env["facility.settlement"].search(
                [("date_from", "=", PERIOD[0]), ("date_to", "=", PERIOD[1])]
            )
            self.assertEqual(len(settlements), 1)
            self.assertEqual(len(settlements.move_ids), 1)
            self.assertEqual(settlements.move_ids.amount_total, 300.03)
            charges = env["facility.charge"].browse(self.ids["charges"])
            self.assertEqual(set(charges.mapped("state")), {"settled"})

    def test_two_sessions_open_the_same_run(self):
        """The run of a period is made once: a session that started before another committed
        it fails to serialise (retried), never with a unique violation; the retry finds it."""
        company_id = self.ids["company"]
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            env_b["facility.settlement"].search_count([])  # B's snapshot is taken
            run = env_a["facility.settlement"]._open_run(
                env_a["res.company"].browse(company_id), "period", *PERIOD
            )
            self.assertEqual(run._open_run(run.company_id, "period", *PERIOD), run)
            cr_a.commit()
            with mute_logger("odoo.sql_db"), self.assertRaises(SerializationFailure):
                env_b["facility.settlement"]._open_run(
                    env_b["res.company"].browse(company_id), "period", *PERIOD
                )
            cr_b.rollback()
        with self.registry.cursor() as cr:
            env = _env(cr)
            again = env["facility.settlement"]._open_run(
                env["res.company"].browse(company_id), "period", *PERIOD
            )
            self.assertEqual(again.id, run.id)
            self.assertEqual(again.state, "draft")
