import re
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import FacilityCase


@tagged("post_install", "-at_install")
class TestPortalApplication(HttpCase, FacilityCase):
    """Applications from the portal: an external user applies, follows the stage, writes to
    staff; nobody reaches another's application; bad input is refused in words."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_b.member_ids |= cls.portal_user
        cls.portal_user.tz = "Asia/Shanghai"
        cls.prep = cls.env["facility.service.type"].create(
            {"name": "Chemical fixation and sections", "flow": "prep", "commitment_days": 21}
        )
        policy = cls.env["facility.booking.policy"].create(
            {"name": "Committee hours", "allocation_required": True}
        )
        cls.t20.booking_policy_id = policy  # published: portal users see it
        cls.titan.booking_policy_id = policy  # not published: portal users do not

    # -- helpers ---------------------------------------------------------------------------------

    def _csrf(self, page):
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def _page(self, url, status=200):
        response = self.url_open(url)
        self.assertEqual(response.status_code, status, url)
        return response.text

    def _service_data(self, page, **values):
        data = {
            "csrf_token": self._csrf(page),
            "title": "Synapses of the zebrafish retina",
            "research_group_id": self.group_b.id,
            "service_type_id": self.prep.id,
            "sample_description": "Retina, 5 dpf larvae, 6 samples",
            "sample_source": "Zebrafish facility, Nanchang University",
            "techniques": "High-pressure freezing and freeze substitution",
            "expected_outcome": "Serial sections of the outer plexiform layer",
            "time_frame": "Within two months",
            "submit": "1",
        }
        data.update(values)
        return {key: value for key, value in data.items() if value is not None}

    def _post(self, url, data, files=None):
        return self.url_open(url, data=data, files=files)

    def _mine(self):
        return self.env["facility.application"].search([("applicant_id", "=", self.portal_user.id)])

    # -- the flow --------------------------------------------------------------------------------

    def test_external_user_submits_a_service_application_and_follows_it(self):
        self.authenticate("t_portal", "t_portal")
        home = self._page("/my/home")
        self.assertIn("/my/applications", home)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["facility_application_count"]}
        )
        self.assertEqual(counters["facility_application_count"], 0)

        chooser = self._page("/my/applications/new")
        self.assertIn("/my/applications/new?kind=service", chooser)
        form = self._page("/my/applications/new?kind=service")
        self.assertIn("o_facility_application_form", form)
        self.assertIn("Chemical fixation and sections", form)
        # a service application asks for the service's fields, not the instrument hours
        self.assertIn('name="sample_source"', form)
        self.assertNotIn('name="line_instrument_0"', form)
        self.assertNotIn('name="scientific_question"', form)

        response = self._post(
            "/my/applications/new?kind=service",
            self._service_data(form),
            files={"attachments": ("protocol.txt", b"Fix in 2.5% glutaraldehyde", "text/plain")},
        )
        self.assertEqual(response.status_code, 200)
        application = self._mine()
        self.assertEqual(len(application), 1)
        # notifications link to the application's portal page
        self.assertEqual(application.access_url, f"/my/applications/{application.id}")
        self.assertRecordValues(
            application,
            [
                {
                    "kind": "service",
                    "state": "submitted",
                    "research_group_id": self.group_b.id,
                    "service_type_id": self.prep.id,
                    "sample_source": "Zebrafish facility, Nanchang University",
                    "time_frame": "Within two months",
                }
            ],
        )
        self.assertTrue(application.submit_date)
        self.assertNotEqual(application.name, "/")
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "facility.application"), ("res_id", "=", application.id)]
        )
        self.assertEqual(attachment.name, "protocol.txt")
        self.assertEqual(attachment.raw, b"Fix in 2.5% glutaraldehyde")
        # the page of the new application tells it is submitted, shows the file and the chatter
        self.assertIn(f"/my/applications/{application.id}", response.url)
        self.assertIn("o_facility_application_done", response.text)
        self.assertIn("protocol.txt", response.text)
        self.assertIn("o_portal_chatter", response.text)
        self.assertIn(f'data-token="{application.access_token}"', response.text)

        listing = self._page("/my/applications")
        self.assertEqual(listing.count('class="o_facility_application"'), 1)
        self.assertIn(application.name, listing)
        self.assertIn('data-state="submitted"', listing)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["facility_application_count"]}
        )
        self.assertEqual(counters["facility_application_count"], 1)
        pending = self._page("/my/applications?filterby=pending")
        self.assertIn(application.name, pending)
        self.assertNotIn(application.name, self._page("/my/applications?filterby=draft"))

        # the committee reviews it, then approves it: the page follows
        application.sudo()._write_guarded({"state": "in_review"})
        page = self._page(f"/my/applications/{application.id}")
        self.assertIn('data-state="in_review"', page)
        self.assertRegex(page, r"(?s)o_step_current.{0,200}?>3\. In Review<")
        self.assertIn("o_facility_application_withdraw", page)
        application.sudo()._write_guarded(
            {
                "state": "approved",
                "decision_date": fields.Datetime.now(),
                "decision_note": "<p>Approved: send the samples on Monday.</p>",
            }
        )
        order = self.env["facility.service.order"]._create_from_application(application)
        page = self._page(f"/my/applications/{application.id}")
        self.assertIn("Approved: send the samples on Monday.", page)
        self.assertIn(f"/my/service-orders/{order.id}", page)
        self.assertNotIn("o_facility_application_withdraw", page)
        self.assertNotIn("o_step_current", page)

    def test_applicant_writes_to_staff_in_the_chatter(self):
        application = self._draft(self.portal_user)
        self.authenticate("t_portal", "t_portal")
        page = self._page(f"/my/applications/{application.id}")
        token = re.search(r'data-token="([^"]+)"', page).group(1)
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "facility.application",
                "thread_id": application.id,
                "post_data": {
                    "body": "The samples leave Nanchang today.",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                },
                "token": token,
            },
        )
        message = application.message_ids.filtered(lambda m: "leave Nanchang" in str(m.body or ""))
        self.assertEqual(message.author_id, self.portal_user.partner_id)
        # staff's internal notes and files stay internal
        staff = self.env["facility.application"].with_user(self.director).browse(application.id)
        note_file = (
            self.env["ir.attachment"]
            .with_user(self.director)
            .create(
                {
                    "name": "reviewer-notes.txt",
                    "raw": b"weak",
                    "res_model": "mail.compose.message",
                    "res_id": 0,
                }
            )
        )
        staff.message_post(
            body="Weak preliminary data.",
            subtype_xmlid="mail.mt_note",
            attachment_ids=note_file.ids,
        )
        self.env["ir.attachment"].with_user(self.director).create(
            {
                "name": "committee-scores.txt",
                "raw": b"3/5",
                "res_model": application._name,
                "res_id": application.id,
            }
        )
        page = self._page(f"/my/applications/{application.id}")
        self.assertNotIn("reviewer-notes.txt", page)
        self.assertNotIn("committee-scores.txt", page)
        messages = self.make_jsonrpc_request(
            "/mail/chatter_fetch",
            {"thread_model": application._name, "thread_id": application.id, "token": token},
        )
        bodies = str(messages["data"])
        self.assertIn("leave Nanchang", bodies)
        self.assertNotIn("Weak preliminary data", bodies)

    def _draft(self, user, group=None, **values):
        return (
            self.env["facility.application"]
            .sudo()
            .create(
                {
                    "kind": "service",
                    "title": f"Application of {user.login}",
                    "applicant_id": user.id,
                    "research_group_id": (group or user.facility_group_ids[:1]).id,
                    "service_type_id": self.prep.id,
                    **values,
                }
            )
        )

    def test_draft_saved_edited_then_submitted_from_its_page(self):
        self.authenticate("t_portal", "t_portal")
        form = self._page("/my/applications/new?kind=service")
        response = self._post(
            "/my/applications/new?kind=service",
            self._service_data(form, submit="0", sample_source=""),
        )
        self.assertEqual(response.status_code, 200)
        draft = self._mine()
        self.assertEqual(draft.state, "draft")
        self.assertIn("o_facility_application_edit", response.text)
        self.assertIn("o_facility_application_submit", response.text)

        edit = self._page(f"/my/applications/{draft.id}/edit")
        self.assertIn('value="Synapses of the zebrafish retina"', edit)
        response = self._post(
            f"/my/applications/{draft.id}/edit",
            self._service_data(edit, submit="0", title="Synapses, second try"),
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(draft.title, "Synapses, second try")
        self.assertEqual(len(self._mine()), 1)

        response = self._post(
            f"/my/applications/{draft.id}/submit", {"csrf_token": self._csrf(response.text)}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(draft.state, "submitted")
        # a submitted application is no longer edited
        self._page(f"/my/applications/{draft.id}/edit", status=404)

    def test_applicant_withdraws_a_pending_application(self):
        self.authenticate("t_portal", "t_portal")
        form = self._page("/my/applications/new?kind=service")
        self._post("/my/applications/new?kind=service", self._service_data(form))
        application = self._mine()
        self.assertEqual(application.state, "submitted")
        page = self._page(f"/my/applications/{application.id}")
        response = self._post(
            f"/my/applications/{application.id}/withdraw", {"csrf_token": self._csrf(page)}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(application.state, "withdrawn")
        # withdrawn by the portal user, not by a superuser in their name
        self.assertEqual(application.write_uid, self.portal_user)
        tracking = application.message_ids.filtered(lambda m: m.tracking_value_ids)[:1]
        self.assertEqual(tracking.author_id, self.portal_user.partner_id)
        self.assertIn("o_step_stopped", response.text)
        self.assertNotIn("o_facility_application_withdraw", response.text)

    def test_instrument_time_asks_hours_per_month_on_committee_instruments(self):
        self.authenticate("t_portal", "t_portal")
        form = self._page("/my/applications/new?kind=instrument_time")
        self.assertIn('name="line_instrument_0"', form)
        self.assertIn('name="scientific_question"', form)
        self.assertNotIn('name="sample_source"', form)
        # committee instruments the user sees: T20; not the unpublished Titan nor the Spirit
        self.assertIn("Test T20", form)
        self.assertNotIn("Test Titan", form)
        self.assertNotIn("Test Spirit", form)
        month = fields.Date.today().replace(day=1)
        next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        data = {
            "csrf_token": self._csrf(form),
            "title": "Cryo-ET of mitochondria",
            "research_group_id": self.group_b.id,
            "research_background": "Cristae <b>remodelling</b>\nin neurons",
            "scientific_question": "How do cristae change under stress?",
            "line_instrument_0": self.t20.id,
            "line_month_0": month.strftime("%Y-%m"),
            "line_hours_0": "24",
            "line_instrument_1": self.t20.id,
            "line_month_1": next_month.strftime("%Y-%m"),
            "line_hours_1": "16.5",
            "submit": "0",
        }
        response = self._post("/my/applications/new?kind=instrument_time", data)
        self.assertEqual(response.status_code, 200)
        application = self._mine()
        self.assertEqual(application.kind, "instrument_time")
        self.assertEqual(
            [(line.month, line.hours_requested) for line in application.line_ids],
            [(month, 24.0), (next_month, 16.5)],
        )
        self.assertEqual(application.line_ids.instrument_id, self.t20)
        # the text typed is escaped, its lines kept
        self.assertIn("&lt;b&gt;remodelling&lt;/b&gt;", application.research_background)
        self.assertNotIn("<b>", application.research_background)

        cases = [
            ({"line_instrument_0": self.titan.id}, "row 1: choose an instrument of the list"),
            ({"line_instrument_0": self.spirit.id}, "row 1: choose an instrument of the list"),
            ({"line_month_0": "2001-01"}, "row 1: 2001-01 is out of range"),
            ({"line_month_0": "March"}, "row 1: give the month"),
            ({"line_hours_0": "0"}, "row 1: give the hours asked"),
            ({"line_hours_0": "nan"}, "row 1: give the hours asked"),
            ({"line_hours_0": "1e9"}, "row 1: give the hours asked"),
            ({"line_month_1": month.strftime("%Y-%m")}, "row 2: Test T20 in"),
        ]
        for values, message in cases:
            with self.subTest(values=values):
                response = self._post(
                    "/my/applications/new?kind=instrument_time", {**data, **values}
                )
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.text)
                self.assertIn("o_facility_application_form", response.text)
        self.assertEqual(len(self._mine()), 1)

    def test_each_kind_asks_its_own_fields(self):
        self.authenticate("t_portal", "t_portal")
        special = {"special_request", "experimental_risk", "expected_result"}
        expected = {
            "service": {
                "service_type_id",
                "sample_source",
                "sample_description",
                "techniques",
                "expected_outcome",
                "time_frame",
                *special,
            },
            "instrument_time": {
                "line_month_0",
                "research_background",
                "scientific_question",
                "sample_description",
                "expected_outcome",
                *special,
            },
            "collaboration": {
                "collaboration_mode",
                "progress_stage",
                "research_background",
                "scientific_question",
                "expected_outcome",
            },
            "consultation": {"question", "instrument_id"},
        }
        every = set().union(*expected.values())
        for kind, names in expected.items():
            with self.subTest(kind=kind):
                form = self._page(f"/my/applications/new?kind={kind}")
                self.assertEqual({n for n in every if f'name="{n}"' in form}, names)
        self._page("/my/applications/new?kind=bogus", status=404)

    # -- refusals --------------------------------------------------------------------------------

    def test_bad_input_is_refused_in_words_with_the_input_kept(self):
        self.authenticate("t_portal", "t_portal")
        form = self._page("/my/applications/new?kind=service")
        cases = [
            ({"research_group_id": self.group_a.id}, "Choose one of your research groups"),
            ({"research_group_id": "abc"}, "Choose one of your research groups"),
            ({"research_group_id": "99999999999"}, "Choose one of your research groups"),
            ({"title": "   "}, "Give the application a title"),
            ({"title": "x" * 5000}, "at most 200 characters; it has 5000"),
            ({"techniques": "y" * 20000}, "at most 10000 characters; it has 20000"),
            ({"service_type_id": "abc"}, "choose one of the values offered"),
            ({"service_type_id": "99999999999"}, "choose one of the values offered"),
            ({"special_request": "vip"}, "choose one of the values offered"),
        ]
        for values, message in cases:
            with self.subTest(values={k: str(v)[:30] for k, v in values.items()}):
                response = self._post(
                    "/my/applications/new?kind=service", self._service_data(form, **values)
                )
                self.assertEqual(response.status_code, 400)
                self.assertIn("o_facility_application_error", response.text)
                self.assertIn(message, response.text)
                # the form comes back with what the user typed
                self.assertIn("o_facility_application_form", response.text)
                self.assertIn("Zebrafish facility, Nanchang University", response.text)
                self.assertIn("Retina, 5 dpf larvae, 6 samples", response.text)
        # several problems are told at once
        response = self._post(
            "/my/applications/new?kind=service",
            self._service_data(form, title="", research_group_id="x", service_type_id="y"),
        )
        self.assertEqual(response.status_code, 400)
        for message in ("research groups", "title", "choose one of the values offered"):
            self.assertIn(message, response.text)
        # markup typed is shown back as text, never run
        response = self._post(
            "/my/applications/new?kind=service",
            self._service_data(form, title="", techniques="<script>alert(1)</script>"),
        )
        self.assertNotIn("<script>alert(1)</script>", response.text)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", response.text)
        self.assertFalse(self._mine())

    def test_files_are_capped(self):
        self.authenticate("t_portal", "t_portal")
        form = self._page("/my/applications/new?kind=service")
        too_many = [("attachments", (f"f{i}.txt", b"x", "text/plain")) for i in range(6)]
        response = self._post(
            "/my/applications/new?kind=service", self._service_data(form), files=too_many
        )
        self.assertEqual(response.status_code, 413)
        self.assertIn("Attach at most 5 files; 6 were sent", response.text)
        self.assertIn("Zebrafish facility, Nanchang University", response.text)
        self.assertFalse(self._mine())

    def test_a_refused_submission_keeps_the_form_and_saves_nothing(self):
        self.authenticate("t_portal", "t_portal")
        form = self._page("/my/applications/new?kind=service")
        # the kind's required fields are the submission's business: without a service
        # type it is refused, in words, and nothing is kept
        response = self._post(
            "/my/applications/new?kind=service",
            self._service_data(form, service_type_id="", sample_description=""),
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("o_facility_application_error", response.text)
        self.assertIn("Synapses of the zebrafish retina", response.text)
        self.assertFalse(self._mine())

    def test_others_applications_are_not_found(self):
        mate = self._draft(self.student_b1, self.group_b)  # same group, another applicant
        other = self._draft(self.student_a1, self.group_a)
        self.authenticate("t_portal", "t_portal")
        listing = self._page("/my/applications")
        self.assertNotIn(mate.title, listing)
        self.assertNotIn(other.title, listing)
        csrf = self._csrf(self._page("/my/applications/new?kind=service"))
        for application_id in (mate.id, other.id, "abc", "0", "-1", "99999999999"):
            with self.subTest(application_id=application_id):
                for suffix in ("", "/edit"):
                    response = self.url_open(f"/my/applications/{application_id}{suffix}")
                    self.assertEqual(response.status_code, 404)
                    self.assertIn("You have no application with this number", response.text)
                for action in ("submit", "withdraw"):
                    response = self._post(
                        f"/my/applications/{application_id}/{action}",
                        {"csrf_token": csrf},
                    )
                    self.assertEqual(response.status_code, 404)
        self.assertEqual((mate.state, other.state), ("draft", "draft"))

    def test_anonymous_visitors_are_sent_to_login(self):
        response = self.url_open("/my/applications", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])

    # -- internal users --------------------------------------------------------------------------

    def test_internal_facility_user_has_the_tile_and_applies(self):
        self.authenticate("t_student_a1", "t_student_a1")
        home = self._page("/my/home")
        self.assertIn("/my/applications", home)
        self.assertIn("facility_application_count", home)
        form = self._page("/my/applications/new?kind=consultation")
        data = {
            "csrf_token": self._csrf(form),
            "title": "Which grids for a membrane protein?",
            "research_group_id": self.group_a.id,
            "question": "Which grids and blotting times for a 150 kDa membrane protein?",
            "submit": "0",
        }
        response = self._post("/my/applications/new?kind=consultation", data)
        self.assertEqual(response.status_code, 200)
        application = self.env["facility.application"].search(
            [("applicant_id", "=", self.student_a1.id)]
        )
        self.assertEqual((application.kind, application.state), ("consultation", "draft"))
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["facility_application_count"]}
        )
        self.assertEqual(counters["facility_application_count"], 1)
        # the group's PI follows it too
        self.authenticate("t_pi_a", "t_pi_a")
        self.assertIn(application.title, self._page("/my/applications"))
        self._page(f"/my/applications/{application.id}")
        # a group's applications are their own: the other group's PI does not see them
        self.authenticate("t_pi_b", "t_pi_b")
        self.assertNotIn(application.title, self._page("/my/applications"))
        self._page(f"/my/applications/{application.id}", status=404)
