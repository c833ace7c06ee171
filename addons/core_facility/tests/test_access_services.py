"""The access matrix of entrusted services: service types, orders, their steps, samples and
consumables, and complaints, per role (same roles and loop as test_access_matrix).

- staff (the service type's group leader, the managers of its instruments) and the facility
  manager manage orders; an instrument manager of other instruments reads the queue but does not
  change it;
- the applicant reads his orders, the PI his group's (and writes his opinion); finance reads all
  orders (billing); a reviewer reads only those he applied for or leads as PI; portal users read
  their own;
- steps are written by the orders' actions only;
- complaints are read by the complainant, the order's PI and the recipients (group leader,
  director, chief expert); the complainant writes the complaint, the recipients the answer.
"""

from odoo import Command
from odoo.tests import new_test_user, tagged

from .test_access_matrix import (
    ALLOWED,
    EVERYONE,
    FINANCE,
    FM,
    FMGR,
    IM,
    NOBODY,
    PI,
    PORTAL,
    REFUSED,
    REVIEWER,
    USER,
    AccessMatrixCase,
    create,
    crud,
    crud_rows,
    locked,
    ref,
    rows,
    write,
)

STAFF = frozenset({"instrument manager", "facility manager"})
# the applicant, the PI, staff and finance (billing); a reviewer who applies for nothing and
# leads no group reads no order: orders carry the applications' decisions
READERS = frozenset({"user", "pi", "instrument manager", "facility manager", "finance"})
ORDER, STEP, SAMPLE = "facility.service.order", "facility.service.step", "facility.service.sample"
CONSUMABLE, COMPLAINT = "facility.service.consumable", "facility.complaint"

MODELS = {
    "facility.service.type": (
        "spare_service_type",
        lambda f: {"name": "Matrix Service", "flow": "prep"},
        lambda f: {"commitment_days": 30},
        crud(EVERYONE, FM, FM, FM),
    ),
    ORDER: (
        "order_a",
        lambda f: {
            "service_type_id": f.service_type.id,
            "research_group_id": f.group_a.id,
            "applicant_id": f.student_a1.id,
        },
        lambda f: {"title": "Tokuyasu sections"},
        crud(READERS, STAFF, STAFF, FM),
    ),
    STEP: (
        "step_a",
        lambda f: {"order_id": f.order_a.id, "step": "closed"},
        lambda f: {"note": "Forged"},
        crud(READERS, NOBODY, NOBODY, NOBODY),
    ),
    SAMPLE: (
        "sample_a",
        lambda f: {"order_id": f.order_a.id, "description": "Mouse kidney, 1 mm³"},
        lambda f: {"description": "Mouse liver"},
        crud(READERS, STAFF, STAFF, STAFF),
    ),
    CONSUMABLE: (
        "consumable_a",
        lambda f: {"order_id": f.order_a.id, "name": "Slot grids", "quantity": 5},
        lambda f: {"quantity": 6},
        crud(READERS, STAFF, STAFF, STAFF),
    ),
    COMPLAINT: (
        "complaint_a",
        lambda f: {"order_id": f.order_a.id, "description": "Sections too thick"},
        lambda f: {"description": "Sections far too thick"},
        # the recipients are the facility manager (director) and the reviewer (chief expert)
        crud(
            {"user", "pi", "facility manager", "reviewer"},
            {"user", "pi", "facility manager"},
            {"user"},
            FM,
        ),
    ),
}

