"""Two sessions approving fee standards of the same instrument, payer category and unit at once:
the validity periods never overlap, and the loser is told (or retried, and supersedes)."""

from datetime import date

from psycopg2.errors import SerializationFailure

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import ValidationError
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, dict(DISABLED_MAIL_CONTEXT, lang="en_US"))


@tagged("post_install", "-at_install")
class TestFeeStandardConcurrency(BaseCase):
    """Real, separate transactions: an instrument and its submitted standards are committed
    before the test and removed afterwards; the test's own cursor commits nothing."""

    def setUp(self):
        super().setUp()
        self.registry = odoo.registry(get_db_name())
        with self.registry.cursor() as cr:
            env = _env(cr)
            unit = env["facility.unit"].create({"name": "Concurrency Fee Center"})
            instrument = env["facility.instrument"].create(
                {
                    "name": "Concurrency Spirit",
                    "unit_id": unit.id,
                    "manager_ids": [Command.set(env.ref("base.user_admin").ids)],
                }
            )
            standards = env["facility.fee.standard"].create(
                [
                    {"instrument_id": instrument.id, "unit_price": price}
                    for price in (100.0, 110.0, 120.0)
                ]
            )
            standards.action_submit()
            self.ids = {"unit": unit.id, "instrument": instrument.id, "standards": standards.ids}
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = _env(cr)
            ids = tuple(self.ids["standards"])
            cr.execute(
                "DELETE FROM mail_activity WHERE res_model = 'facility.fee.standard' "
                "AND res_id IN %s",
                [ids],
            )
            cr.execute(
                "DELETE FROM mail_message WHERE model = 'facility.fee.standard' AND res_id IN %s",
                [ids],
            )
            cr.execute(
                "DELETE FROM facility_fee_standard WHERE instrument_id = %s",
                [self.ids["instrument"]],
            )
            instrument = env["facility.instrument"].browse(self.ids["instrument"])
            equipment = instrument.equipment_id
            instrument.unlink()
            equipment.unlink()
            env["facility.unit"].browse(self.ids["unit"]).unlink()

    def _states(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT unit_price, state, date_from, date_to FROM facility_fee_standard "
                "WHERE instrument_id = %s ORDER BY unit_price",
                [self.ids["instrument"]],
            )
            return cr.fetchall()

    def test_two_first_approvals_at_once(self):
        """No standard in force yet: both sessions see none to supersede; the database refuses
        the second, with a clear message; approved again, it supersedes the first."""
        first_id, second_id, _third = self.ids["standards"]
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            second = env_b["facility.fee.standard"].browse(second_id)
            self.assertEqual(second.state, "submitted")  # B's snapshot: before A approves
            env_a["facility.fee.standard"].browse(first_id)._approve(date(2040, 1, 1))
            cr_a.commit()
            with (
                mute_logger("odoo.sql_db"),
                self.assertRaisesRegex(ValidationError, "overlaps another approved fee standard"),
            ):
                second._approve(date(2040, 7, 1))
            cr_b.rollback()
        self.assertEqual(
            self._states(),
            [
                (100.0, "approved", date(2040, 1, 1), None),
                (110.0, "submitted", None, None),
                (120.0, "submitted", None, None),
            ],
        )
        with self.registry.cursor() as cr:  # the retry sees the first, and supersedes it
            _env(cr)["facility.fee.standard"].browse(second_id)._approve(date(2040, 7, 1))
        self.assertEqual(
            self._states()[:2],
            [
                (100.0, "superseded", date(2040, 1, 1), date(2040, 6, 30)),
                (110.0, "approved", date(2040, 7, 1), None),
            ],
        )

    def test_two_sessions_supersede_the_same_standard(self):
        """A standard in force: both sessions supersede it at once; the second fails to
        serialise on its row (Odoo retries the request), and the retry supersedes the first
        session's standard instead."""
        in_force_id, first_id, second_id = self.ids["standards"]
        with self.registry.cursor() as cr:
            _env(cr)["facility.fee.standard"].browse(in_force_id)._approve(date(2040, 1, 1))
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            second = env_b["facility.fee.standard"].browse(second_id)
            self.assertEqual(second.state, "submitted")  # B's snapshot: before A approves
            env_a["facility.fee.standard"].browse(first_id)._approve(date(2041, 1, 1))
            cr_a.commit()
            with mute_logger("odoo.sql_db"), self.assertRaises(SerializationFailure):
                second._approve(date(2041, 7, 1))
            cr_b.rollback()
        with self.registry.cursor() as cr:
            _env(cr)["facility.fee.standard"].browse(second_id)._approve(date(2041, 7, 1))
        self.assertEqual(
            self._states(),
            [
                (100.0, "superseded", date(2040, 1, 1), date(2040, 12, 31)),
                (110.0, "superseded", date(2041, 1, 1), date(2041, 6, 30)),
                (120.0, "approved", date(2041, 7, 1), None),
            ],
        )
