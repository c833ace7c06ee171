from datetime import timedelta

from odoo import Command, fields
from odoo.tests import new_test_user

from .common import FacilityCase


class ServiceCase(FacilityCase):
    """Two service types shaped like seed 000 第三章: EM imaging on the Spirit (14 days from
    approval, for external users only) and sample preparation on a high-pressure freezer (21 days
    from a qualified sample). The Spirit's manager and the freezer's manager are their staff; a
    group leader leads both; the director and the chief expert are the company's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.leader = new_test_user(
            cls.env,
            login="t_leader",
            groups="core_facility.group_facility_instrument_manager",
            tz="Asia/Shanghai",
        )
        cls.chief_expert = new_test_user(
            cls.env,
            login="t_chief_expert",
            groups="core_facility.group_facility_reviewer",
            tz="Asia/Shanghai",
        )
        cls.env.company.write(
            {
                "facility_director_id": cls.director.id,
                "facility_chief_expert_id": cls.chief_expert.id,
            }
        )
        cls.hpm = cls.env["facility.instrument"].create(
            {
                "name": "Test HPM100",
                "unit_id": cls.center.id,
                "manager_ids": [Command.set(cls.manager_t20.ids)],
            }
        )
        Type = cls.env["facility.service.type"]
        cls.em_type = Type.create(
            {
                "name": "Test EM Imaging",
                "flow": "em",
                "commitment_days": 14,
                "commitment_start": "approval",
                "commitment_external_only": True,
                "warning_days": 3,
                "leader_id": cls.leader.id,
                "external_capacity": 2,
                "instrument_ids": [Command.set(cls.spirit.ids)],
            }
        )
        cls.prep_type = Type.create(
            {
                "name": "Test Sample Preparation",
                "flow": "prep",
                "commitment_days": 21,
                "commitment_start": "sample",
                "warning_days": 3,
                "leader_id": cls.leader.id,
                "external_capacity": 1,
                "instrument_ids": [Command.set(cls.hpm.ids)],
            }
        )

    @classmethod
    def open_order(cls, service_type=None, group=None, applicant=None, staff=None, **values):
        """A service order opened by staff (registered), as the staff member."""
        service_type = service_type or cls.prep_type
        group = group or cls.group_a
        applicant = applicant or (cls.student_a1 if group == cls.group_a else cls.student_b1)
        staff = staff or cls.leader
        return (
            cls.env["facility.service.order"]
            .with_user(staff)
            .create(
                dict(
                    {
                        "title": "HPF and freeze substitution of C. elegans",
                        "service_type_id": service_type.id,
                        "research_group_id": group.id,
                        "applicant_id": applicant.id,
                    },
                    **values,
                )
            )
        )

    @classmethod
    def add_sample(cls, order, staff=None, **values):
        return (
            cls.env["facility.service.sample"]
            .with_user(staff or cls.leader)
            .create(
                dict({"order_id": order.id, "description": "Worms in cryo-protectant"}, **values)
            )
        )

    @classmethod
    def to_sample_requested(cls, order, staff=None):
        order = order.with_user(staff or cls.leader)
        order.action_review()
        order.action_request_sample()
        return order

    @classmethod
    def receive_qualified(cls, order, staff=None, received=None):
        """Review, request, receive a qualified sample (arrived at ``received``)."""
        order = cls.to_sample_requested(order, staff)
        sample = cls.add_sample(order, staff, received_date=received or fields.Datetime.now())
        sample.with_user(staff or cls.leader).action_qualify()
        order.action_receive_sample()
        return order

    @classmethod
    def booking_for(cls, order, days=3):
        """A booking on the Spirit for the order's group, made by its member."""
        start = fields.Datetime.now().replace(minute=0, second=0, microsecond=0) + timedelta(
            days=days
        )
        return (
            cls.env["facility.booking"]
            .sudo()
            .with_context(booking_skip_rules=True)
            .create(
                {
                    "instrument_id": cls.spirit.id,
                    "operator_id": cls.student_a1.id,
                    "research_group_id": cls.group_a.id,
                    "purpose": order.name,
                    "date_start": start,
                    "date_stop": start + timedelta(hours=2),
                }
            )
        )

    def steps(self, order):
        return [(s.step, s.user_id) for s in order.sudo().step_ids.sorted(lambda s: (s.date, s.id))]
