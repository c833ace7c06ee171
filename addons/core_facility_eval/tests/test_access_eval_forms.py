"""Access rows of the forms area: campaigns, instrument forms with their lines and daily checks,
unit forms with their lines and showcase cases.

The fixtures: a campaign of the test tables in the units' self-assessment, its forms computed. The
facility manager (director) creates and moves campaigns; nobody creates, removes or writes a form's
figures, lines or checks but the campaign's computation; instrument managers read the forms of
their instruments and attach evidence to their daily checks; reviewers read everything. The
evaluation's own roles (unit heads, school assessors) have rows of their own below, and their
workflow in ``test_eval_roles``.
"""

from odoo.tests import tagged

from odoo.addons.core_facility.tests.test_access_matrix import (
    ALLOWED,
    FM,
    NOBODY,
    REFUSED,
    ROLES,
    AccessMatrixCase,
    create,
    crud,
    crud_rows,
    rows,
    search,
    write,
)

from .test_eval_campaign_common import CampaignCase

USER, PI, IM, FMGR, REVIEWER, FINANCE, PORTAL = ROLES
UH, SA = "unit head", "school assessor"
READERS = frozenset({IM, FMGR, REVIEWER})
CAMPAIGN, SHEET, LINE, CHECK = (
    "facility.eval.campaign",
    "facility.eval.sheet",
    "facility.eval.sheet.line",
    "facility.eval.check",
)
UNIT, UNIT_LINE, CASE = "facility.eval.unit", "facility.eval.unit.line", "facility.eval.case"

MODELS = {
    CAMPAIGN: (
        "campaign_f",
        lambda f: {"name": "Matrix Campaign", "year": 2045, "scheme_id": f.table.id},
        lambda f: {"self_deadline": "2042-01-31"},
        # campaign_f has started: deleted by nobody (a campaign being prepared: below)
        crud(READERS, FM, FM, NOBODY),
    ),
    SHEET: (
        "sheet_spirit",
        lambda f: {"campaign_id": f.campaign_f.id, "instrument_id": f.cheap.id},
        lambda f: {"rules_level": "1"},
        crud(READERS, NOBODY, NOBODY, FM),
    ),
    LINE: (
        "line_spirit",
        lambda f: {"sheet_id": f.sheet_spirit.id, "criterion_id": f.table.criterion_ids[0].id},
        lambda f: {"points_unit": 1.0},
        crud(READERS, NOBODY, NOBODY, NOBODY),
    ),
    CHECK: (
        "check_spirit",
        lambda f: {"sheet_id": f.sheet_spirit.id, "item": "ledger"},
        lambda f: {"note": "Ledger photographed"},
        crud(READERS, NOBODY, {IM}, NOBODY),
    ),
    UNIT: (
        "unit_research",
        lambda f: {"campaign_id": f.campaign_f.id, "unit_id": f.spare_unit.id},
        lambda f: {"total": 99.0},
        crud({FMGR, REVIEWER}, NOBODY, NOBODY, FM),
    ),
    UNIT_LINE: (
        "unit_line_research",
        lambda f: {
            "unit_eval_id": f.unit_research.id,
            "criterion_id": f.unit_table.criterion_ids[0].id,
        },
        lambda f: {"note": "Checked"},
        crud({FMGR, REVIEWER}, NOBODY, NOBODY, NOBODY),
    ),
    CASE: (
        "case_research",
        lambda f: {"unit_eval_id": f.unit_research.id, "section": "usage", "name": "Matrix"},
        lambda f: {"name": "Renamed"},
        crud({FMGR, REVIEWER}, NOBODY, NOBODY, NOBODY),
    ),
}

ref = lambda name: lambda f: getattr(f, name).id  # noqa: E731

