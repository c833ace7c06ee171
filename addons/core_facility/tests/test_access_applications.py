"""The access matrix of applications and committee review (issue 9), as real non-admin users.

Applicants see their own applications, PIs their group's; reviewers the applications of the
batches they are assigned to, from the meeting on (never their own group's); instrument managers
those on their instruments; the facility manager all. Individual reviews are their reviewer's
(and the chair's and facility manager's to read): applicants see the decision only.
"""

from odoo import Command
from odoo.tests import new_test_user, tagged

from .test_access_matrix import (
    ALLOWED,
    FINANCE,
    FM,
    FMGR,
    FOUND,
    HIDDEN,
    IM,
    INTERNAL,
    NOBODY,
    PI,
    PORTAL,
    REFUSED,
    REVIEWER,
    USER,
    AccessMatrixCase,
    crud,
    crud_rows,
    locked,
    ref,
    rows,
    search,
    write,
)

APPLICATION, LINE, REVIEW = (
    "facility.application",
    "facility.application.line",
    "facility.application.review",
)
BATCH = "facility.review.batch"
WIZARD, WIZARD_LINE = "facility.application.decision.wizard", "facility.application.decision.line"
AUTHORS = frozenset({USER, PI, FMGR})

MODELS = {
    APPLICATION: (
        "app_draft",
        lambda f: {
            "title": "Matrix application",
            "kind": "instrument_time",
            "research_group_id": f.group_a.id,
        },
        lambda f: {"title": "Renamed"},
        crud({USER, PI, IM, FMGR}, AUTHORS, AUTHORS, FM),
    ),
    LINE: (
        "app_line",
        lambda f: {
            "application_id": f.app_draft.id,
            "instrument_id": f.spare_instrument.id,
            "month": "2031-03-01",
            "hours_requested": 8,
        },
        lambda f: {"hours_requested": 12},
        crud({USER, PI, IM, FMGR}, AUTHORS, AUTHORS, AUTHORS),
    ),
    REVIEW: (
        "review_mine",
        lambda f: {"application_id": f.app_review.id, "reviewer_id": f.reviewer_3.id},
        lambda f: {"vote": "approve"},
        crud({REVIEWER, FMGR}, NOBODY, {REVIEWER}, FM),  # created when the committee meets
    ),
    BATCH: (
        "batch_a",
        lambda f: {"name": "2031-03-07", "meeting_date": "2031-03-07"},
        lambda f: {"deadline": "2031-03-20"},
        crud(INTERNAL | {PORTAL}, FM, FM, FM),
    ),
    WIZARD: (
        "wizard_a",
        lambda f: {"application_id": f.app_review.id, "decision": "reject"},
        lambda f: {"decision": "approve"},
        crud(FM, {REVIEWER, FMGR}, FM, FM),
    ),
    WIZARD_LINE: (
        "wizard_line_a",
        lambda f: {"wizard_id": f.wizard_a.id, "line_id": f.app_review_line.id},
        lambda f: {"hours_granted": 5},
        crud(FM, {REVIEWER, FMGR}, FM, FM),
    ),
}

