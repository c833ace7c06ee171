"""Access rows of the exports area: the national classification, the export of a campaign's
forms and the national platform's export with its lines of missing data.

Every internal user reads the classification; the facility manager maintains it. The campaign's
forms are exported by those who read them (instrument managers, reviewers, unit heads, school
assessors, the director: the forms' record rules decide which forms they get); the national
platform's files by instrument managers (their instruments) and the director. Wizards are not
deleted but by the director (the vacuum deletes them)."""

from datetime import date

from odoo.tests import tagged

from odoo.addons.core_facility.tests.test_access_matrix import (
    FM,
    INTERNAL,
    NOBODY,
    ROLES,
    AccessMatrixCase,
    crud,
    crud_rows,
)

USER, PI, IM, FMGR, REVIEWER, FINANCE, PORTAL = ROLES
EXPORTERS = frozenset({IM, FMGR, REVIEWER})
NRII_EXPORTERS = frozenset({IM, FMGR})

MODELS = {
    "facility.nrii.category": (
        "nrii_category_spare",
        lambda f: {"code": "019801", "name": "Matrix Class"},
        lambda f: {"name": "Renamed"},
        crud(INTERNAL, FM, FM, FM),
    ),
    "facility.eval.export": (
        "eval_export_spare",
        lambda f: {"campaign_id": f.eval_campaign_spare.id, "kind": "annex3"},
        lambda f: {"kind": "annex2"},
        crud(EXPORTERS, EXPORTERS, EXPORTERS, FM),
    ),
    "facility.nrii.export": (
        "nrii_export_spare",
        lambda f: {"year": 2041},
        lambda f: {"year": 2040},
        crud(NRII_EXPORTERS, NRII_EXPORTERS, NRII_EXPORTERS, FM),
    ),
    "facility.nrii.export.line": (
        "nrii_export_line_spare",
        lambda f: {
            "export_id": f.nrii_export_spare.id,
            "instrument_id": f.spirit.id,
            "missing": "英文名称",
        },
        lambda f: {"missing": "产地国别"},
        crud(NRII_EXPORTERS, NRII_EXPORTERS, NRII_EXPORTERS, FM),
    ),
}

FIELD_ROWS = []

assert NOBODY == frozenset()  # nobody outside these roles: portal users and finance see none


@tagged("post_install", "-at_install")
class TestEvalExportsAccess(AccessMatrixCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.nrii_category_spare = env["facility.nrii.category"].create(
            {"code": "019802", "name": "Spare Class"}
        )
        cls.eval_campaign_spare = env["facility.eval.campaign"].create(
            {
                "name": "Matrix 2041",
                "year": 2041,
                "scheme_id": env.ref("core_facility_eval.eval_scheme_instrument").id,
                "date_from": date(2041, 1, 1),
                "date_to": date(2041, 12, 31),
            }
        )
        # wizards belong to whoever opens them: the fixtures are the instrument manager's
        cls.eval_export_spare = (
            env["facility.eval.export"]
            .with_user(cls.manager_spirit)
            .create({"campaign_id": cls.eval_campaign_spare.id})
        )
        cls.nrii_export_spare = (
            env["facility.nrii.export"].with_user(cls.manager_spirit).create({"year": 2041})
        )
        cls.nrii_export_line_spare = (
            env["facility.nrii.export.line"]
            .with_user(cls.manager_spirit)
            .create(
                {
                    "export_id": cls.nrii_export_spare.id,
                    "instrument_id": cls.spirit.id,
                    "missing": "英文名称",
                }
            )
        )

    def test_exports_area(self):
        self._run([*crud_rows(MODELS), *FIELD_ROWS])
