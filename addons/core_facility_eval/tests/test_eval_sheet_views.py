"""The forms' views open for every role that reaches them (no field a role may not read), and the
unit head fills the unit's column through the form as the web client does."""

from odoo.tests import Form, tagged

from .test_eval_campaign_common import CampaignCase


@tagged("post_install", "-at_install")
class TestEvalSheetViews(CampaignCase):
    def test_views_open_for_each_role(self):
        campaign = self.started()
        spirit = self.sheet(campaign, self.spirit)
        research = self.unit_form(campaign, self.research_unit)
        readers = {
            "director": self.director,
            "unit head": self.unit_head,
            "school assessor": self.school_assessor,
            "reviewer": self.eval_reviewer,
            "instrument manager": self.manager_spirit,
        }
        for role, user in readers.items():
            records = [campaign, spirit]
            if role != "instrument manager":
                records.append(research)
            for record in records:
                with self.subTest(role=role, model=record._name):
                    views = record.with_user(user).get_views(
                        [(False, "list"), (False, "form"), (False, "search")]
                    )
                    self.assertIn("form", views["views"])
                    form = Form(record.with_user(user))
                    self.assertTrue(form.id)

    def test_unit_head_fills_through_the_form(self):
        campaign = self.started()
        t20 = self.sheet(campaign, self.t20)
        with Form(t20.with_user(self.unit_head)) as form:
            form.rules_level = "1"
            with form.line_ids.edit(2) as line:
                line.points_unit = 2
        self.assertEqual(t20.rules_level, "1")
        self.assertEqual(self.line(t20, "outcomes").points_unit, 2)
        self.assertEqual(t20.total_unit, 8 + 5 + 2)

    def test_campaign_kanban_shows_every_step(self):
        self.campaign()
        groups = (
            self.env["facility.eval.campaign"]
            .with_user(self.director)
            .web_read_group([], ["state"], ["state"])
        )["groups"]
        self.assertEqual(
            [group["state"] for group in groups],
            ["preparing", "self_assessing", "school_assessing", "closed"],
        )
