"""The access matrix of core_facility_eval: every model of the addon has a row per role and
operation, in the area matrices listed in ``AREA_MATRICES`` (each exports ``MODELS`` and
``FIELD_ROWS`` and runs them as real non-admin users through core_facility's
:class:`AccessMatrixCase`). The evaluation's own roles (unit heads, school assessors) are tested
in ``test_eval_roles``."""

import importlib

from odoo.tests import tagged

from odoo.addons.core_facility.tests.test_access_matrix import (
    OPERATIONS,
    ROLES,
    AccessMatrixCase,
    crud_rows,
)

# one module per area, appended by the area's author
AREA_MATRICES = (
    "test_access_eval_tables",
    "test_access_eval_forms",
    "test_access_eval_figures",
    "test_access_eval_exports",
    "test_access_eval_stats",
)
# models with no records of their own
ABSTRACT = {"facility.eval.collector", "facility.eval.demo", "facility.eval.demo.history"}


@tagged("post_install", "-at_install")
class TestEvalAccessMatrix(AccessMatrixCase):
    def test_matrix_covers_every_model(self):
        """Every model of core_facility_eval has its row per role and operation."""
        models = self.env["ir.model"].search([("model", "like", "facility.")])
        names = {m.model for m in models if "core_facility_eval" in (m.modules or "").split(", ")}
        names = {name for name in names if self.env[name]._original_module == "core_facility_eval"}
        self.assertIn("facility.eval.sheet", names)
        areas = [importlib.import_module(f"{__package__}.{name}") for name in AREA_MATRICES]
        covered = set().union(*(area.MODELS for area in areas))
        missing = sorted(names - covered - ABSTRACT)
        self.assertFalse(missing, f"Add the access rows of {', '.join(missing)} to the matrix")
        rows = [row for area in areas for row in (*crud_rows(area.MODELS), *area.FIELD_ROWS)]
        cells = {(row[0], row[2], row[3]) for row in rows}
        for name in names - ABSTRACT:
            for role in ROLES:
                for operation in OPERATIONS:
                    self.assertIn((name, role, operation), cells)
