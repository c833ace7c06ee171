"""Access rows of the tables area: the scoring tables, their sections, criteria and bands.

Every internal user reads the tables (an instrument manager, a unit head or an assessor sees how
a figure is scored); only facility managers (the equipment office's director) change them. Portal
users see nothing of them."""

from odoo.tests import tagged

from odoo.addons.core_facility.tests.test_access_matrix import (
    FM,
    INTERNAL,
    REFUSED,
    ROLES,
    AccessMatrixCase,
    crud,
    crud_rows,
    rows,
    write,
)

USER, PI, IM, FMGR, REVIEWER, FINANCE, PORTAL = ROLES
SCHEME, SECTION, CRITERION, BAND = (
    "facility.eval.scheme",
    "facility.eval.section",
    "facility.eval.criterion",
    "facility.eval.band",
)

MODELS = {
    SCHEME: (
        "eval_scheme_a",
        lambda f: {"name": "Matrix Table", "code": "matrix_new", "level": "instrument"},
        lambda f: {"fail_below": 50},
        crud(INTERNAL, FM, FM, FM),
    ),
    SECTION: (
        "eval_section_a",
        lambda f: {"scheme_id": f.eval_scheme_a.id, "code": "new", "name": "New Section"},
        lambda f: {"weight": 50},
        crud(INTERNAL, FM, FM, FM),
    ),
    CRITERION: (
        "eval_criterion_a",
        lambda f: {
            "section_id": f.eval_section_a.id,
            "code": "new",
            "name": "New Criterion",
            "method": "manual",
            "max_points": 5,
        },
        lambda f: {"max_points": 4},
        crud(INTERNAL, FM, FM, FM),
    ),
    BAND: (
        "eval_band_a",
        lambda f: {"criterion_id": f.eval_criterion_b.id, "low": 10, "high": 20, "points": 2},
        lambda f: {"points": 3},
        crud(INTERNAL, FM, FM, FM),
    ),
}

STAFF_AND_OTHERS = (USER, PI, IM, REVIEWER, FINANCE)

FIELD_ROWS = [
    # the shipped tables: read by everyone inside, changed by the director only
    *rows(
        "read", BAND, "hours_band", (*STAFF_AND_OTHERS, FMGR), ["points", "seed_text"], "allowed"
    ),
    *rows("read", BAND, "hours_band", (PORTAL,), ["points"], REFUSED),
    *write(BAND, "hours_band", STAFF_AND_OTHERS, {"points": 31}, REFUSED),
    *write(BAND, "hours_band", (FMGR,), {"points": 31}, "allowed"),
    *write(SCHEME, "shipped_scheme", STAFF_AND_OTHERS, {"fail_at_threshold": True}, REFUSED),
    *write(SCHEME, "shipped_scheme", (FMGR,), {"fail_at_threshold": True}, "allowed"),
    # a computed report reads for everyone inside
    *rows(
        "read",
        SCHEME,
        "shipped_scheme",
        (*STAFF_AND_OTHERS, FMGR),
        ["problem_count", "validation_report"],
        "allowed",
    ),
]


@tagged("post_install", "-at_install")
class TestAccessEvalTables(AccessMatrixCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.eval_scheme_a = env["facility.eval.scheme"].create(
            {"name": "Spare Table", "code": "matrix_spare", "level": "instrument"}
        )
        cls.eval_section_a = env["facility.eval.section"].create(
            {"scheme_id": cls.eval_scheme_a.id, "code": "spare", "name": "Spare Section"}
        )
        Criterion = env["facility.eval.criterion"]
        cls.eval_criterion_a = Criterion.create(
            {
                "section_id": cls.eval_section_a.id,
                "code": "spare",
                "name": "Spare Criterion",
                "method": "manual",
                "max_points": 5,
            }
        )
        cls.eval_criterion_b = Criterion.create(
            {
                "section_id": cls.eval_section_a.id,
                "code": "spare_band",
                "name": "Spare Banded Criterion",
                "method": "band",
                "figure": "hours",
                "max_points": 5,
            }
        )
        cls.eval_band_a = env["facility.eval.band"].create(
            {"criterion_id": cls.eval_criterion_b.id, "low": 0, "high": 10, "points": 1}
        )
        cls.shipped_scheme = env.ref("core_facility_eval.eval_scheme_instrument")
        cls.hours_band = env.ref("core_facility_eval.eval_criterion_instrument_hours_band_1")

    def test_tables_matrix(self):
        self._run([*crud_rows(MODELS), *FIELD_ROWS])

    def test_portal_sees_nothing(self):
        for model in MODELS:
            with self.subTest(model=model):
                self.assertFalse(
                    self.env[model].with_user(self.portal_user).has_access("read"), model
                )
