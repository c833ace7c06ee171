"""Award candidates from a campaign's results (seed 002 第五条): 先进单位, 优秀机组, 先进个人, and
the units facing reduced funding; counts from system parameters or arguments."""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import EvalCase


@tagged("post_install", "-at_install")
class TestEvalAward(EvalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Unit = env["facility.unit"]
        cls.other_unit = Unit.create(
            {
                "name": "Chemistry Department",
                "unit_type": "department",
                "parent_id": cls.institution.id,
                "manager_id": cls.pi_b.id,
            }
        )
        cls.nmr = env["facility.instrument"].create(
            {
                "name": "Test NMR",
                "unit_id": cls.other_unit.id,
                "manager_ids": [Command.set(cls.manager_t20.ids)],
                "original_value": 6_800_000,
            }
        )
        cls.campaign = cls.new_campaign()
        Sheet = env["facility.eval.sheet"]

        def sheet(instrument, unit, total, hours, failed=False):
            # a draft form: its current total is the computed one, ``failed`` its table's rule
            return Sheet.create(
                {
                    "campaign_id": cls.campaign.id,
                    "instrument_id": instrument.id,
                    "unit_id": unit.id,
                    "total_computed": total,
                    "total": total,
                    "failed": failed,
                    "hours": hours,
                }
            )

        cls.sheet_spirit = sheet(cls.spirit, cls.research_unit, 92.0, 1600.0)
        cls.sheet_t20 = sheet(cls.t20, cls.research_unit, 98.0, 799.0, True)  # under 800 h
        cls.sheet_titan = sheet(cls.titan, cls.research_unit, 75.0, 1200.0)
        cls.sheet_nmr = sheet(cls.nmr, cls.other_unit, 95.0, 900.0)
        UnitForm = env["facility.eval.unit"]
        cls.form_research = UnitForm.create(
            {
                "campaign_id": cls.campaign.id,
                "unit_id": cls.research_unit.id,
                "total_computed": 85,
                "total": 85,
            }
        )
        cls.form_other = UnitForm.create(
            {
                "campaign_id": cls.campaign.id,
                "unit_id": cls.other_unit.id,
                "total_computed": 69.5,
                "total": 69.5,
                "failed": True,
            }
        )
        cls.Award = env["facility.eval.award"].with_user(cls.director)

    def candidates(self, kind):
        awards = self.Award.search([("campaign_id", "=", self.campaign.id), ("kind", "=", kind)])
        return awards.sorted(lambda a: (a.rank, a.id))

    def test_candidates_from_the_results(self):
        self.Award.propose(self.campaign, instrument_count=2)
        units = self.candidates("unit")
        self.assertEqual(units.unit_id, self.research_unit)
        self.assertIn("85.0", units.basis)
        reduced = self.candidates("reduced_funding")
        self.assertEqual(reduced.unit_id, self.other_unit)
        self.assertIn("70", reduced.basis)
        instruments = self.candidates("instrument")
        self.assertEqual(instruments.instrument_id.ids, [self.nmr.id, self.spirit.id])
        self.assertEqual(instruments.mapped("rank"), [1, 2])
        self.assertEqual(instruments.mapped("hours"), [900.0, 1600.0])
        people = self.candidates("person")
        self.assertEqual(people.user_id.ids, [self.manager_t20.id, self.manager_spirit.id])
        self.assertEqual(people[0].instrument_id, self.nmr)

    def test_a_failing_unit_is_never_an_advanced_unit(self):
        self.Award.propose(self.campaign, unit_count=5)
        self.assertNotIn(self.other_unit, self.candidates("unit").unit_id)
        self.assertEqual(self.candidates("reduced_funding").unit_id, self.other_unit)

    def test_the_schools_column_counts_once_signed(self):
        self.sheet_spirit._write_guarded(
            {"total_school": 50.0, "total": 50.0, "failed": True, "state": "school_signed"}
        )
        self.Award.propose(self.campaign)
        self.assertNotIn(self.spirit, self.candidates("instrument").instrument_id)

    def test_proposing_again_replaces_the_proposals(self):
        first = self.Award.propose(self.campaign)
        second = self.Award.propose(self.campaign)
        self.assertFalse(first.exists())
        self.assertEqual(len(second), len(first))

    def test_counts_from_the_system_parameters(self):
        parameters = self.env["ir.config_parameter"].sudo()
        parameters.set_param("core_facility_eval.award_instrument_count", "1")
        self.Award.propose(self.campaign)
        self.assertEqual(self.candidates("instrument").instrument_id, self.nmr)
        parameters.set_param("core_facility_eval.award_instrument_count", "many")
        with self.assertRaisesRegex(UserError, "award_instrument_count"):
            self.Award.propose(self.campaign)

    def test_the_campaigns_action_opens_the_candidates(self):
        action = self.Award.action_propose(self.campaign)
        self.assertEqual(action["res_model"], "facility.eval.award")
        self.assertEqual(action["domain"], [("campaign_id", "in", self.campaign.ids)])

    def test_only_the_director_proposes(self):
        for user in (self.school_assessor, self.eval_reviewer, self.unit_head):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["facility.eval.award"].with_user(user).propose(self.campaign)
        self.Award.propose(self.campaign)
        seen = self.env["facility.eval.award"].with_user(self.school_assessor).search([])
        self.assertTrue(seen)

    def test_the_forms_own_total_and_fail_rule_decide(self):
        # a benefit-like table: 10.4 points and 400 h pass it (no 60-point or 800-hour rule)
        self.sheet_nmr._write_guarded({"total": 10.4, "hours": 400.0, "failed": False})
        # a unit table whose threshold is 65: 67 passes on its form
        self.form_other._write_guarded({"total": 67.0, "failed": False})
        self.Award.propose(self.campaign, unit_count=5, instrument_count=5)
        self.assertIn(self.nmr, self.candidates("instrument").instrument_id)
        self.assertIn(self.other_unit, self.candidates("unit").unit_id)
        self.assertFalse(self.candidates("reduced_funding"))