FIELD_ROWS = [
    # unit heads: their unit's column and entered figures while the units self-assess
    *write(SHEET, "sheet_spirit", (UH,), {"rules_level": "1"}, ALLOWED),
    *write(SHEET, "sheet_nmr", (UH,), {"rules_level": "1"}, REFUSED),
    *write(LINE, "line_spirit", (UH,), {"points_unit": 1.0}, ALLOWED),
    *write(LINE, "line_spirit", (UH,), {"points_unit": 99.0}, REFUSED),
    *write(LINE, "line_spirit", (UH, SA, FMGR), {"points_school": 1.0}, REFUSED),
    *write(LINE, "line_spirit", (SA, FMGR, IM), {"points_unit": 1.0}, REFUSED),
    *write(CHECK, "check_spirit", (UH,), {"present": False}, ALLOWED),
    *write(CHECK, "check_spirit", (IM, SA, FMGR), {"present": False}, REFUSED),
    *write(CHECK, "check_spirit", (UH,), {"note": "Ledger photographed"}, ALLOWED),
    *create(
        CASE,
        (UH,),
        lambda f: {"unit_eval_id": f.unit_research.id, "section": "usage", "name": "A"},
        ALLOWED,
    ),
    *create(
        CASE,
        (UH,),
        lambda f: {"unit_eval_id": f.unit_chem.id, "section": "usage", "name": "B"},
        REFUSED,
    ),
    *create(
        CASE,
        (SA,),
        lambda f: {"unit_eval_id": f.unit_research.id, "section": "usage", "name": "C"},
        REFUSED,
    ),
    *write(CASE, "case_research", (UH,), {"name": "Renamed"}, ALLOWED),
    *rows("unlink", CASE, "case_research", (UH,), None, ALLOWED),
    *write(UNIT_LINE, "unit_line_research", (UH,), {"note": "Checked"}, ALLOWED),
    # the figures, totals, signatures and the step: never written directly
    *write(SHEET, "sheet_spirit", (UH, SA, FMGR), {"hours": 2000.0}, REFUSED),
    *write(SHEET, "sheet_spirit", (UH, SA, FMGR), {"total": 99.0}, REFUSED),
    *write(SHEET, "sheet_spirit", (UH, SA, FMGR), {"state": "school_signed"}, REFUSED),
    *write(SHEET, "sheet_spirit", (UH, SA, FMGR), {"unit_signer_id": ref("unit_head")}, REFUSED),
    *write(LINE, "line_spirit", (UH, SA, FMGR), {"points_computed": 30.0}, REFUSED),
    *write(UNIT, "unit_research", (UH, SA, FMGR), {"state": "unit_signed"}, REFUSED),
    *write(UNIT_LINE, "unit_line_research", (UH, SA, FMGR), {"points_unit": 1.0}, REFUSED),
    *write(CAMPAIGN, "campaign_f", (FMGR,), {"state": "closed"}, REFUSED),
    *write(CAMPAIGN, "campaign_f", (FMGR,), {"year": 2046}, REFUSED),
    *write(CAMPAIGN, "campaign_f", (UH, SA), {"self_deadline": "2042-01-31"}, REFUSED),
    *write(CAMPAIGN, "campaign_f", (FMGR,), {"date_to": "2041-06-30"}, REFUSED),
    *rows("unlink", CAMPAIGN, "campaign_p", (FMGR,), None, ALLOWED),
    *rows("unlink", CAMPAIGN, "campaign_p", (UH, SA, IM, REVIEWER), None, REFUSED),
    # the school's acceptance of a case: by its buttons only
    *write(CASE, "case_research", (UH, SA, FMGR), {"school_accepted": False}, REFUSED),
    # whose forms one finds
    *search(SHEET, "sheet_nmr", (UH, IM), [("id", "!=", 0)], "hidden"),
    *search(SHEET, "sheet_spirit", (UH, IM, SA, REVIEWER, FMGR), [("id", "!=", 0)], "found"),
    *search(UNIT, "unit_chem", (UH,), [("id", "!=", 0)], "hidden"),
    *search(UNIT, "unit_chem", (SA, REVIEWER, FMGR), [("id", "!=", 0)], "found"),
    *search(CASE, "case_research", (UH, SA), [("id", "!=", 0)], "found"),
    *rows("read", UNIT, "unit_research", (UH, SA), ["total", "line_ids"], ALLOWED),
    *rows("read", CAMPAIGN, "campaign_f", (UH, SA), ["name", "state"], ALLOWED),
]


@tagged("post_install", "-at_install")
class TestAccessEvalForms(AccessMatrixCase, CampaignCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.roles = dict(cls.roles, **{UH: cls.unit_head, SA: cls.school_assessor})
        cls.campaign_f = cls.new_campaign(scheme=cls.table)
        cls.campaign_p = cls.new_campaign(scheme=cls.table, year=2044, name="Preparing 2044")
        with cls.collector_patched():
            cls.campaign_f.with_user(cls.director).action_start_self_assessment()
        sheets = {sheet.instrument_id: sheet for sheet in cls.campaign_f._forms()}
        cls.sheet_spirit, cls.sheet_nmr = sheets[cls.spirit], sheets[cls.nmr]
        cls.line_spirit = cls.sheet_spirit.line_ids.filtered(
            lambda line: line.criterion_id.code == "outcomes"
        )
        cls.check_spirit = cls.sheet_spirit.check_ids.filtered(lambda c: c.item == "ledger")
        forms = {form.unit_id: form for form in cls.campaign_f._unit_forms()}
        cls.unit_research, cls.unit_chem = forms[cls.research_unit], forms[cls.chem_unit]
        cls.unit_line_research = cls.unit_research.line_ids[:1]
        cls.case_research = (
            cls.env["facility.eval.case"]
            .with_user(cls.unit_head)
            .create({"unit_eval_id": cls.unit_research.id, "section": "usage", "name": "Case"})
        )

    def test_forms_matrix(self):
        self._run([*crud_rows(MODELS), *FIELD_ROWS])

    def test_portal_sees_nothing(self):
        for model in MODELS:
            with self.subTest(model=model):
                self.assertFalse(
                    self.env[model].with_user(self.portal_user).has_access("read"), model
                )
