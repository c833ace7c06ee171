"""Access rows of the stats area, as real non-admin users (core_facility's matrix loop).

Spot checks are the equipment office's: the director records them, reviewers read them.
Problems: the director records and changes them, reviewers read them all, an instrument's
managers read those of their instruments; their state only through the steps. Award candidates:
proposed by the director, read by reviewers. The platform table: computed (refresh), never
created or written by hand — read by reviewers and the director, who may remove a row. (Unit
heads and school assessors are not roles of this matrix: their rows are in the area's tests.)
"""

from odoo.tests import tagged

from odoo.addons.core_facility.tests.test_access_matrix import (
    FMGR,
    HIDDEN,
    IM,
    NOBODY,
    REFUSED,
    REVIEWER,
    AccessMatrixCase,
    crud,
    crud_rows,
    locked,
    search,
)

from .common import YEAR

INSPECTION, PROBLEM = "facility.eval.inspection", "facility.eval.problem"
AWARD, PLATFORM = "facility.eval.award", "facility.eval.platform.stat"
FM = frozenset({FMGR})
READERS = frozenset({FMGR, REVIEWER})

MODELS = {
    INSPECTION: (
        "inspection_spirit",
        lambda f: {"name": "Matrix Check", "unit_id": f.research_unit.id},
        lambda f: {"findings": "<p>Ledger complete.</p>"},
        crud(READERS, FM, FM, FM),
    ),
    PROBLEM: (
        "problem_spirit",
        lambda f: {"name": "Matrix Problem", "year": YEAR, "unit_id": f.research_unit.id},
        lambda f: {"deadline": "2041-09-30"},
        crud(READERS | {IM}, FM, FM, FM),
    ),
    AWARD: (
        "award_unit",
        lambda f: {"campaign_id": f.campaign.id, "kind": "unit", "unit_id": f.spare_unit.id},
        lambda f: {"note": "Approved by the committee"},
        crud(READERS, FM, FM, FM),
    ),
    PLATFORM: (
        "platform_center",
        lambda f: {"campaign_id": f.campaign.id, "unit_id": f.spare_unit.id},
        lambda f: {"competition_hours": 12.0},
        # competition hours are entered; the figures change only through refresh()
        crud(READERS, NOBODY, FM, FM),
    ),
}
FIELD_ROWS = [
    # a problem's state and sign-offs: through its steps only
    *locked(
        PROBLEM,
        "problem_spirit",
        (FMGR,),
        {"state": "verified", "verified_by_id": lambda f: f.director.id},
    ),
    # an instrument's managers see the problems of their instruments only
    *search(PROBLEM, "problem_t20", (IM,), [], HIDDEN),
    *search(PLATFORM, "platform_center", (IM,), [], HIDDEN),
    *locked(PLATFORM, "platform_center", (FMGR,), {"hours": 9999.0}),
    *locked(AWARD, "award_unit", (IM, REVIEWER), {"note": "Mine"}),
]
assert all(row[5] == REFUSED for row in FIELD_ROWS if row[3] == "write")


@tagged("post_install", "-at_install")
class TestEvalStatsAccess(AccessMatrixCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.center.parent_id = cls.research_unit
        cls.research_unit.manager_id = cls.unit_head
        cls.campaign = env["facility.eval.campaign"].create(
            {
                "name": "Matrix Campaign",
                "year": YEAR,
                "scheme_id": env.ref("core_facility_eval.eval_scheme_instrument").id,
                "date_from": f"{YEAR}-01-01",
                "date_to": f"{YEAR}-12-31",
            }
        )
        cls.inspection_spirit = env[INSPECTION].create(
            {"name": "Spirit Check", "instrument_id": cls.spirit.id}
        )
        Problem = env[PROBLEM]
        cls.problem_spirit = Problem.create(
            {"name": "Spirit Ledger", "year": YEAR, "instrument_id": cls.spirit.id}
        )
        cls.problem_t20 = Problem.create(
            {"name": "T20 Ledger", "year": YEAR, "instrument_id": cls.t20.id}
        )
        cls.award_unit = env[AWARD].create(
            {"campaign_id": cls.campaign.id, "kind": "unit", "unit_id": cls.research_unit.id}
        )
        cls.platform_center = env[PLATFORM].create(
            {"campaign_id": cls.campaign.id, "unit_id": cls.center.id}
        )

    def test_stats_matrix(self):
        self._run(crud_rows(MODELS))

    def test_stats_field_rows(self):
        self._run(FIELD_ROWS)
