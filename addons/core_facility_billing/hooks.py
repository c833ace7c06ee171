def post_init_hook(env):
    """Give every company its billing journal, accounts and analytic plans (idempotent)."""
    env["res.company"].search([])._facility_billing_setup()