FIELD_ROWS = [
    # a service type with orders is archived, not deleted
    *rows("unlink", "facility.service.type", "service_type", (FMGR,), None, REFUSED),
    # orders: what others trust changes only through the actions
    *locked(
        ORDER,
        "order_a",
        (IM, FMGR),
        {
            "state": "closed",
            "approval_date": "2030-01-01 00:00:00",
            "sample_qualified_date": "2030-01-01 00:00:00",
            "commitment_done_date": "2030-01-01",
            "escalated_date": "2030-01-01 00:00:00",
            "leader_approved_by_id": ref("director"),
            "pi_signed_date": "2030-01-01 00:00:00",
            "negotiated_approved_date": "2030-01-01 00:00:00",
        },
    ),
    *create(ORDER, (IM, FMGR), lambda f: dict(MODELS[ORDER][1](f), state="closed"), ALLOWED),
    # the PI writes his opinion, nothing else; nobody else writes it
    *write(ORDER, "order_a", (PI,), {"pi_opinion": "Agreed"}, ALLOWED),
    *write(ORDER, "order_a", (PI,), {"staff_hours": 3}, REFUSED),
    *write(ORDER, "order_a", (IM, FMGR, USER), {"pi_opinion": "Forged"}, REFUSED),
    *write(ORDER, "order_b", (PI,), {"pi_opinion": "Not my group"}, REFUSED),
    # an instrument manager of other instruments reads the queue, does not change it
    *write(ORDER, "order_other", (IM,), {"title": "Not mine"}, REFUSED),
    *create(
        ORDER, (IM,), lambda f: dict(MODELS[ORDER][1](f), service_type_id=f.other_type.id), REFUSED
    ),
    # once reviewed, who and what are fixed
    *write(ORDER, "order_reviewed", (IM, FMGR), {"research_group_id": ref("group_b")}, REFUSED),
    *write(ORDER, "order_reviewed", (IM, FMGR), {"staff_hours": 2.5}, ALLOWED),
    # portal users read their own orders, with their steps and samples
    *rows("read", ORDER, "order_b", (PORTAL,), ["name", "state", "date_deadline"], ALLOWED),
    *rows("read", ORDER, "order_b", (USER,), ["name"], REFUSED),
    # a reviewer reads no order (he is nobody's applicant or PI here), nor its parts
    *rows("read", ORDER, "order_b", (REVIEWER,), ["name", "expert_opinion"], REFUSED),
    *rows("read", STEP, "step_b", (REVIEWER,), ["step"], REFUSED),
    *rows("read", SAMPLE, "sample_b", (REVIEWER,), ["name"], REFUSED),
    *rows("read", ORDER, "order_b", (FINANCE,), ["name", "staff_hours"], ALLOWED),
    *rows("read", STEP, "step_b", (PORTAL,), ["step", "date", "user_id"], ALLOWED),
    *rows("read", SAMPLE, "sample_b", (PORTAL,), ["name", "state"], ALLOWED),
    *write(ORDER, "order_b", (PORTAL,), {"pi_opinion": "Portal"}, REFUSED),
    # samples: judged through the actions only
    *locked(
        SAMPLE, "sample_a", (IM, FMGR), {"state": "qualified", "judged_by_id": ref("director")}
    ),
    *create(SAMPLE, (IM,), lambda f: {"order_id": f.order_other.id, "description": "X"}, REFUSED),
    # complaints: state and answer through the actions; the answer by the recipients
    *locked(
        COMPLAINT,
        "complaint_a",
        (USER, FMGR),
        {"state": "closed", "answered_date": "2030-01-01 00:00:00"},
    ),
    *write(COMPLAINT, "complaint_a", (REVIEWER, FMGR), {"answer": "<p>Re-cut</p>"}, ALLOWED),
    *write(COMPLAINT, "complaint_a", (USER, PI), {"answer": "<p>Self</p>"}, REFUSED),
    *create(COMPLAINT, (REVIEWER, FINANCE), lambda f: MODELS[COMPLAINT][1](f), REFUSED),
    *rows("read", COMPLAINT, "complaint_b", (PORTAL,), ["name", "state"], ALLOWED),
]


@tagged("post_install", "-at_install")
class TestAccessServices(AccessMatrixCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env.company.write(
            {"facility_director_id": cls.director.id, "facility_chief_expert_id": cls.reviewer.id}
        )
        cls.leader = new_test_user(
            env, login="t_matrix_leader", groups="core_facility.group_facility_instrument_manager"
        )
        Type = env["facility.service.type"]
        cls.service_type = Type.create(
            {
                "name": "Matrix Prep",
                "flow": "prep",
                "commitment_days": 21,
                "commitment_start": "sample",
                "leader_id": cls.leader.id,
                "instrument_ids": [Command.set(cls.spirit.ids)],
            }
        )
        cls.spare_service_type = Type.create({"name": "Spare Service", "flow": "em"})
        cls.other_type = Type.create(
            {"name": "Other Prep", "flow": "prep", "instrument_ids": [Command.set(cls.t20.ids)]}
        )
        Order = env["facility.service.order"]
        cls.order_a = Order.create(
            {
                "service_type_id": cls.service_type.id,
                "research_group_id": cls.group_a.id,
                "applicant_id": cls.student_a1.id,
            }
        )
        cls.order_b = Order.create(
            {
                "service_type_id": cls.service_type.id,
                "research_group_id": cls.group_b.id,
                "applicant_id": cls.portal_user.id,
            }
        )
        cls.order_other = Order.create(
            {
                "service_type_id": cls.other_type.id,
                "research_group_id": cls.group_a.id,
                "applicant_id": cls.student_a1.id,
            }
        )
        cls.order_reviewed = Order.create(
            {
                "service_type_id": cls.service_type.id,
                "research_group_id": cls.group_a.id,
                "applicant_id": cls.student_a2.id,
            }
        )
        cls.order_reviewed.with_user(cls.leader).action_review()
        cls.step_a = cls.order_a.step_ids
        cls.step_b = cls.order_b.step_ids
        Sample = env["facility.service.sample"]
        cls.sample_a = Sample.create({"order_id": cls.order_a.id, "description": "Kidney"})
        cls.sample_b = Sample.create({"order_id": cls.order_b.id, "description": "Yeast"})
        cls.consumable_a = env["facility.service.consumable"].create(
            {"order_id": cls.order_a.id, "name": "Grids", "quantity": 10}
        )
        Complaint = env["facility.complaint"]
        cls.complaint_a = (
            Complaint.with_user(cls.student_a1)
            .create({"order_id": cls.order_a.id, "description": "Sections too thick"})
            .with_env(env)
        )
        cls.complaint_b = (
            Complaint.with_user(cls.portal_user)
            .sudo()
            .create(
                {
                    "order_id": cls.order_b.id,
                    "complainant_id": cls.portal_user.id,
                    "description": "Late results",
                }
            )
            .with_env(env)
        )

    def test_service_models(self):
        self._run([*crud_rows(MODELS), *FIELD_ROWS])
