"""The expert committee of the application tests: no tests here, only the set-up they share."""

from odoo import Command
from odoo.tests import new_test_user

from .test_booking import BookingCase

# Wednesday 18 Feb 2026, 10:00 in Shanghai: this week's meeting is Friday 20 Feb
WEDNESDAY = "2026-02-18 02:00:00"
FRIDAY = "2026-02-20 01:00:00"  # 09:00 in Shanghai


class ApplicationCase(BookingCase):
    """Reviewers X and Y (no research group), PI A on the committee too, a chair; cut-off
    Thursday, meeting Friday, answer within 7 days."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        prefix = "core_facility.group_facility_"

        def reviewer(login, **kw):
            return new_test_user(
                cls.env, login=login, groups=f"{prefix}reviewer", tz="Asia/Shanghai", **kw
            )

        cls.reviewer_x = reviewer("t_rev_x")
        cls.reviewer_y = reviewer("t_rev_y")
        cls.chair = reviewer("t_chair")
        cls.pi_a.groups_id = [Command.link(cls.env.ref(f"{prefix}reviewer").id)]
        cls.company = cls.env.company
        cls.company.write(
            {
                "facility_review_cutoff_weekday": "3",
                "facility_review_meeting_weekday": "4",
                "facility_review_answer_days": 7,
                "facility_review_chair_id": cls.chair.id,
                "facility_director_id": cls.director.id,
                "facility_review_committee_ids": [
                    Command.set((cls.reviewer_x | cls.reviewer_y | cls.pi_a).ids)
                ],
            }
        )
        cls.service_type = cls.env["facility.service.type"].create({"name": "Test EM service"})

    def application(self, user=None, kind="instrument_time", **values):
        """A draft of ``kind``, complete, written by ``user`` (student A1)."""
        user = user or self.student_a1
        vals = {
            "kind": kind,
            "title": "Cryo-EM of a membrane transporter",
            "research_group_id": user.facility_group_ids[:1].id,
            "research_background": "<p>Transporters move drugs across membranes.</p>",
            "scientific_question": "How does the substrate bind?",
            "sample_description": "Purified protein, 3 mg/ml, grids screened on Spirit",
            "sample_source": "Expressed in HEK293",
            "techniques": "Single particle analysis",
            "expected_outcome": "A 3 Å map",
            "time_frame": "3 months",
        }
        if kind == "instrument_time":
            vals["line_ids"] = [
                Command.create(
                    {"instrument_id": self.talos.id, "month": "2026-03-01", "hours_requested": 40}
                )
            ]
        elif kind == "service":
            vals["service_type_id"] = self.service_type.id
        elif kind == "collaboration":
            vals.update(collaboration_mode="innovative", progress_stage="preliminary")
        elif kind == "consultation":
            vals = {"kind": kind, "title": "Grids", "question": "Which grids for FIB milling?"}
            vals["research_group_id"] = user.facility_group_ids[:1].id
        vals.update(values)
        return self.env["facility.application"].with_user(user).create(vals)

    def submitted(self, user=None, **values):
        application = self.application(user, **values)
        application.action_submit()
        return application

    def review_of(self, application, reviewer):
        return (
            self.env["facility.application.review"]
            .sudo()
            .search([("application_id", "=", application.id), ("reviewer_id", "=", reviewer.id)])
        )

    def vote(self, application, reviewer, vote, opinion=False):
        review = self.review_of(application, reviewer).with_user(reviewer)
        review.write({"vote": vote, "opinion": opinion})
        return review

    def decide(self, application, user=None, approve=True, hours=None, note="<p>Agreed.</p>"):
        user = user or self.chair
        wizard = (
            self.env["facility.application.decision.wizard"]
            .with_user(user)
            .with_context(default_application_id=application.id)
            .create({"decision": "approve" if approve else "reject", "decision_note": note})
        )
        if hours is not None:
            for line in wizard.line_ids:
                line.hours_granted = hours
        return wizard.action_confirm()
