"""Instrument forms scored by the shipped tables (part A's data): the per-instrument table of
附件3 at its hour edges and fail rules, and the benefit evaluation of seed 001 with its worked
300 MHz NMR row, its one column and the written explanation under 150 effective hours."""

from datetime import date

from odoo import Command
from odoo.tests import tagged

from .test_eval_campaign_common import CampaignCase


@tagged("post_install", "-at_install")
class TestEvalSheetTables(CampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.nmr300 = cls.env["facility.instrument"].create(
            {
                "name": "300M NMR",
                "unit_id": cls.chem_lab.id,
                "manager_ids": [Command.set(cls.manager_t20.ids)],
                "original_value": 2_500_000,
                "account_date": date(2012, 1, 1),
                "rated_annual_hours": 1400,
                "purpose": "general",
            }
        )

    def test_annex3_hour_edges_and_fail_rules(self):
        self.figures = {
            self.spirit.id: {"hours": 1600.0},
            self.t20.id: {"hours": 800.0},
            self.titan.id: {"hours": 1599.5},
            self.nmr.id: {"hours": 799.0},
        }
        campaign = self.new_campaign(scheme=self.table_instrument)
        campaign.with_user(self.director).action_compute()
        points = {
            instrument: self.line(self.sheet(campaign, instrument), "hours").points_computed
            for instrument in self.in_scope
        }
        self.assertEqual(points[self.spirit], 30)
        self.assertEqual(points[self.titan], 28)
        self.assertEqual(points[self.t20], 22)
        self.assertEqual(points[self.nmr], 8)
        t20, nmr = self.sheet(campaign, self.t20), self.sheet(campaign, self.nmr)
        self.assertNotIn("hours", t20.fail_reason or "")
        self.assertIn("under 800 hours", nmr.fail_reason)
        self.assertTrue(nmr.failed)
        self.assertEqual(len(self.sheet(campaign, self.spirit).line_ids), 10)
        self.assertEqual(campaign._unit_forms().unit_id, self.research_unit | self.chem_unit)
        research = self.unit_form(campaign, self.research_unit)
        self.assertEqual(len(research.line_ids), 15, "附件2 has 15 criteria")

    def test_benefit_nmr_row_of_seed_001(self):
        self.in_scope = self.nmr300
        self.figures = {
            self.nmr300.id: {
                "hours": 3800.0,
                "hours_logged": 3800.0,
                "projects": 20,
                "key_projects": 4,
                "departments": 10,
                "researchers": 50,
                "fees_external": 70_000.0,
                "sci_papers": 30,
                "training_count": 2,
            }
        }
        campaign = self.new_campaign(scheme=self.table_benefit)
        campaign.with_user(self.director).action_start_self_assessment()
        nmr = self.sheet(campaign, self.nmr300)
        lines = {line.criterion_id.code: line for line in nmr.line_ids}
        self.assertEqual(lines["machine_hours"].figure_value, 3800)
        self.assertEqual(lines["machine_hours"].points_computed, 100)
        self.assertEqual(lines["machine_hours"].section_weighted, 35.0)
        self.assertEqual(lines["normal_projects"].points_computed, 16)
        self.assertEqual(lines["key_projects"].points_computed, 8)
        self.assertEqual(lines["external_fees"].points_computed, 70)
        self.assertEqual(lines["normal_projects"].section_subtotal, 100, "164 capped at 100")
        self.assertEqual(lines["normal_projects"].section_weighted, 30.0)
        self.assertFalse(lines["key_projects"].section_first, "printed once per section")
        self.assertEqual(lines["national_awards"].section_subtotal, 60)
        self.assertEqual(lines["national_awards"].section_weighted, 9.0)
        self.assertFalse(campaign._unit_forms(), "the benefit evaluation has no unit forms")
        self.assertFalse(any(nmr.line_ids.mapped("points_unit")), "one column: computed")
        with self.refused("one column"):
            lines["sci_papers"].with_user(self.unit_head2).points_unit = 10
        nmr.with_user(self.unit_head2).action_unit_sign()
        self.assertEqual(nmr.total, nmr.total_computed)

    def test_benefit_explanation_under_150_hours(self):
        self.in_scope = self.nmr300
        self.figures = {self.nmr300.id: {"hours": 120.0}}
        campaign = self.new_campaign(scheme=self.table_benefit)
        campaign.with_user(self.director).action_start_self_assessment()
        nmr = self.sheet(campaign, self.nmr300)
        self.assertTrue(nmr.needs_explanation)
        with self.refused("write the explanation"):
            nmr.with_user(self.unit_head2).action_unit_sign()
        nmr.with_user(self.unit_head2).explanation = "The magnet was re-energised for 5 months."
        nmr.with_user(self.unit_head2).action_unit_sign()
        self.assertEqual(nmr.state, "unit_signed")