FIELD_ROWS = [
    # the stage, the batch and the committee's figures: through the actions only
    *locked(
        APPLICATION,
        "app_draft",
        AUTHORS,
        {
            "state": "approved",
            "batch_id": ref("batch_a"),
            "decision_note": "<p>Forged</p>",
            "decision_user_id": ref("director"),
            "special_cleared_user_id": ref("director"),
            "name": "APP/FORGED",
        },
    ),
    *locked(
        LINE, "app_line", AUTHORS, {"hours_granted": 500, "allocation_id": ref("allocation_a")}
    ),
    # stored related fields: recomputed by the ORM, never written (a later answer date would
    # clear "Overdue", another PI would change who counts as the application's author)
    *locked(
        APPLICATION,
        "app_review",
        (USER, PI, FMGR),
        {"pi_id": ref("pi_b"), "meeting_date": "2031-03-07", "deadline": "2031-12-31"},
    ),
    *locked(APPLICATION, "app_draft", (USER, PI), {"pi_id": ref("pi_b"), "deadline": "2031-12-31"}),
    # what was submitted stays as submitted
    *write(APPLICATION, "app_review", (USER, PI, FMGR), {"title": "Changed"}, REFUSED),
    *write(LINE, "app_review_line", (USER, PI, FMGR), {"hours_requested": 400}, REFUSED),
    # the instrument's manager reads the application, does not write it
    *write(APPLICATION, "app_draft", (IM,), {"title": "Mine now"}, REFUSED),
    # applying for a group one does not belong to
    *rows(
        "create",
        APPLICATION,
        None,
        (USER, PI),
        lambda f: {"title": "Not mine", "research_group_id": f.group_b.id},
        REFUSED,
    ),
    # reviewers: the applications of their batch in review, not the drafts; their own reviews
    *search(APPLICATION, "app_review", (REVIEWER, FMGR, USER, PI), [], FOUND),
    *search(APPLICATION, "app_review", (FINANCE, PORTAL, IM), [], HIDDEN),
    *search(APPLICATION, "app_portal", (PORTAL, FMGR), [], FOUND),
    *search(APPLICATION, "app_portal", (USER, PI, REVIEWER, IM, FINANCE), [], HIDDEN),
    *search(REVIEW, "review_mine", (REVIEWER, FMGR), [], FOUND),
    *search(REVIEW, "review_other", (REVIEWER, USER, PI, PORTAL), [], HIDDEN),
    *rows("read", APPLICATION, "app_review", (USER, PI), ["review_ids"], REFUSED),
    *rows("read", APPLICATION, "app_review", (USER, PI), ["vote_approve_count"], REFUSED),
    *rows("read", APPLICATION, "app_review", (REVIEWER, FMGR), ["vote_approve_count"], ALLOWED),
    *write(REVIEW, "review_mine", (REVIEWER,), {"vote": "reject"}, REFUSED),  # no opinion
    *write(REVIEW, "review_mine", (REVIEWER,), {"vote": "reject", "opinion": "No"}, ALLOWED),
    *write(REVIEW, "review_mine", (REVIEWER,), {"reviewer_id": ref("reviewer_2")}, REFUSED),
    *write(REVIEW, "review_other", (FMGR,), {"vote": "approve"}, REFUSED),
    *write(BATCH, "batch_a", (FMGR,), {"state": "done"}, REFUSED),
    # the answer to a consultation: the facility's staff
    *write(APPLICATION, "consultation_a", (USER, PI), {"answer": "<p>Me</p>"}, REFUSED),
    *write(APPLICATION, "consultation_a", (FMGR,), {"answer": "<p>Gold grids</p>"}, ALLOWED),
    *rows("read", APPLICATION, "consultation_a", (IM,), ["question"], ALLOWED),
]


@tagged("post_install", "-at_install")
class TestAccessApplications(AccessMatrixCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.reviewer_2 = new_test_user(
            env, login="t_reviewer_2", groups="core_facility.group_facility_reviewer"
        )
        cls.reviewer_3 = new_test_user(
            env, login="t_reviewer_3", groups="core_facility.group_facility_reviewer"
        )
        Application = env["facility.application"]
        cls.app_draft = Application.create(
            {
                "title": "Draft",
                "applicant_id": cls.student_a1.id,
                "research_group_id": cls.group_a.id,
                "line_ids": [
                    Command.create(
                        {
                            "instrument_id": cls.spirit.id,
                            "month": "2031-02-01",
                            "hours_requested": 4,
                        }
                    )
                ],
            }
        )
        cls.app_line = cls.app_draft.line_ids
        cls.batch_a = env["facility.review.batch"].create(
            {
                "name": "2031-02-07",
                "meeting_date": "2031-02-07",
                "deadline": "2031-02-14",
                "reviewer_ids": [Command.set((cls.reviewer | cls.reviewer_2).ids)],
            }
        )
        cls.app_review = Application.create(
            {
                "title": "In review",
                "applicant_id": cls.student_a1.id,
                "research_group_id": cls.group_a.id,
                "line_ids": [
                    Command.create(
                        {"instrument_id": cls.t20.id, "month": "2031-02-01", "hours_requested": 4}
                    )
                ],
            }
        )
        cls.app_review_line = cls.app_review.line_ids
        cls.app_review._write_guarded({"state": "submitted", "batch_id": cls.batch_a.id})
        cls.batch_a.action_start_review()
        Review = env["facility.application.review"]
        cls.review_mine = Review.search(
            [("application_id", "=", cls.app_review.id), ("reviewer_id", "=", cls.reviewer.id)]
        )
        cls.review_other = Review.search(
            [("application_id", "=", cls.app_review.id), ("reviewer_id", "=", cls.reviewer_2.id)]
        )
        cls.app_portal = Application.create(
            {
                "title": "From the portal",
                "applicant_id": cls.portal_user.id,
                "research_group_id": cls.group_b.id,
            }
        )
        cls.consultation_a = Application.create(
            {
                "kind": "consultation",
                "title": "Grids",
                "question": "Which grids?",
                "applicant_id": cls.student_a1.id,
                "research_group_id": cls.group_a.id,
            }
        )
        cls.consultation_a._write_guarded({"state": "submitted"})
        cls.wizard_a = (
            env["facility.application.decision.wizard"]
            .with_user(cls.director)
            .create({"application_id": cls.app_review.id, "decision": "approve"})
        )
        cls.wizard_line_a = (
            env["facility.application.decision.line"]
            .with_user(cls.director)
            .create({"wizard_id": cls.wizard_a.id, "line_id": cls.app_review_line.id})
        )

    def test_applications_matrix(self):
        self._run(crud_rows(MODELS))

    def test_applications_field_rows(self):
        self._run(FIELD_ROWS)
