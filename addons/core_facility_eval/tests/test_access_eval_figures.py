"""Access rows of the figures area: the early warning and the off-campus flag of research groups,
as real non-admin users (core_facility's matrix loop).

The early warning is written by its cron only (no one creates or writes a forecast; facility
managers may delete one, the next refresh makes it again). Instrument managers read their own
instruments' forecasts; reviewers and the director read all; unit heads and school assessors
(roles of this addon, tested with the forms) read theirs. Whether a group is outside the
university (校外) — what makes its hours external-service hours — is a facility manager's call.
"""

from odoo.tests import tagged

from odoo.addons.core_facility.tests.test_access_matrix import (
    ALLOWED,
    FINANCE,
    FM,
    FMGR,
    FOUND,
    HIDDEN,
    IM,
    PI,
    REFUSED,
    REVIEWER,
    USER,
    AccessMatrixCase,
    crud,
    crud_rows,
    search,
    write,
)

FORECAST = "facility.eval.forecast"
GROUP = "facility.research.group"
YEAR = 2041

MODELS = {
    FORECAST: (
        "forecast_spirit",
        lambda f: {
            "instrument_id": f.titan.id,
            "year": YEAR,
            "company_id": f.env.company.id,
            "projected_hours": 900,
        },
        lambda f: {"projected_hours": 1600, "alert": False},
        crud(frozenset({IM, FMGR, REVIEWER}), frozenset(), frozenset(), FM),
    ),
}
FIELD_ROWS = [
    # instrument managers find their instruments' forecasts only
    *search(FORECAST, "forecast_spirit", (IM, FMGR, REVIEWER), [("year", "=", YEAR)], FOUND),
    *search(FORECAST, "forecast_t20", (IM,), [("year", "=", YEAR)], HIDDEN),
    *search(FORECAST, "forecast_t20", (FMGR, REVIEWER), [("year", "=", YEAR)], FOUND),
    *search(FORECAST, "forecast_spirit", (USER, PI, FINANCE), [("year", "=", YEAR)], HIDDEN),
    # 校外 is the facility manager's call
    *write(GROUP, "group_a", (PI, IM, FINANCE), {"is_off_campus": True}, REFUSED),
    *write(GROUP, "group_a", (FMGR,), {"is_off_campus": True}, ALLOWED),
]


@tagged("post_install", "-at_install")
class TestAccessEvalFigures(AccessMatrixCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Forecast = cls.env[FORECAST]
        values = {"year": YEAR, "company_id": cls.env.company.id, "projected_hours": 640}
        cls.forecast_spirit = Forecast.create({"instrument_id": cls.spirit.id, **values})
        cls.forecast_t20 = Forecast.create({"instrument_id": cls.t20.id, **values})

    def test_figures_matrix(self):
        self._run(crud_rows(MODELS))

    def test_figures_field_rows(self):
        self._run(FIELD_ROWS)
