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
        "data/ir_sequence_data.xml",
        "data/ir_cron_data_settlement.xml",
        "views/res_config_settings_views.xml",
        "views/facility_fund_views.xml",
        "views/facility_settlement_views.xml",
        "views/account_move_views.xml",
    ],
    "demo": [
        "demo/facility_fund_demo.xml",
        "demo/facility_settlement_demo.xml",
    ],
    "post_init_hook": "post_init_hook",
    "installable": True,
}
