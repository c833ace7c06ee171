/** @odoo-module **/
// An external user's application on the portal, driven in a real browser by
// tests/test_application_tours.py.

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

// An external user opens My Applications from the portal home, fills in a service application,
// submits it and finds it listed as submitted.
tours.add("core_facility_portal_application", {
    steps: () => [
        {
            trigger: ".o_portal_index_card a[href='/my/applications']",
            content: "the Applications tile of the portal home",
            run: "click",
        },
        {
            trigger: ".o_facility_application_new a[data-kind=service]",
            content: "a new service application",
            run: "click",
        },
        { trigger: "form.o_facility_application_form #title", run: "edit Tour retina sections" },
        { trigger: "#research_group_id", run: "selectByLabel Tour External Group" },
        { trigger: "#service_type_id", run: "selectByLabel Tour Sample Preparation" },
        { trigger: "#sample_description", run: "edit Zebrafish retina, 5 dpf, 6 larvae" },
        { trigger: "#sample_source", run: "edit Our zebrafish facility" },
        { trigger: "#techniques", run: "edit High-pressure freezing, freeze substitution" },
        { trigger: "#expected_outcome", run: "edit Serial sections of the outer plexiform layer" },
        { trigger: "#time_frame", run: "edit Within two months" },
        { trigger: "button.o_facility_application_send", content: "submit it", run: "click" },
        {
            trigger: ".o_facility_application_done",
            content: "the application's page says it is submitted",
        },
        {
            trigger: ".o_facility_application_steps .o_step_current:contains('Submitted')",
            content: "its stage line has reached Submitted",
        },
        { trigger: ".o_portal_submenu a[href='/my/applications']", run: "click" },
        {
            trigger:
                "tr.o_facility_application:contains('Tour retina sections') .o_facility_application_stage[data-state=submitted]",
            content: "listed as submitted",
        },
    ],
});
