from contextlib import contextmanager

from odoo import Command
from odoo.tests import TransactionCase, new_test_user


class FacilityCase(TransactionCase):
    """A small facility built from scratch (no demo data): two research groups, three TEMs and a
    TEM certification scheme shaped like seed 000's 附件1."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, tz="Asia/Shanghai"))
        prefix = "core_facility.group_facility_"

        def user(login, group, **kw):
            return new_test_user(
                cls.env, login=login, groups=f"{prefix}{group}", tz="Asia/Shanghai", **kw
            )

        cls.director = user("t_director", "manager")
        cls.manager_spirit = user("t_mgr_spirit", "instrument_manager")
        cls.manager_t20 = user("t_mgr_t20", "instrument_manager")
        cls.technician = user("t_tech", "instrument_manager")
        cls.pi_a = user("t_pi_a", "pi")
        cls.pi_b = user("t_pi_b", "pi")
        cls.unit_head = user("t_unit_head", "user")
        cls.student_a1 = user("t_student_a1", "user")
        cls.student_a2 = user("t_student_a2", "user")
        cls.student_b1 = user("t_student_b1", "user")
        cls.finance = user("t_finance", "finance")
        cls.portal_user = new_test_user(cls.env, login="t_portal", groups="base.group_portal")

        Unit = cls.env["facility.unit"]
        cls.institution = Unit.create({"name": "Test Institute", "unit_type": "institution"})
        cls.center = Unit.create(
            {"name": "Imaging Center", "unit_type": "platform", "parent_id": cls.institution.id}
        )
        cls.research_unit = Unit.create(
            {
                "name": "Research Unit",
                "unit_type": "department",
                "parent_id": cls.institution.id,
                "manager_id": cls.unit_head.id,
            }
        )
        Group = cls.env["facility.research.group"]
        cls.group_a = Group.create(
            {
                "name": "Group A",
                "pi_id": cls.pi_a.id,
                "unit_id": cls.research_unit.id,
                "member_ids": [Command.set((cls.student_a1 | cls.student_a2).ids)],
            }
        )
        cls.group_b = Group.create(
            {
                "name": "Group B",
                "pi_id": cls.pi_b.id,
                "category": "external",
                "member_ids": [Command.set(cls.student_b1.ids)],
            }
        )
        Instrument = cls.env["facility.instrument"]
        cls.spirit = Instrument.create(
            {
                "name": "Test Spirit",
                "unit_id": cls.center.id,
                "manager_ids": [Command.set(cls.manager_spirit.ids)],
                "technician_ids": [Command.set(cls.technician.ids)],
                "original_value": 3500000,
            }
        )
        cls.t20 = Instrument.create(
            {
                "name": "Test T20",
                "unit_id": cls.center.id,
                "manager_ids": [Command.set(cls.manager_t20.ids)],
            }
        )
        cls.titan = Instrument.create(
            {
                "name": "Test Titan",
                "unit_id": cls.center.id,
                "manager_ids": [Command.set(cls.manager_t20.ids)],
                "is_published": False,
            }
        )
        cls.scheme = cls.env["facility.certification.scheme"].create(
            {
                "name": "Test TEM",
                "instrument_ids": [Command.set((cls.spirit | cls.t20 | cls.titan).ids)],
            }
        )
        Level = cls.env["facility.certification.level"]
        cls.primary = Level.create(
            {
                "name": "Primary",
                "sequence": 10,
                "scheme_id": cls.scheme.id,
                "trainer_policy": "staff",
                "instrument_ids": [Command.set((cls.spirit | cls.t20).ids)],
                "item_ids": [
                    Command.create({"name": "Find the sample", "sequence": 1}),
                    Command.create({"name": "Focus", "sequence": 2}),
                    Command.create({"name": "Safety", "sequence": 3, "per_instrument": False}),
                ],
            }
        )
        cls.intermediate = Level.create(
            {
                "name": "Intermediate",
                "sequence": 20,
                "scheme_id": cls.scheme.id,
                "prerequisite_id": cls.primary.id,
                "prerequisite_scope": "instrument",
                "trainer_policy": "manager",
                "allows_independent_use": True,
                "instrument_ids": [Command.set((cls.spirit | cls.t20).ids)],
                "item_ids": [Command.create({"name": "Alignment"})],
            }
        )
        cls.primary.peer_trainer_level_id = cls.intermediate
        cls.cryo = Level.create(
            {
                "name": "Cryo",
                "sequence": 30,
                "scheme_id": cls.scheme.id,
                "prerequisite_id": cls.intermediate.id,
                "prerequisite_scope": "scheme",
                "trainer_policy": "manager",
                "instrument_ids": [Command.set((cls.t20 | cls.titan).ids)],
                "item_ids": [Command.create({"name": "Low dose"})],
            }
        )

    @contextmanager
    def assertRaisesRegex(self, exception, regex):
        """Like ``assertRaises`` (which rolls back to a savepoint), checking the message too."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertRegex(str(caught.exception), regex)

    @classmethod
    def grant(cls, user, instrument, level, date_granted="2025-01-01"):
        return cls.env["facility.qualification"].create(
            {
                "user_id": user.id,
                "instrument_id": instrument.id,
                "level_id": level.id,
                "date_granted": date_granted,
            }
        )
