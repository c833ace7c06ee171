{
    "name": "Core Facility Billing",
    "summary": "Fee standards, charges from real use, monthly deduction from research funds, "
    "invoices and prepaid accounts for external users: all in Odoo accounting",
    "version": "18.0.1.0.0",
    "category": "Services/Core Facility",
    "website": "https://github.com/core-facility/core-facility",
    "author": "Core Facility contributors",
    "license": "LGPL-3",
    "depends": ["core_facility", "account"],
    "data": [
        "security/core_facility_billing_security.xml",
        "security/ir.model.access.csv",
        "views/menus.xml",
        "security/facility_fee_standard_rules.xml",
        "views/facility_fee_standard_views.xml",
        "views/facility_instrument_views.xml",
        "wizards/facility_fee_standard_decision_wizard_views.xml",
    ],
    "demo": [
        "demo/facility_fee_standard_demo.xml",
    ],
    "post_init_hook": "post_init_hook",
    "installable": True,
}
