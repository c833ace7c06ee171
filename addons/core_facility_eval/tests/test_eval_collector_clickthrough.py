"""The records behind a figure, as each role that checks the forms reads them: the equipment
office every instrument's (reviewers keep core_facility's own reading of them), a unit head
those of the instruments evaluated in his unit (read only), another unit's head none."""

from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.core_facility.models.access import permit

from .common import YEAR
from .test_eval_collector import CollectorCase, utc


@tagged("post_install", "-at_install")
class TestEvalCollectorClickThrough(CollectorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.booking_done = cls.done(utc(YEAR, 3, 2, 9), operator=cls.student_a1)
        cls.charge = (
            env["facility.charge"]
            .sudo()
            .create(
                {
                    "name": "Evaluation test",
                    "date": date(YEAR, 3, 2),
                    "instrument_id": cls.spirit.id,
                    "research_group_id": cls.group_a.id,
                    "user_id": cls.student_a1.id,
                    "payer_category": "internal",
                    "quantity": 1,
                    "unit_price": 70_000,
                    "amount": 70_000,
                }
            )
        )
        cls.charge.action_confirm()
        cls.fee_standard = permit(env["facility.fee.standard"].sudo()).create(
            {
                "name": "Spirit internal",
                "instrument_id": cls.spirit.id,
                "payer_category": "internal",
                "fee_unit": "hour",
                "unit_price": 100.0,
                "date_from": date(YEAR, 1, 1),
                "state": "approved",
            }
        )
        cls.training = env["facility.training"].create(
            {
                "instrument_id": cls.spirit.id,
                "level_id": cls.primary.id,
                "trainer_id": cls.manager_spirit.id,
                "trainee_ids": [Command.set(cls.student_a1.ids)],
                "date_start": utc(YEAR, 4, 1, 9),
                "hours": 3,
            }
        )
        cls.training.action_done()
        cls.outcome = (
            env["facility.publication"]
            .sudo()
            .create(
                {
                    "name": "A project",
                    "kind": "project",
                    "year": YEAR,
                    "research_group_id": cls.group_a.id,
                    "instrument_ids": [Command.set(cls.spirit.ids)],
                }
            )
        )
        cls.outcome._write_guarded({"state": "accepted"})
        cls.sheet = env["facility.eval.sheet"].create(
            {
                "campaign_id": cls.campaign.id,
                "instrument_id": cls.spirit.id,
                "unit_id": cls.research_unit.id,
            }
        )
        cls.other_head = new_test_user(
            env, login="t_other_head", groups="core_facility_eval.group_eval_unit_head"
        )
        env["facility.unit"].create(
            {"name": "School B", "unit_type": "department", "manager_id": cls.other_head.id}
        )
        cls.behind = {
            "fees": cls.charge,
            "fees_internal": cls.charge,
            "fee_standard": cls.fee_standard,
            "training_hours": cls.training,
            "projects": cls.outcome,
            "hours": cls.booking_done,
        }

    def clicked(self, user, figure, opener=None):
        opener = opener or user  # who opens the list (the form's reader)
        sheet = self.sheet.with_user(opener)
        action = self.Collector.with_user(opener).figure_action(sheet, figure)
        return self.env[action["res_model"]].with_user(user).search(action["domain"])

    def test_each_role_reads_the_records_behind_the_figures(self):
        for user in (self.school_assessor, self.unit_head, self.director):
            for figure, record in self.behind.items():
                with self.subTest(user=user.login, figure=figure):
                    self.assertEqual(self.clicked(user, figure), record.with_user(user))

    def test_another_units_head_reads_none_of_them(self):
        for figure in ("fees", "training_hours", "projects"):
            with self.subTest(figure=figure):
                self.assertFalse(self.clicked(self.other_head, figure, opener=self.director))

    def test_read_only(self):
        for user in (self.school_assessor, self.unit_head):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.training.with_user(user).write({"hours": 9})
                for record in (self.charge, self.outcome):
                    with self.assertRaises(AccessError):
                        record.with_user(user).check_access("write")
