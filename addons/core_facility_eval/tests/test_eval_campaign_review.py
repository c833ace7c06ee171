"""The campaign's workflow after the review of the addon: a recompute during the self-assessment
carries the new figures into the unit's column where the head left them, a unit without head is
named before the units' step starts, a started campaign and a signed form are never deleted, a
table with gaps is refused with its problems, and the period freezes with the scope."""

from datetime import date

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .test_eval_campaign_common import CampaignCase


@tagged("post_install", "-at_install")
class TestEvalCampaignReview(CampaignCase):
    def test_recompute_while_self_assessing_carries_new_figures_into_untouched_lines(self):
        self.figures[self.nmr.id] = {"hours": 0.0}
        campaign = self.started()
        nmr, spirit = self.sheet(campaign, self.nmr), self.sheet(campaign, self.spirit)
        self.assertEqual(self.line(nmr, "hours").points_unit, 0)
        # the head changes one line; the hours line stays as computed
        self.line(spirit, "outcomes").with_user(self.unit_head).points_unit = 3
        self.figures[self.nmr.id] = {"hours": 1000.0, "papers": 3}
        self.figures[self.spirit.id] = {"hours": 1700.0, "papers": 5}
        self.as_director(campaign).action_compute()
        hours = self.line(nmr, "hours")
        self.assertEqual((hours.points_computed, hours.points_unit), (22, 22))
        self.assertEqual(nmr.total_unit, nmr.total_computed)
        self.assertFalse(nmr.failed)
        outcomes = self.line(spirit, "outcomes")
        self.assertEqual(outcomes.points_computed, 5)
        self.assertEqual(outcomes.points_unit, 3, "the head's own points stay")
        chem = self.unit_form(campaign, self.chem_unit)
        self.assertEqual(chem.total_unit, chem.total_computed, "the unit's form follows")
        nmr.with_user(self.unit_head2).action_unit_sign()
        self.assertEqual(nmr.total, 22 + 5 + 3)

    def test_a_unit_without_head_is_named_before_the_units_step(self):
        self.chem_unit.manager_id = False
        campaign = self.campaign()
        with self.refused("no head to fill and sign them.*\n- .*Chemistry School"):
            self.as_director(campaign).action_start_self_assessment()
        self.assertEqual(campaign.state, "preparing")
        self.chem_unit.manager_id = self.unit_head2
        self.as_director(campaign).action_start_self_assessment()
        self.assertEqual(campaign.state, "self_assessing")

    def test_a_started_campaign_and_signed_forms_are_not_deleted(self):
        preparing = self.campaign(year=2042, name="Evaluation 2042")
        self.as_director(preparing).action_compute()
        self.as_director(preparing).unlink()
        self.assertFalse(preparing.exists())
        campaign = self.started()
        spirit = self.sheet(campaign, self.spirit)
        spirit.with_user(self.unit_head).action_unit_sign()
        with self.refused("has been signed"):
            spirit.with_user(self.director).unlink()
        with self.refused("deleted only while it is being prepared"):
            self.as_director(campaign).unlink()
        self.sign_units(campaign)
        self.as_director(campaign).action_start_school_assessment()
        self.sign_school(campaign)
        self.as_director(campaign).action_close()
        with self.refused("deleted only while it is being prepared"):
            self.as_director(campaign).unlink()
        with self.refused("has been signed"):
            self.unit_form(campaign, self.chem_unit).with_user(self.director).unlink()
        self.assertTrue(campaign.exists() and spirit.exists())

    def test_a_table_with_a_gap_is_refused_with_its_problems(self):
        hours = self.table.criterion_ids.filtered(lambda c: c.code == "hours")
        hours.band_ids.filtered(lambda b: b.low == 0 and b.high == 0).unlink()
        campaign = self.campaign()
        with self.refused("cannot be computed.*\n- Test Instrument Table: .*Annual hours"):
            self.as_director(campaign).action_compute()
        with self.refused("cannot be computed"):
            self.as_director(campaign).action_start_self_assessment()
        self.assertFalse(campaign._forms())

    def test_a_campaign_runs_on_an_instrument_or_benefit_table_only(self):
        with self.assertRaisesRegex(ValidationError, "scores units"):
            self.new_campaign(scheme=self.unit_table)
        campaign = self.campaign()
        with self.assertRaisesRegex(ValidationError, "scores units"):
            campaign.scheme_id = self.table_unit
        self.new_campaign(scheme=self.table_benefit)

    def test_period_frozen_once_started(self):
        campaign = self.started()
        with self.refused("no longer change"):
            self.as_director(campaign).write({"date_to": date(2041, 6, 30)})
        with self.refused("no longer change"):
            self.as_director(campaign).write({"date_from": date(2041, 7, 1)})
        self.assertEqual(campaign.date_to, date(2041, 12, 31))
