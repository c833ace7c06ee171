from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import FacilityCase


@tagged("post_install", "-at_install")
class TestInstrument(FacilityCase):
    def test_equipment_is_created_and_kept_in_sync(self):
        equipment = self.spirit.equipment_id
        self.assertTrue(equipment)
        self.assertEqual(equipment.name, "Test Spirit")
        self.assertEqual(equipment.technician_user_id, self.technician)
        self.spirit.write(
            {
                "name": "Spirit 120 kV",
                "building": "Lab building",
                "room": "B1-107",
                "model_name": "X",
            }
        )
        self.assertEqual(equipment.name, "Spirit 120 kV")
        self.assertEqual(equipment.location, "Lab building, B1-107")
        self.assertEqual(equipment.model, "X")
        self.assertEqual(equipment.facility_instrument_ids, self.spirit)

    def test_maintenance_requests_work_unchanged(self):
        self.env["maintenance.request"].create(
            {"name": "Column vacuum leak", "equipment_id": self.spirit.equipment_id.id}
        )
        self.spirit.equipment_id.invalidate_recordset()
        self.assertEqual(self.spirit.maintenance_open_count, 1)
        action = self.spirit.action_view_maintenance_requests()
        self.assertEqual(self.env[action["res_model"]].search_count(action["domain"]), 1)

    def test_scrapping_sets_the_equipment_scrap_date(self):
        self.t20.state = "scrapped"
        self.assertTrue(self.t20.equipment_id.scrap_date)

    def test_currency_is_cny_and_manager_contact_is_readable(self):
        self.assertEqual(self.spirit.currency_id, self.env.ref("base.CNY"))
        self.manager_spirit.partner_id.phone = "+86 10 1234 5678"
        self.assertIn("+86 10 1234 5678", self.spirit.manager_contact)
        self.assertIn(self.manager_spirit.name, self.spirit.manager_contact)

    def test_bad_input_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "latitude"):
            self.spirit.latitude = 123
        self.spirit.code = "CBI-001"
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.t20.code = "CBI-001"
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.t20.original_value = -1

    def test_is_user_qualified_without_and_with_required_level(self):
        self.assertTrue(self.spirit.is_user_qualified(self.student_a1))
        self.spirit.required_level_id = self.primary
        self.assertFalse(self.spirit.is_user_qualified(self.student_a1))
        self.grant(self.student_a1, self.spirit, self.primary)
        self.assertTrue(self.spirit.is_user_qualified(self.student_a1))

    def test_unit_action_lists_its_instruments(self):
        action = self.institution.action_view_instruments()
        found = self.env["facility.instrument"].search(action["domain"])
        self.assertEqual(found, self.spirit | self.t20 | self.titan)

    def test_counts_on_the_form(self):
        self.grant(self.student_a1, self.spirit, self.primary)
        self.env["facility.training"].create(
            {
                "instrument_id": self.spirit.id,
                "level_id": self.primary.id,
                "trainer_id": self.manager_spirit.id,
                "trainee_ids": [Command.set(self.student_a2.ids)],
            }
        )
        self.assertEqual(self.spirit.qualification_count, 1)
        self.assertEqual(self.spirit.training_count, 1)
        for method, model in (
            ("action_view_qualifications", "facility.qualification"),
            ("action_view_trainings", "facility.training"),
            ("action_view_bookings", "facility.booking"),
            ("action_view_allocations", "facility.booking.allocation"),
        ):
            action = getattr(self.spirit, method)()
            self.assertEqual(action["res_model"], model)
            self.assertEqual(action["context"]["default_instrument_id"], self.spirit.id)
            found = self.env[model].search(action["domain"])
            self.assertTrue(all(r.instrument_id == self.spirit for r in found))

    def test_category_path_is_shown_in_the_user_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        Category = self.env["facility.instrument.category"]
        parent = Category.create({"name": "Electron Microscopy"})
        child = Category.create({"name": "TEM", "parent_id": parent.id})
        parent.with_context(lang="zh_CN").name = "电子显微镜"
        self.assertEqual(child.with_context(lang="zh_CN").display_name, "电子显微镜 / TEM")
        self.assertEqual(child.with_context(lang="en_US").display_name, "Electron Microscopy / TEM")
        self.assertEqual(Category.name_search("Electron Microscopy / T")[0][0], child.id)
