"""The campaign: defaults, computing the forms from the collector's figures, its steps and what
each step requires, its statistics."""

from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..rules.codes import DailyItem
from .test_eval_campaign_common import CampaignCase


@tagged("post_install", "-at_install")
class TestEvalCampaign(CampaignCase):
    @freeze_time("2041-02-10")
    def test_defaults_year_dates_scope(self):
        """A new campaign is this year's, 1 Jan – 31 Dec, scoped as its table says."""
        campaign = self.env["facility.eval.campaign"].create({"scheme_id": self.table.id})
        self.assertEqual(campaign.year, 2041)
        self.assertEqual(campaign.date_from, date(2041, 1, 1))
        self.assertEqual(campaign.date_to, date(2041, 12, 31))
        self.assertEqual(campaign.scope_min_value, 500_000)
        self.assertEqual(campaign.state, "preparing")
        later = self.env["facility.eval.campaign"].create(
            {"scheme_id": self.table.id, "year": 2043}
        )
        self.assertEqual((later.date_from, later.date_to), (date(2043, 1, 1), date(2043, 12, 31)))

    def test_one_campaign_per_company_year_table(self):
        self.campaign()
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.campaign()

    def test_compute_creates_one_form_per_instrument_in_scope(self):
        campaign = self.campaign()
        self.as_director(campaign).action_compute()
        self.assertEqual(campaign._forms().instrument_id, self.in_scope)
        self.assertNotIn(self.cheap, campaign._forms().instrument_id)
        spirit = self.sheet(campaign, self.spirit)
        self.assertEqual(spirit.unit_id, self.research_unit, "the 二级单位 above the center")
        self.assertEqual(spirit.lab_id, self.center)
        self.assertEqual(spirit.hours, 1700)
        self.assertFalse(spirit.check_ids, "created for the units' step; presumed present")
        self.assertEqual(
            [line.criterion_id.code for line in spirit.line_ids], ["hours", "daily", "outcomes"]
        )
        self.assertEqual(self.line(spirit, "hours").points_computed, 22)
        self.assertEqual(self.line(spirit, "daily").points_computed, 5, "items presumed present")
        self.assertEqual(spirit.total_computed, 27)
        self.assertEqual(spirit.total, 27)
        self.assertTrue(spirit.failed)
        self.assertEqual(spirit.fail_reason, "below 30 points")
        t20 = self.sheet(campaign, self.t20)
        self.assertEqual(self.line(t20, "outcomes").points_computed, 3)
        self.assertEqual(t20.total_computed, 8 + 5 + 3)
        self.assertEqual(t20.fail_reason, "below 30 points; under 800 hours a year")
        self.assertTrue(campaign.computed_at)

    def test_a_form_created_by_server_code_takes_its_campaigns_year_and_company(self):
        campaign = self.campaign()
        sheet = self.env["facility.eval.sheet"].create(
            {"campaign_id": campaign.id, "instrument_id": self.spirit.id, "unit_id": self.center.id}
        )
        self.assertEqual((sheet.year, sheet.company_id), (campaign.year, campaign.company_id))
        self.assertEqual(sheet.currency_id, campaign.currency_id)

    def test_excluded_form_keeps_reason_and_counts_nowhere(self):
        self.titan.sudo().scrap_applied_date = date(2041, 6, 1)
        campaign = self.campaign()
        self.as_director(campaign).action_compute()
        titan = self.sheet(campaign, self.titan)
        self.assertEqual(titan.status, "excluded")
        self.assertEqual(titan.status_reason, "Scrap application filed on 1 Jun 2041")
        self.assertFalse(titan.line_ids)
        self.assertEqual((titan.total, titan.failed), (0, False))
        research = self.unit_form(campaign, self.research_unit)
        self.assertEqual(research.sheet_count, 2, "the Spirit and the T20, not the Titan")
        self.assertEqual(research.hours_avg, (1700 + 600) / 2)
        hours_avg = research.line_ids.filtered(lambda line: line.criterion_id.code == "hours_avg")
        self.assertEqual(hours_avg.figure_value, (22 + 8) / 2)
        self.assertEqual(hours_avg.points_computed, 7.5, "the average of 22 and 8, ÷ 2")
        self.assertEqual(campaign._unit_forms().unit_id, self.research_unit | self.chem_unit)

    def test_recompute_refreshes_unsigned_forms_only(self):
        campaign = self.started()
        spirit, nmr = self.sheet(campaign, self.spirit), self.sheet(campaign, self.nmr)
        spirit.with_user(self.unit_head).action_unit_sign()
        self.figures[self.spirit.id] = {"hours": 100.0}
        self.figures[self.nmr.id] = {"hours": 0.0}
        self.as_director(campaign).action_compute()
        self.assertEqual(spirit.hours, 1700, "a signed form is never recomputed")
        self.assertEqual(self.line(spirit, "hours").points_computed, 22)
        self.assertEqual(nmr.hours, 0)
        self.assertEqual(self.line(nmr, "hours").points_computed, 0)
        self.assertEqual(
            self.line(nmr, "hours").points_unit,
            0,
            "a line the unit's head left as computed follows the new figures",
        )

    def test_recompute_drops_unsigned_forms_out_of_scope(self):
        campaign = self.campaign()
        self.as_director(campaign).action_compute()
        self.in_scope -= self.nmr
        self.as_director(campaign).action_compute()
        self.assertNotIn(self.nmr, campaign._forms().instrument_id)
        self.assertEqual(campaign._unit_forms().unit_id, self.research_unit)

    def test_self_assessment_computes_fills_unit_column_and_asks_heads(self):
        campaign = self.campaign()
        self.as_director(campaign).action_start_self_assessment()
        self.assertEqual(campaign.state, "self_assessing")
        self.assertTrue(campaign.computed_at, "computed when it never was")
        for sheet in campaign._forms().filtered(lambda s: s.status == "assessed"):
            lines = sheet.line_ids
            self.assertEqual(lines.mapped("points_unit"), lines.mapped("points_computed"))
            self.assertEqual(sheet.total_unit, sheet.total_computed)
        research = self.unit_form(campaign, self.research_unit)
        self.assertEqual(research.total_unit, research.total_computed)
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "facility.eval.campaign"), ("res_id", "=", campaign.id)]
        )
        spirit = self.sheet(campaign, self.spirit)
        self.assertEqual(sorted(spirit.check_ids.mapped("item")), sorted(DailyItem))
        self.assertTrue(all(spirit.check_ids.mapped("present")))
        self.assertFalse(self.sheet(campaign, self.titan).check_ids, "excluded: nothing to tick")
        self.assertEqual(activities.user_id, self.unit_head | self.unit_head2)
        self.sign_units(campaign)
        self.assertFalse(activities.exists(), "done once the unit head signed every form")

    def test_school_assessment_lists_units_that_have_not_reported(self):
        campaign = self.started()
        self.sheet(campaign, self.nmr).with_user(self.unit_head2).action_unit_sign()
        self.unit_form(campaign, self.chem_unit).with_user(self.unit_head2).action_unit_sign()
        with self.refused("Units that have not reported") as caught:
            self.as_director(campaign).action_start_school_assessment()
        message = str(caught.exception)
        self.assertIn("Research Unit", message)
        self.assertIn("Test Spirit", message)
        self.assertNotIn("Chemistry School", message)
        self.assertNotIn("Test Titan", message, "excluded forms are not signed")
        self.assertEqual(campaign.unreported_unit_ids, self.research_unit)
        self.sign_units(campaign)
        self.as_director(campaign).action_start_school_assessment()
        self.assertEqual(campaign.state, "school_assessing")
        self.assertFalse(campaign.unreported_unit_ids)
        t20 = self.sheet(campaign, self.t20)
        self.assertEqual(t20.line_ids.mapped("points_school"), t20.line_ids.mapped("points_unit"))
        self.assertEqual(t20.total_school, t20.total_unit)
        chem = self.unit_form(campaign, self.chem_unit)
        self.assertEqual(chem.total_school, chem.total_unit)

    def test_close_requires_every_school_signature(self):
        campaign = self.started()
        self.sign_units(campaign)
        self.as_director(campaign).action_start_school_assessment()
        with self.refused("The school has not signed"):
            self.as_director(campaign).action_close()
        self.sign_school(campaign)
        self.as_director(campaign).action_close()
        self.assertEqual(campaign.state, "closed")

    def test_steps_in_order_only(self):
        campaign = self.campaign()
        with self.refused("starts from"):
            self.as_director(campaign).action_start_school_assessment()
        with self.refused("starts from"):
            self.as_director(campaign).action_close()
        self.as_director(campaign).action_start_self_assessment()
        with self.refused("starts from"):
            self.as_director(campaign).action_start_self_assessment()
        self.sign_units(campaign)
        self.as_director(campaign).action_start_school_assessment()
        with self.refused("computed while preparing or while the units self-assess"):
            self.as_director(campaign).action_compute()

    def test_another_table_while_preparing_drops_the_forms(self):
        campaign = self.campaign()
        self.as_director(campaign).action_compute()
        self.as_director(campaign).scheme_id = self.table_instrument
        self.assertFalse(campaign._forms())
        self.assertFalse(campaign._unit_forms())
        self.assertFalse(campaign.computed_at)

    def test_scope_frozen_once_started(self):
        campaign = self.started()
        with self.refused("no longer change"):
            self.as_director(campaign).write({"scope_min_value": 100_000})
        with self.refused("change only through its actions"):
            self.as_director(campaign).write({"state": "closed"})

    def test_statistics(self):
        campaign = self.started()
        self.assertEqual(campaign.assessed_count, 3)
        self.assertEqual(campaign.excluded_count, 1)
        self.assertEqual(campaign.not_assessed_count, 0)
        self.assertAlmostEqual(campaign.hours_mean, (1700 + 600 + 900) / 3)
        mean = (1700 + 600 + 900) / 3
        std = (sum((h - mean) ** 2 for h in (1700, 600, 900)) / 3) ** 0.5
        self.assertAlmostEqual(campaign.hours_std, std)
        totals = [27, 16, 22 + 5 + 3]
        self.assertAlmostEqual(campaign.score_mean, sum(totals) / 3)
        self.assertEqual(campaign.sheet_failed_count, 2, "the NMR scores exactly 30: it passes")
        self.assertEqual(campaign.sheet_draft_count, 3)
        self.assertEqual(campaign.unreported_unit_ids, self.research_unit | self.chem_unit)
        self.sheet(campaign, self.spirit).with_user(self.unit_head).action_unit_sign()
        self.assertEqual(campaign.sheet_unit_signed_count, 1)
        self.assertEqual(campaign.unit_draft_count, 2)
