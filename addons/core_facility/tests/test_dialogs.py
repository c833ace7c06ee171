from lxml import etree

from odoo.tests import tagged

from .common import FacilityCase


@tagged("post_install", "-at_install")
class TestDialogs(FacilityCase):
    """Dialogs keep a proper title, and a record that is not saved offers no action."""

    def test_finder_keeps_its_title_after_a_search(self):
        finder = (
            self.env["facility.booking.finder"]
            .with_user(self.student_a1)
            .create(
                {
                    "instrument_id": self.spirit.id,
                    "research_group_id": self.group_a.id,
                    "duration_hours": 2,
                }
            )
        )
        action = finder.action_search()
        title = self.env.ref("core_facility.action_facility_booking_finder").name
        self.assertEqual(action["name"], title)
        self.assertEqual(
            (action["res_model"], action["res_id"], action["target"]),
            (finder._name, finder.id, "new"),
        )

    def test_no_action_button_on_a_record_not_saved(self):
        views = self.env["ir.ui.view"].search(
            [("type", "=", "form"), ("model", "=like", "facility.%"), ("inherit_id", "=", False)]
        )
        for view in views:
            if self.env[view.model]._transient:
                continue  # wizards act on what they were opened with
            arch = etree.fromstring(view.arch)
            for button in arch.xpath("//header/button[@type] | //div[@name='button_box']"):
                with self.subTest(view=view.xml_id, button=button.get("name")):
                    invisible = button.get("invisible", "")
                    self.assertTrue(
                        invisible == "not id" or invisible.startswith("not id or "),
                        f"visible on a new record: invisible={invisible!r}",
                    )

    def test_bookings_calendar_titles_a_new_booking(self):
        arch = etree.fromstring(self.env.ref("core_facility.view_facility_booking_calendar").arch)
        # static/src/views/booking_calendar: its dialog is titled "New Booking", not "New Event"
        self.assertEqual(arch.get("js_class"), "facility_booking_calendar")
