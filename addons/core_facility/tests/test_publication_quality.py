"""High-quality outcomes earn their group a booking-priority bonus for a period (附件3 四), and
outcomes are counted per instrument for the annual evaluation."""

from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .publication_common import PublicationCase

ACK = "致谢：相关工作在生物物理研究所蛋白质科学研究平台生物成像中心完成。"


@tagged("post_install", "-at_install")
class TestPublicationQuality(PublicationCase):
    def accepted(self, **values):
        paper = self.paper(acknowledgement_text=ACK, **values)
        paper.with_user(self.manager_spirit).action_accept()
        return paper

    @freeze_time("2025-03-15 02:00:00")
    def test_sci_paper_at_the_impact_factor_threshold_earns_the_bonus(self):
        rule = self.env.ref("core_facility.publication_quality_rule_sci_if10")
        paper = self.accepted(indexing="sci", impact_factor=10.0)
        self.assertTrue(paper.high_quality)
        self.assertEqual(paper.quality_rule_id, rule)
        self.assertEqual(paper.bonus_until, date(2026, 3, 14))  # 12 months, from 15 March
        Publication = self.env["facility.publication"]
        self.assertEqual(
            Publication._priority_bonus_groups(datetime(2026, 3, 14, 15, 0)), self.group_a
        )
        # 15 March 2026 in Shanghai (14 March 16:00 UTC): the bonus is over
        self.assertFalse(Publication._priority_bonus_groups(datetime(2026, 3, 14, 16, 0)))
        # before the acceptance there was none
        self.assertFalse(Publication._priority_bonus_groups(datetime(2025, 3, 15, 1, 0)))

    @freeze_time("2025-03-15 02:00:00")
    def test_below_the_threshold_or_not_sci_no_bonus(self):
        for values in (
            {"indexing": "sci", "impact_factor": 9.99},
            {"indexing": "core", "impact_factor": 30.0},
        ):
            paper = self.accepted(**values)
            self.assertFalse(paper.high_quality)
            self.assertFalse(paper.bonus_until)
        self.assertFalse(
            self.env["facility.publication"]._priority_bonus_groups(datetime(2025, 4, 1))
        )

    @freeze_time("2025-03-15 02:00:00")
    def test_the_rules_are_data(self):
        rule = self.env.ref("core_facility.publication_quality_rule_sci_if10")
        rule.write({"min_impact_factor": 8.0, "bonus_months": 6})
        paper = self.accepted(indexing="sci", impact_factor=9.0)
        self.assertEqual(paper.bonus_until, date(2025, 9, 14))

    @freeze_time("2025-03-15 02:00:00")
    def test_a_national_award_earns_the_bonus_a_provincial_one_not(self):
        national = self.paper(kind="award", award_level="national")
        provincial = self.paper(kind="award", award_level="provincial")
        self.assertTrue(national.high_quality)
        self.assertFalse(provincial.high_quality)
        (national | provincial).with_user(self.director).action_accept()
        self.assertEqual(national.bonus_until, date(2026, 3, 14))
        self.assertFalse(provincial.bonus_until)

    def test_an_unaccepted_outcome_gives_no_bonus(self):
        paper = self.paper(acknowledgement_text=ACK, indexing="sci", impact_factor=40.0)
        self.assertTrue(paper.high_quality)
        bonus = self.env["facility.publication"]._priority_bonus_groups(datetime.now())
        self.assertNotIn(paper.research_group_id, bonus)

    def test_outcome_counts_per_instrument_and_year(self):
        self.accepted()  # a paper of 2025 on the Spirit
        self.accepted(instrument_ids=[Command.set((self.spirit | self.t20).ids)])
        self.accepted(year=2024)
        self.paper(acknowledgement_text=ACK)  # not yet accepted
        for kind, extra in (
            ("patent", {"patent_number": "ZL 1"}),
            ("award", {"award_level": "other"}),
            ("project", {"project_level": "normal"}),
        ):
            self.paper(kind=kind, **extra).with_user(self.manager_spirit).action_accept()
        self.accepted(kind="thesis", degree="master")
        self.assertEqual(
            self.spirit.with_user(self.student_b1).get_outcome_counts(2025),
            {"paper": 2, "patent": 1, "award": 1, "project": 1, "thesis": 1},
        )
        self.assertEqual(
            self.t20.get_outcome_counts(2025),
            {"paper": 1, "patent": 0, "award": 0, "project": 0, "thesis": 0},
        )
        self.assertEqual(self.spirit.get_outcome_counts(2024)["paper"], 1)
        self.assertEqual(
            self.titan.get_outcome_counts(2025),
            dict.fromkeys(("paper", "patent", "award", "project", "thesis"), 0),
        )
