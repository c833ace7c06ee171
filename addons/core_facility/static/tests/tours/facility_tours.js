/** @odoo-module **/
// Each role's daily path, driven in a real browser by tests/test_tours.py.

import { formatDateTime } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";

const { DateTime } = luxon;

const tours = registry.category("web_tour.tours");

// The director filters the instrument kanban and opens an instrument.
tours.add("core_facility_director", {
    url: "/odoo/action-core_facility.action_facility_instrument",
    steps: () => [
        { trigger: ".o_kanban_view .o_kanban_record", content: "the instrument kanban" },
        { trigger: ".o_searchview_input", run: "edit Tour Microscope" },
        { trigger: ".o_searchview_input", run: "press Enter" },
        {
            trigger: ".o_kanban_record:contains('Tour Microscope')",
            content: "the search keeps the instrument",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_breadcrumb:contains('Tour Microscope')",
            content: "its form opens",
        },
    ],
});

// An instrument manager confirms a request from the requests kanban.
tours.add("core_facility_manager_confirm", {
    url: "/odoo/action-core_facility.action_facility_booking_to_confirm",
    steps: () => [
        {
            trigger: ".o_kanban_record:contains('Tour request') button[name=action_confirm]",
            content: "confirm the request",
            run: "click",
        },
        {
            trigger:
                ".o_kanban_view:not(:has(.o_kanban_record:contains('Tour request') button[name=action_confirm]))",
            content: "the request no longer waits",
        },
    ],
});

function localInput(days, hour) {
    const moment = new Date();
    moment.setDate(moment.getDate() + days);
    const pad = (n) => String(n).padStart(2, "0");
    return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}T${pad(hour)}:00`;
}

function setValue(selector, value) {
    return {
        trigger: selector,
        run() {
            this.anchor.value = value;
        },
    };
}

// An external user reads a refusal on the portal, books a free time, then cancels it.
tours.add("core_facility_portal_booking", {
    steps: () => [
        { trigger: "form.o_facility_booking_form", content: "the booking form of the instrument" },
        setValue("#date_start", localInput(60, 10)),
        setValue("#date_stop", localInput(60, 12)),
        { trigger: "#purpose", run: "edit Tour booking" },
        { trigger: "form.o_facility_booking_form button[type=submit]", run: "click" },
        {
            trigger: ".o_facility_booking_error",
            content: "too far ahead: refused, with the rule",
        },
        setValue("#date_start", localInput(1, 10)),
        setValue("#date_stop", localInput(1, 12)),
        { trigger: "form.o_facility_booking_form button[type=submit]", run: "click" },
        {
            trigger: "tr.o_facility_booking:contains('Tour Microscope') form[action$='/cancel'] button",
            content: "booked: it is listed, and can be cancelled",
            run: "click",
        },
        {
            trigger:
                "tr.o_facility_booking:contains('Tour Microscope'):not(:has(form[action$='/cancel']))",
            content: "cancelled",
        },
    ],
});

function typeDateTime(field, days, hour) {
    const moment = DateTime.now().plus({ days }).set({ hour, minute: 0, second: 0 });
    return [
        { trigger: `.o_field_widget[name=${field}] input`, run: `edit ${formatDateTime(moment)}` },
        { trigger: ".o_form_view .o_form_sheet", run: "click" }, // close the date picker
    ];
}

// A facility user books in the back end, reads a refusal, then books a valid time.
tours.add("core_facility_user_booking", {
    url: "/odoo/action-core_facility.action_facility_booking_mine/new",
    steps: () => [
        { trigger: ".o_field_widget[name=instrument_id] input", run: "edit Tour Microscope" },
        { trigger: ".o-autocomplete--dropdown-item:contains('Tour Microscope')", run: "click" },
        { trigger: ".o_field_widget[name=purpose] input", run: "edit Tour booking" },
        ...typeDateTime("date_start", 60, 10),
        ...typeDateTime("date_stop", 60, 12),
        { trigger: ".o_form_button_save", run: "click" },
        {
            trigger: ".modal .modal-body:contains('Tour Microscope')",
            content: "too far ahead: the refusal names the instrument and the rule",
        },
        { trigger: ".modal .modal-footer .btn-primary", run: "click" },
        ...typeDateTime("date_start", 1, 10),
        ...typeDateTime("date_stop", 1, 12),
        { trigger: ".o_form_button_save", run: "click" },
        {
            trigger: ".o_form_view .o_field_widget[name=name]:contains('BK/')",
            content: "booked: the booking has its reference",
        },
    ],
});

// An external user finds free time on the instrument's page and books it.
tours.add("core_facility_portal_free_time", {
    steps: () => [
        {
            trigger: ".o_facility_free_time a.o_facility_free_cell:first",
            content: "the first free time shown",
            run: "click",
        },
        { trigger: "#purpose", run: "edit Next week's session" },
        { trigger: "form.o_facility_booking_form button[type=submit]", run: "click" },
        {
            trigger: "tr.o_facility_booking:contains('Tour Microscope') form[action$='/cancel']",
            content: "booked, in My Bookings",
        },
    ],
});
