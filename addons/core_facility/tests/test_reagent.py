"""Special reagents: received and dispensed in quantities under a named supervisor; the stock on
hand never goes below zero, even for two dispenses at once; moves are corrected by reversal."""

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from .common import FacilityCase


@tagged("post_install", "-at_install")
class TestReagent(FacilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.osmium = cls.env["facility.reagent"].create(
            {
                "name": "osmium tetroxide 2%",
                "unit": "ml",
                "minimum_quantity": 0.5,
                "supervisor_ids": [Command.set(cls.pi_a.ids)],
            }
        )
        cls.receive(1.8)

    @classmethod
    def receive(cls, quantity, reagent=None):
        return (
            cls.env["facility.reagent.move"]
            .with_user(cls.manager_spirit)
            .create(
                {
                    "reagent_id": (reagent or cls.osmium).id,
                    "kind": "receipt",
                    "quantity": quantity,
                    "user_id": cls.manager_spirit.id,
                }
            )
        )

    def dispense(self, quantity, user=None, supervisor=None, staff=None):
        return (
            self.env["facility.reagent.move"]
            .with_user(staff or self.manager_spirit)
            .create(
                {
                    "reagent_id": self.osmium.id,
                    "kind": "dispense",
                    "quantity": quantity,
                    "user_id": (user or self.student_a1).id,
                    "research_group_id": self.group_a.id,
                    "supervisor_id": (supervisor or self.pi_a).id,
                    "purpose": "Post-fixation",
                }
            )
        )

    def test_stock_is_received_minus_dispensed(self):
        self.assertEqual(self.osmium.stock_quantity, 1.8)
        self.dispense(1.0)
        self.assertAlmostEqual(self.osmium.stock_quantity, 0.8)
        self.assertFalse(self.osmium.below_minimum)
        self.dispense(0.4)
        self.assertAlmostEqual(self.osmium.stock_quantity, 0.4)
        self.assertTrue(self.osmium.below_minimum)

    def test_dispensing_more_than_the_stock_is_refused_with_figures(self):
        self.dispense(1.0)
        with self.assertRaisesRegex(
            UserError, r"0\.8 mL of osmium tetroxide 2% left, 1\.2 mL asked"
        ):
            self.dispense(1.2)
        self.dispense(0.8)  # the last drop may be used
        self.assertEqual(self.osmium.stock_quantity, 0)

    def test_moves_in_one_call_add_up(self):
        with self.assertRaisesRegex(UserError, r"0\.8 mL .* left, 1 mL asked"):
            self.env["facility.reagent.move"].with_user(self.manager_spirit).create(
                [
                    {
                        "reagent_id": self.osmium.id,
                        "quantity": quantity,
                        "user_id": self.student_a1.id,
                        "supervisor_id": self.pi_a.id,
                    }
                    for quantity in (1.0, 1.0)
                ]
            )

    def test_a_dispense_has_a_named_supervisor(self):
        with self.assertRaisesRegex(ValidationError, "needs a named supervisor"):
            self.env["facility.reagent.move"].with_user(self.manager_spirit).create(
                {"reagent_id": self.osmium.id, "quantity": 0.1, "user_id": self.student_a1.id}
            )
        with self.assertRaisesRegex(
            ValidationError, r"t_pi_b .* may not supervise dispenses of osmium tetroxide 2%"
        ):
            self.dispense(0.1, supervisor=self.pi_b)
        # the reagent's supervisors and the facility's staff may
        self.dispense(0.1, supervisor=self.pi_a)
        self.dispense(0.1, supervisor=self.technician)
        self.assertEqual(len(self.osmium.move_ids), 3)

    def test_quantity_above_zero(self):
        for quantity in (0, -1):
            with self.assertRaisesRegex(ValidationError, "quantity above 0"):
                self.dispense(quantity)

    def test_only_staff_record_moves(self):
        for user in (self.student_a1, self.pi_a, self.finance):
            with self.assertRaises(AccessError):
                self.dispense(0.1, staff=user)

    def test_moves_never_change(self):
        move = self.dispense(0.5)
        for user in (self.manager_spirit, self.director):
            with self.assertRaisesRegex(UserError, "change only through its actions"):
                move.with_user(user).write({"quantity": 0.1})
        with self.assertRaisesRegex(UserError, "correct one by reversing it"):
            move.sudo().unlink()

    def test_reverse_a_wrong_dispense(self):
        wrong = self.dispense(1.2)
        self.assertAlmostEqual(self.osmium.stock_quantity, 0.6)
        with self.assertRaisesRegex(UserError, "Only the facility's staff"):
            wrong.with_user(self.student_a1).action_reverse()
        action = wrong.with_user(self.technician).action_reverse()
        reversal = self.env["facility.reagent.move"].browse(action["res_id"])
        self.assertRecordValues(
            reversal,
            [
                {
                    "kind": "receipt",
                    "quantity": 1.2,
                    "user_id": self.student_a1.id,
                    "supervisor_id": self.technician.id,
                    "reversed_move_id": wrong.id,
                }
            ],
        )
        self.assertAlmostEqual(self.osmium.stock_quantity, 1.8)
        for move in (wrong, reversal):
            with self.assertRaisesRegex(UserError, "cannot be reversed again"):
                move.with_user(self.technician).action_reverse()

    def test_reversing_a_receipt_already_used_is_refused(self):
        extra = self.receive(1.0)
        self.dispense(2.5)
        with self.assertRaisesRegex(
            UserError, r"take 1 mL of osmium tetroxide 2% out of stock, but only 0\.3 mL"
        ):
            extra.with_user(self.manager_spirit).action_reverse()


@tagged("post_install", "-at_install")
class TestReagentConcurrency(BaseCase):
    """Two dispenses of the last millilitre at once: the reagent's row lock lets one through."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = self._env(cr)
            admin = env.ref("base.user_admin")
            reagent = env["facility.reagent"].create({"name": "Concurrency osmium"})
            env["facility.reagent.move"].create(
                {"reagent_id": reagent.id, "kind": "receipt", "quantity": 1.0, "user_id": admin.id}
            )
            self.reagent_id, self.admin_id = reagent.id, admin.id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM facility_reagent_move WHERE reagent_id = %s", [self.reagent_id])
            cr.execute("DELETE FROM facility_reagent WHERE id = %s", [self.reagent_id])

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, dict(DISABLED_MAIL_CONTEXT, lang="en_US"))

    def _dispense(self, env, quantity):
        return env["facility.reagent.move"].create(
            {
                "reagent_id": self.reagent_id,
                "quantity": quantity,
                "user_id": self.admin_id,
                "supervisor_id": self.admin_id,
            }
        )

    def test_two_sessions_dispense_the_last_millilitre(self):
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = self._env(cr_a), self._env(cr_b)
            # both sessions see 1 mL on hand before either dispenses
            self.assertEqual(env_b["facility.reagent"].browse(self.reagent_id).stock_quantity, 1)
            self.assertEqual(env_a["facility.reagent"].browse(self.reagent_id).stock_quantity, 1)
            self._dispense(env_a, 0.8)
            cr_a.commit()
            # B locks the row A changed: its transaction fails to serialise and is retried...
            with mute_logger("odoo.sql_db"), self.assertRaises(SerializationFailure) as caught:
                self._dispense(env_b, 0.8)
            # at the lock, before B wrote anything
            self.assertIn(b"FOR UPDATE", caught.exception.cursor.query)
            cr_b.rollback()
        with self.registry.cursor() as cr:
            # ... and the retry sees A's dispense: refused with the figures
            with self.assertRaisesRegex(UserError, r"0\.2 mL of Concurrency osmium left, 0\.8"):
                self._dispense(self._env(cr), 0.8)
            cr.rollback()
            cr.execute(
                "SELECT stock_quantity, (SELECT count(*) FROM facility_reagent_move "
                "WHERE reagent_id = r.id) FROM facility_reagent r WHERE id = %s",
                [self.reagent_id],
            )
            self.assertEqual(cr.fetchone(), (0.2, 2))
