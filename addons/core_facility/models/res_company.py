from odoo import fields, models

REVIEWER = "core_facility.group_facility_reviewer"
MANAGER = "core_facility.group_facility_manager"

WEEKDAYS = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]


class ResCompany(models.Model):
    """The facility's settings that belong to the institution: the committee's week and the
    people applications and service orders escalate to."""

    _inherit = "res.company"

    facility_review_cutoff_weekday = fields.Selection(
        WEEKDAYS,
        string="Review Cut-off Day",
        default="3",
        help="Applications submitted up to the end of this day go into this week's review batch.",
    )
    facility_review_meeting_weekday = fields.Selection(
        WEEKDAYS, string="Committee Meeting Day", default="4"
    )
    facility_review_answer_days = fields.Integer(
        string="Answer Within (days)",
        default=7,
        help="Applicants get the committee's answer within this many days of the meeting.",
    )
    facility_review_chair_id = fields.Many2one("res.users", string="Committee Chair")
    facility_review_committee_ids = fields.Many2many(
        "res.users",
        "res_company_facility_reviewer_rel",
        "company_id",
        "user_id",
        string="Expert Committee",
        help="The reviewers each new weekly batch assigns; when empty, every reviewer who is not "
        "a facility manager.",
    )
    facility_director_id = fields.Many2one("res.users")
    facility_chief_expert_id = fields.Many2one("res.users", string="Chief Expert")
    facility_integrity_points = fields.Integer(
        string="Integrity Points per Year",
        default=50,
        help="Every research group starts each year with these points (附件4: 满分50分); every "
        "counted violation deducts its class's points.",
    )
    facility_fee_overdue_days = fields.Integer(
        string="Fees Overdue After (days)",
        default=60,
        help="Billing records a 'fees overdue' violation against a group whose charges are unpaid "
        "this many days after they are due (拖欠机时费).",
    )

    def _facility_tz(self):
        """The facility's time zone name: the company's address, else Asia/Shanghai."""
        return self[:1].sudo().partner_id.tz or "Asia/Shanghai"

    def _facility_committee(self):
        """The reviewers a new batch assigns."""
        self.ensure_one()
        if self.facility_review_committee_ids:
            return self.facility_review_committee_ids.filtered("active")
        reviewers = self.env.ref(REVIEWER).sudo().users
        managers = self.env.ref(MANAGER).sudo().users
        return (reviewers - managers).filtered(lambda u: u.active and not u.share)
