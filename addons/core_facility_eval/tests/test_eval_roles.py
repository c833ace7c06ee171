"""Who moves a campaign, who signs which column and who sees which forms: the facility manager
(director), a unit head, a school assessor, an instrument manager, a reviewer, a plain user."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .test_eval_campaign_common import CampaignCase

STEPS = (
    "action_compute",
    "action_start_self_assessment",
    "action_start_school_assessment",
    "action_close",
)


@tagged("post_install", "-at_install")
class TestEvalRoles(CampaignCase):
    def others(self):
        return {
            "unit head": self.unit_head,
            "school assessor": self.school_assessor,
            "instrument manager": self.manager_spirit,
            "reviewer": self.eval_reviewer,
            "plain user": self.plain_user,
        }

    def test_only_the_facility_manager_moves_a_campaign(self):
        campaign = self.campaign()
        for role, user in self.others().items():
            for step in STEPS:
                with self.subTest(role=role, step=step), self.refused():
                    getattr(campaign.with_user(user), step)()
        self.assertEqual(campaign.state, "preparing")
        self.assertFalse(campaign._forms())
        self.as_director(campaign).action_start_self_assessment()
        self.sign_units(campaign)
        for role, user in self.others().items():
            with self.subTest(role=role), self.refused():
                campaign.with_user(user).action_start_school_assessment()
        self.as_director(campaign).action_start_school_assessment()
        self.sign_school(campaign)
        for role, user in self.others().items():
            with self.subTest(role=role), self.refused():
                campaign.with_user(user).action_close()
        self.as_director(campaign).action_close()
        self.assertEqual(campaign.state, "closed")

    def test_who_signs_which_column(self):
        campaign = self.started()
        spirit = self.sheet(campaign, self.spirit)
        for role, user in dict(self.others(), director=self.director).items():
            if role == "unit head":
                continue
            with self.subTest(role=role), self.refused():
                spirit.with_user(user).action_unit_sign()
        self.sign_units(campaign)
        self.as_director(campaign).action_start_school_assessment()
        for role in ("unit head", "instrument manager", "reviewer", "plain user"):
            with self.subTest(role=role), self.refused():
                spirit.with_user(self.others()[role]).action_school_sign()
        spirit.with_user(self.director).action_school_sign()
        self.assertEqual(spirit.school_signer_id, self.director, "the director is an assessor too")

    def test_who_sees_which_forms(self):
        campaign = self.started()
        Sheet, Unit = self.env["facility.eval.sheet"], self.env["facility.eval.unit"]
        spirit, t20, nmr = (self.sheet(campaign, i) for i in (self.spirit, self.t20, self.nmr))
        research = self.unit_form(campaign, self.research_unit)
        chem = self.unit_form(campaign, self.chem_unit)
        mine = Sheet.with_user(self.unit_head).search([("campaign_id", "=", campaign.id)])
        self.assertEqual(mine, campaign._forms() - nmr, "the unit head's unit only")
        self.assertEqual(
            Unit.with_user(self.unit_head).search([("campaign_id", "=", campaign.id)]), research
        )
        self.assertEqual(
            Sheet.with_user(self.manager_spirit).search([("campaign_id", "=", campaign.id)]),
            spirit,
            "the instrument manager's instruments only",
        )
        self.assertEqual(
            Sheet.with_user(self.manager_t20).search([("campaign_id", "=", campaign.id)]),
            t20 | nmr | self.sheet(campaign, self.titan),
        )
        for user in (self.eval_reviewer, self.school_assessor, self.director):
            with self.subTest(user=user.login):
                self.assertEqual(
                    Sheet.with_user(user).search([("campaign_id", "=", campaign.id)]),
                    campaign._forms(),
                )
                self.assertEqual(
                    Unit.with_user(user).search([("campaign_id", "=", campaign.id)]),
                    research | chem,
                )
        for model in ("facility.eval.sheet", "facility.eval.unit", "facility.eval.campaign"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.plain_user).search([])
        with self.assertRaises(AccessError):
            Unit.with_user(self.manager_spirit).search([])
        # what an instrument manager reads of their form: its figures and lines
        spirit.with_user(self.manager_spirit).read(["hours", "total", "line_ids", "check_ids"])
        spirit.line_ids.with_user(self.manager_spirit).read(["points_computed", "points_unit"])
        with self.assertRaises(AccessError):
            t20.with_user(self.manager_spirit).read(["hours"])

    def test_reviewer_reads_everything_changes_nothing(self):
        campaign = self.started()
        spirit = self.sheet(campaign, self.spirit)
        spirit.with_user(self.eval_reviewer).read(["hours", "total", "fail_reason"])
        for record, values in (
            (campaign, {"self_deadline": "2042-01-31"}),
            (spirit, {"rules_level": "1"}),
            (self.line(spirit, "hours"), {"points_unit": 1}),
            (spirit.check_ids[:1], {"note": "Seen"}),
        ):
            with self.subTest(model=record._name), self.refused():
                record.with_user(self.eval_reviewer).write(values)
