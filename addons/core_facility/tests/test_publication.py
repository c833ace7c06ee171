"""Registering outcomes and checking their acknowledgement (seed 000, 附件3): pasted text or the
paper's PDF, CN and EN wordings, the matching sentence shown; staff accept or record it missing."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .publication_common import PublicationCase

CN_ACK = (
    "致谢：冷冻电镜成像相关工作在生物物理研究所蛋白质科学研究平台生物成像中心完成，"
    "感谢张建国在样品制备工作中的帮助。"
)
EN_ACK_LINES = (
    "Methods. Grids were imaged on a Titan Krios.",
    "Acknowledgements. We would like to thank the Center for Biological Imaging (CBI),",
    "Institute of Biophysics, Chinese Academy of Sci-",
    "ences for our Cryo-EM work. We thank Dr. Zhang for help.",
)
EN_NO_ACK_LINES = (
    "Methods. Grids were imaged on a Titan Krios.",
    "Acknowledgements. We thank the cryo-EM facility of another university.",
    "This work was supported by the National Natural Science Foundation of China.",
)


@tagged("post_install", "-at_install")
class TestPublicationAcknowledgement(PublicationCase):
    def test_pasted_chinese_acknowledgement_is_found_with_its_sentence(self):
        paper = self.paper(acknowledgement_text=f"本研究由基金资助。\n{CN_ACK}")
        self.assertEqual(paper.ack_state, "found")
        self.assertEqual(paper.ack_template_id, self.cn_template)
        self.assertTrue(paper.ack_sentence.startswith("致谢：冷冻电镜成像相关工作"))
        self.assertIn("生物成像中心完成", paper.ack_sentence)
        self.assertTrue(paper.ack_checked_date)

    def test_pasted_text_without_the_acknowledgement_is_missing(self):
        paper = self.paper(acknowledgement_text="致谢：感谢国家自然科学基金的资助。")
        self.assertEqual(paper.ack_state, "missing")
        self.assertFalse(paper.ack_sentence)

    def test_pdf_without_the_acknowledgement_is_detected(self):
        paper = self.paper(pdf_file=self.pdf_en(*EN_NO_ACK_LINES), pdf_filename="paper.pdf")
        self.assertEqual(paper.ack_state, "missing")
        self.assertFalse(paper.ack_sentence)

    def test_pdf_with_the_english_acknowledgement_is_found(self):
        paper = self.paper(pdf_file=self.pdf_en(*EN_ACK_LINES), pdf_filename="paper.pdf")
        self.assertEqual(paper.ack_state, "found")
        self.assertEqual(paper.ack_template_id, self.en_template)
        self.assertEqual(
            paper.ack_sentence,
            "We would like to thank the Center for Biological Imaging (CBI), "
            "Institute of Biophysics, Chinese Academy of Sciences for our Cryo-EM work.",
        )

    def test_pdf_with_the_chinese_acknowledgement_is_found(self):
        pdf = self.pdf_html(f"结果表明该蛋白形成二聚体。{CN_ACK}")
        paper = self.paper(pdf_file=pdf, pdf_filename="论文.pdf")
        self.assertEqual(paper.ack_state, "found")
        self.assertEqual(paper.ack_template_id, self.cn_template)
        self.assertIn("生物物理研究所蛋白质科学研究平台生物成像中心完成", paper.ack_sentence)

    def test_chinese_pdf_without_the_acknowledgement_is_detected(self):
        pdf = self.pdf_html("致谢：感谢国家自然科学基金的资助。感谢实验室全体成员。")
        paper = self.paper(pdf_file=pdf, pdf_filename="论文.pdf")
        self.assertEqual(paper.ack_state, "missing")

    def test_a_file_that_is_no_pdf_is_refused_by_name(self):
        with self.assertRaisesRegex(UserError, "could not be read as a PDF"):
            self.paper(pdf_file=b"bm90IGEgcGRm", pdf_filename="notes.txt")

    def test_correcting_the_text_checks_again(self):
        paper = self.paper(acknowledgement_text="We thank our colleagues.")
        self.assertEqual(paper.ack_state, "missing")
        paper.with_user(self.student_a1).acknowledgement_text = CN_ACK
        self.assertEqual(paper.ack_state, "found")
        paper.with_user(self.student_a1).acknowledgement_text = False
        self.assertEqual(paper.ack_state, "not_checked")

    def test_the_templates_are_data(self):
        """An administrator edits the required wording: the check follows it."""
        self.en_template.active = False
        paper = self.paper(pdf_file=self.pdf_en(*EN_ACK_LINES))
        self.assertEqual(paper.ack_state, "missing")
        self.en_template.active = True
        paper.with_user(self.student_a1).action_check_acknowledgement()
        self.assertEqual(paper.ack_state, "found")

    def test_patents_awards_and_projects_carry_no_acknowledgement(self):
        patent = self.paper(kind="patent", patent_number="ZL 2024 1 0000001.X")
        self.assertFalse(patent.acknowledges)
        self.assertEqual(patent.ack_state, "not_checked")
        with self.assertRaisesRegex(UserError, "carries no acknowledgement to check"):
            patent.with_user(self.student_a1).action_check_acknowledgement()
        patent.with_user(self.manager_spirit).action_accept()
        self.assertEqual(patent.state, "accepted")

    def test_the_acknowledgement_state_is_never_written_by_hand(self):
        paper = self.paper(acknowledgement_text="We thank our colleagues.")
        for user in (self.student_a1, self.director):
            with self.assertRaisesRegex(UserError, "change only through its actions"):
                paper.with_user(user).write({"ack_state": "found"})
            with self.assertRaisesRegex(UserError, "change only through its actions"):
                paper.with_user(user).write({"state": "accepted"})

    def test_staff_accept_a_found_acknowledgement(self):
        paper = self.paper(acknowledgement_text=CN_ACK)
        with self.assertRaisesRegex(UserError, "the facility's staff"):
            paper.with_user(self.pi_a).action_accept()
        paper.with_user(self.manager_spirit).action_accept()
        self.assertEqual(paper.state, "accepted")
        self.assertEqual(paper.decided_by_id, self.manager_spirit)
        with self.assertRaisesRegex(UserError, "already decided"):
            paper.with_user(self.manager_spirit).action_accept()

    def test_a_missing_or_unchecked_acknowledgement_is_not_accepted(self):
        missing = self.paper(acknowledgement_text="We thank our colleagues.")
        with self.assertRaisesRegex(
            UserError, "cannot be accepted, its acknowledgement is Missing"
        ):
            missing.with_user(self.manager_spirit).action_accept()
        unchecked = self.paper()
        with self.assertRaisesRegex(UserError, "is Not Checked"):
            unchecked.with_user(self.manager_spirit).action_accept()

    def test_a_decided_outcome_is_the_facility_managers_to_correct(self):
        paper = self.paper(acknowledgement_text=CN_ACK)
        paper.with_user(self.manager_spirit).action_accept()
        with self.assertRaisesRegex(UserError, "only a facility manager can still correct it"):
            paper.with_user(self.student_a1).write({"journal": "Science"})
        with self.assertRaisesRegex(UserError, "only a facility manager can still correct it"):
            paper.with_user(self.manager_spirit).write({"journal": "Science"})
        paper.with_user(self.director).write({"journal": "Science"})
        self.assertEqual(paper.journal, "Science")
        with self.assertRaisesRegex(UserError, "stays on record"):
            paper.with_user(self.director).unlink()

    def test_the_group_withdraws_an_undecided_outcome(self):
        paper = self.paper()
        paper.with_user(self.pi_a).unlink()
        self.assertFalse(paper.exists())

    def test_registering_for_another_group_is_refused(self):
        with self.assertRaises(AccessError):
            self.paper(research_group_id=self.group_b.id)

    def test_record_missing_needs_a_checked_missing_acknowledgement(self):
        found = self.paper(acknowledgement_text=CN_ACK)
        with self.assertRaisesRegex(UserError, "acknowledgement of .* is Found"):
            found.with_user(self.manager_spirit).action_record_missing()
        missing = self.paper(acknowledgement_text="We thank our colleagues.")
        with self.assertRaisesRegex(UserError, "the facility's staff"):
            missing.with_user(self.pi_a).action_record_missing()
        action = missing.with_user(self.manager_spirit).action_record_missing()
        self.assertEqual(action["res_model"], "facility.publication.missing.wizard")
