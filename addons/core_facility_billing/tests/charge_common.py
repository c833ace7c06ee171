from datetime import datetime, timedelta

import pytz

from odoo import Command

from odoo.addons.core_facility.models.access import permit
from odoo.addons.core_facility.tests.service_common import ServiceCase

SHANGHAI = pytz.timezone("Asia/Shanghai")


def utc(year, month, day, hour=0, minute=0):
    """A Shanghai wall-clock time as the naive UTC datetime Odoo stores."""
    local = SHANGHAI.localize(datetime(year, month, day, hour, minute))
    return local.astimezone(pytz.utc).replace(tzinfo=None)


class ChargeCase(ServiceCase):
    """The service fixtures of core_facility, with fee standards (approved, valid from
    2040-01-01) on the Spirit (internal 100 元/h, external 150 元/h, collaboration 80 元/h,
    teaching 0, walk-in 120 元/h), a light microscope under the light policy (cancel 2 h
    before), a research fund of group A (its default) and the service types' standards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.company
        cls.company.facility_dispute_days = 7
        cls.light = env["facility.instrument"].create(
            {
                "name": "Test Light Microscope",
                "unit_id": cls.center.id,
                "manager_ids": [Command.set(cls.manager_spirit.ids)],
                "booking_policy_id": env.ref("core_facility.policy_light").id,
            }
        )
        cls.underuse_policy = env["facility.booking.policy"].create(
            {"name": "Test under-use", "underuse_ratio": 0.5}
        )
        cls.fund_a = env["account.analytic.account"].create(
            {
                "name": "NSFC 2040 Cryo-EM of membranes",
                "plan_id": cls.company._facility_fund_plan().id,
                "facility_fund_code": "2040-KY-0001",
                "facility_research_group_id": cls.group_a.id,
            }
        )
        cls.fund_a2 = env["account.analytic.account"].create(
            {
                "name": "NSFC 2040 second project",
                "plan_id": cls.company._facility_fund_plan().id,
                "facility_fund_code": "2040-KY-0002",
                "facility_research_group_id": cls.group_a.id,
            }
        )
        cls.group_a.default_fund_id = cls.fund_a
        cls.spirit_std = cls.standard(cls.spirit, "internal", 100.0, walk_in_price=120.0)
        cls.standard(cls.spirit, "external", 150.0)
        cls.standard(cls.spirit, "collaboration", 80.0)
        cls.standard(cls.spirit, "teaching", 0.0)
        cls.standard(cls.light, "internal", 60.0)
        # service orders close today: their standards are valid since 2020
        for unit, price in (("sample", 200.0), ("hour", 90.0), ("item", 15.0)):
            cls.standard(cls.prep_type, "internal", price, fee_unit=unit, date_from="2020-01-01")

    @classmethod
    def standard(cls, target, category, price, fee_unit="hour", state="approved", **values):
        """A fee standard of ``target`` (instrument or service type), approved unless told."""
        key = "service_type_id" if target._name == "facility.service.type" else "instrument_id"
        vals = {
            "name": f"{target.name} {category} {fee_unit}",
            key: target.id,
            "payer_category": category,
            "fee_unit": fee_unit,
            "unit_price": price,
            "date_from": "2040-01-01",
            "state": state,
            **values,
        }
        return permit(cls.env["facility.fee.standard"].sudo()).create(vals).with_env(cls.env)

    @classmethod
    def book(cls, start, hours=2.0, instrument=None, group=None, operator=None, **values):
        """A confirmed booking made by server code (no rules: far-future times)."""
        group = group or cls.group_a
        operator = operator or (cls.student_a1 if group == cls.group_a else cls.student_b1)
        return (
            cls.env["facility.booking"]
            .sudo()
            .with_context(booking_skip_rules=True)
            .create(
                {
                    "instrument_id": (instrument or cls.spirit).id,
                    "operator_id": operator.id,
                    "research_group_id": group.id,
                    "purpose": "Charge test",
                    "date_start": start,
                    "date_stop": start + timedelta(hours=hours),
                    "state": "confirmed",
                    **values,
                }
            )
            .with_env(cls.env)
        )

    @classmethod
    def lines(cls, record):
        field = "booking_id" if record._name == "facility.booking" else "service_order_id"
        return cls.env["facility.charge"].sudo().search([(field, "=", record.id)])

    @classmethod
    def manual_line(cls, user=None, **values):
        return (
            cls.env["facility.charge"]
            .with_user(user or cls.finance)
            .create(
                {
                    "name": "Grids",
                    "instrument_id": cls.spirit.id,
                    "research_group_id": cls.group_a.id,
                    "user_id": cls.student_a1.id,
                    "date": "2040-03-05",
                    "quantity": 2.0,
                    "fee_unit": "item",
                    "unit_price": 35.5,
                    **values,
                }
            )
        )
