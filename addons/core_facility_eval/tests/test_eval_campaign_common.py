"""Fixtures of the campaign and forms tests: small scoring tables the tests create (so that they
read as the workflow's specification whatever the shipped tables say), a second 二级单位 with its
own head, and the collector's figures chosen by the test (the collector reads the records; here
its ``collect`` and ``in_scope`` answer what the test says, so demo data changes nothing).

The tables: per instrument, hours in bands (0 → 0, under 800 → 8, from 800 → 22), the daily
management (5, −1 per missing item) and outcomes (1 point each, at most 10), failing under 30
points or 800 hours; per unit, the average of the instruments' hours points ÷ 2 (at most 11) and
showcase cases of use (1 each, at most 5), failing under 10 points.
"""

from contextlib import contextmanager
from copy import deepcopy
from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user

from .common import YEAR, EvalCase


def band(low, high, points, low_closed=True, high_closed=False, no_high=False):
    return Command.create(
        {
            "low": low,
            "high": high,
            "points": points,
            "low_closed": low_closed,
            "high_closed": high_closed,
            "no_high": no_high,
        }
    )


class CampaignCase(EvalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Scheme = env["facility.eval.scheme"]
        cls.unit_table = Scheme.create(
            {
                "name": "Test Unit Table",
                "code": "test_unit",
                "level": "unit",
                "fail_below": 10,
                "section_ids": [Command.create({"code": "use", "name": "Use", "sequence": 1})],
            }
        )
        section = cls.unit_table.section_ids
        cls.unit_table.criterion_ids = [
            Command.create(
                {
                    "section_id": section.id,
                    "sequence": 1,
                    "code": "hours_avg",
                    "name": "Average of the hours points ÷ 2",
                    "method": "average",
                    "source_code": "hours",
                    "divisor": 2,
                    "max_points": 11,
                }
            ),
            Command.create(
                {
                    "section_id": section.id,
                    "sequence": 2,
                    "code": "cases_usage",
                    "name": "Showcase cases of use",
                    "method": "cases",
                    "case_section": "usage",
                    "max_points": 5,
                }
            ),
        ]
        cls.table = Scheme.create(
            {
                "name": "Test Instrument Table",
                "code": "test_instrument",
                "level": "instrument",
                "fail_below": 30,
                "hours_fail_below": 800,
                "scope_min_value": 500_000,
                "unit_scheme_id": cls.unit_table.id,
                "section_ids": [
                    Command.create({"code": "use", "name": "Use", "sequence": 1}),
                    Command.create({"code": "daily", "name": "Daily Management", "sequence": 2}),
                    Command.create({"code": "outcomes", "name": "Outcomes", "sequence": 3}),
                ],
            }
        )
        use, daily, outcomes = cls.table.section_ids.sorted("sequence")
        cls.table.criterion_ids = [
            Command.create(
                {
                    "section_id": use.id,
                    "code": "hours",
                    "name": "Annual hours",
                    "method": "band",
                    "figure": "hours",
                    "max_points": 22,
                    "band_ids": [
                        band(0, 0, 0, high_closed=True),
                        band(0, 800, 8, low_closed=False),
                        band(800, 0, 22, no_high=True),
                    ],
                }
            ),
            Command.create(
                {
                    "section_id": daily.id,
                    "code": "daily",
                    "name": "Daily management",
                    "method": "deduction",
                    "figure": "daily_missing",
                    "max_points": 5,
                }
            ),
            Command.create(
                {
                    "section_id": outcomes.id,
                    "code": "outcomes",
                    "name": "Outcomes",
                    "method": "per_item",
                    "figure": "outcomes",
                    "max_points": 10,
                }
            ),
        ]
        # a second 二级单位, headed by a second unit head, with an NMR in one of its labs
        cls.unit_head2 = new_test_user(
            env,
            login="t_unit_head2",
            groups="core_facility.group_facility_user,core_facility_eval.group_eval_unit_head",
            tz="Asia/Shanghai",
        )
        cls.chem_unit = env["facility.unit"].create(
            {
                "name": "Chemistry School",
                "unit_type": "department",
                "parent_id": cls.institution.id,
                "manager_id": cls.unit_head2.id,
            }
        )
        cls.chem_lab = env["facility.unit"].create(
            {"name": "NMR Lab", "unit_type": "lab", "parent_id": cls.chem_unit.id}
        )
        cls.nmr = env["facility.instrument"].create(
            {
                "name": "Test NMR",
                "unit_id": cls.chem_lab.id,
                "manager_ids": [Command.set(cls.manager_t20.ids)],
                "original_value": 2_000_000,
                "account_date": date(2036, 1, 1),
            }
        )
        cls.plain_user = cls.student_a1
        # what the collector answers, per instrument (the test may change it)
        cls.figures = {
            cls.spirit.id: {"hours": 1700.0, "hours_logged": 1700.0, "full_months": 12},
            cls.t20.id: {
                "hours": 600.0,
                "hours_logged": 450.0,
                "full_months": 9,
                "projects": 2,
                "papers": 1,
            },
            cls.titan.id: {
                "status": "excluded",
                "hours": 30.0,
            },
            cls.nmr.id: {"hours": 900.0, "papers": 3},
        }
        cls.in_scope = cls.spirit | cls.t20 | cls.titan | cls.nmr

    def setUp(self):
        super().setUp()
        self.figures = deepcopy(type(self).figures)  # each test changes its own
        for patcher in self.collector_patchers(self):
            self.startPatcher(patcher)

    @classmethod
    def collector_patchers(cls, holder):
        """Patchers making the collector answer ``holder.figures`` for ``holder.in_scope``."""
        Collector = type(cls.env["facility.eval.collector"])

        def collect(collector, campaign, instruments):
            return {i.id: dict(holder.figures.get(i.id, {})) for i in instruments}

        def in_scope(collector, campaign):
            return holder.in_scope.filtered(lambda i: i.original_value >= campaign.scope_min_value)

        return [
            patch.object(Collector, "collect", collect),
            patch.object(Collector, "in_scope", in_scope),
        ]

    @classmethod
    @contextmanager
    def collector_patched(cls):
        patchers = cls.collector_patchers(cls)
        for patcher in patchers:
            patcher.start()
        try:
            yield
        finally:
            for patcher in patchers:
                patcher.stop()

    # -- helpers -----------------------------------------------------------------------------

    def campaign(self, **values):
        """A campaign of the test tables, preparing."""
        return self.new_campaign(scheme=self.table, **values)

    def as_director(self, campaign):
        return campaign.with_user(self.director)

    def started(self):
        """A campaign computed and in the units' self-assessment."""
        campaign = self.campaign()
        self.as_director(campaign).action_start_self_assessment()
        return campaign

    def sheet(self, campaign, instrument):
        return campaign._forms().filtered(lambda s: s.instrument_id == instrument)

    def unit_form(self, campaign, unit):
        return campaign._unit_forms().filtered(lambda u: u.unit_id == unit)

    def line(self, sheet, code):
        return sheet.line_ids.filtered(lambda line: line.criterion_id.code == code)

    def sign_units(self, campaign):
        """Every unit head signs every form of their unit."""
        for head in (self.unit_head, self.unit_head2):
            sheets = campaign._forms().filtered(
                lambda s, h=head: (
                    s.unit_id.manager_id == h and s.status == "assessed" and s.state == "draft"
                )
            )
            sheets.with_user(head).action_unit_sign()
            forms = campaign._unit_forms().filtered(
                lambda u, h=head: u.unit_id.manager_id == h and u.state == "draft"
            )
            forms.with_user(head).action_unit_sign()

    def sign_school(self, campaign):
        assessed = campaign._forms().filtered(lambda s: s.status == "assessed")
        assessed.with_user(self.school_assessor).action_school_sign()
        campaign._unit_forms().with_user(self.school_assessor).action_school_sign()

    @contextmanager
    def refused(self, regex=None):
        """A clean refusal (whose message matches ``regex``, if given)."""
        with self.assertRaises(UserError) as caught:  # AccessError, ValidationError too
            yield caught
        if regex:
            self.assertRegex(str(caught.exception), regex)


__all__ = ["YEAR", "CampaignCase"]
