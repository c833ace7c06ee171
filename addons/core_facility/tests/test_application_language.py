from freezegun import freeze_time

from odoo.tests import tagged

from .test_application_common import FRIDAY, WEDNESDAY, ApplicationCase

APPROVED = "The expert committee approved your application."
APPROVED_ZH = "专家委员会批准了您的申请。"


@tagged("post_install", "-at_install")
class TestApplicationLanguage(ApplicationCase):
    """The applicant is told of the decision in his or her own language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["core_facility"], ["zh_CN"])
        template = cls.env.ref("core_facility.mail_template_application_decision")
        # the shipped translation, or this one until the catalogue has it
        translated = template.with_context(lang="zh_CN").body_html
        if APPROVED_ZH not in translated:
            body = template.with_context(lang="en_US").body_html.replace(APPROVED, APPROVED_ZH)
            template.update_field_translations("body_html", {"zh_CN": body})

    def _decided_for(self, user):
        with freeze_time(WEDNESDAY):
            application = self.submitted(user)
        with freeze_time(FRIDAY):
            self.env["facility.review.batch"]._cron_committee()
            self.vote(application, self.reviewer_x, "approve")
            # the chair works in English
            self.decide(application.with_context(lang="en_US"), hours=20)
        return application.sudo().message_ids.filtered(lambda m: user.partner_id in m.partner_ids)[
            :1
        ]

    def test_chinese_applicant_is_told_in_chinese(self):
        self.student_a1.lang = "zh_CN"
        message = self._decided_for(self.student_a1)
        self.assertIn(APPROVED_ZH, message.body)
        self.assertNotIn(APPROVED, message.body)
        self.assertIn("2026年3月", message.body)  # the month of the hours granted

    def test_english_applicant_is_told_in_english(self):
        self.student_a2.lang = "en_US"
        message = self._decided_for(self.student_a2)
        self.assertIn(APPROVED, message.body)
        self.assertIn("March 2026", message.body)
