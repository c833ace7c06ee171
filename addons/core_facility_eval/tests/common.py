"""Fixtures shared by the evaluation's tests: core_facility's test facility, with the imaging
center placed under the research unit (a 二级单位 headed by ``unit_head``), instruments in the
evaluation's scope, an assessor of the school, a reviewer, and a campaign of 2041 on the shipped
per-instrument table (附件3, whose unit table is 附件2)."""

from datetime import date

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.core_facility.tests.common import FacilityCase

YEAR = 2041


class EvalCase(FacilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        unit_heads = env.ref("core_facility_eval.group_eval_unit_head")
        cls.unit_head.groups_id = [Command.link(unit_heads.id)]
        cls.school_assessor = new_test_user(
            env,
            login="t_school",
            groups="core_facility_eval.group_eval_school_assessor",
            tz="Asia/Shanghai",
        )
        cls.eval_reviewer = new_test_user(
            env,
            login="t_eval_reviewer",
            groups="core_facility.group_facility_reviewer",
            tz="Asia/Shanghai",
        )
        # the center belongs to the research unit: its instruments are that 二级单位's
        cls.center.parent_id = cls.research_unit
        cls.spirit.write({"original_value": 3_500_000, "account_date": date(2030, 5, 1)})
        cls.t20.write({"original_value": 1_200_000, "account_date": date(2031, 1, 1)})
        cls.titan.write({"original_value": 18_000_000, "account_date": date(2035, 3, 1)})
        cls.cheap = env["facility.instrument"].create(
            {
                "name": "Test Centrifuge",
                "unit_id": cls.center.id,
                "manager_ids": [Command.set(cls.manager_spirit.ids)],
                "original_value": 120_000,
                "account_date": date(2030, 1, 1),
            }
        )
        cls.table_instrument = env.ref("core_facility_eval.eval_scheme_instrument")
        cls.table_unit = env.ref("core_facility_eval.eval_scheme_unit")
        cls.table_benefit = env.ref("core_facility_eval.eval_scheme_benefit")

    @classmethod
    def new_campaign(cls, scheme=None, year=YEAR, **values):
        """A campaign of ``year`` (preparing) on ``scheme`` (default: the per-instrument table)."""
        return cls.env["facility.eval.campaign"].create(
            {
                "name": f"Evaluation {year}",
                "year": year,
                "scheme_id": (scheme or cls.table_instrument).id,
                "date_from": date(year, 1, 1),
                "date_to": date(year, 12, 31),
                **values,
            }
        )
