from odoo import fields, models


class FacilityUnit(models.Model):
    _inherit = "facility.unit"

    analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="Platform Analytic Account",
        help="The platform's account in the 'Core Facility Platforms' analytic plan: its income "
        "and allocations are reported on it.",
    )

    def _facility_analytic_account(self):
        """The platform's analytic account, created in the "Core Facility Platforms" plan the
        first time it is needed (under a row lock: two sessions make one account)."""
        self.ensure_one()
        unit = self.sudo()
        if not unit.analytic_account_id:
            self.env.cr.execute("SELECT 1 FROM facility_unit WHERE id = %s FOR UPDATE", [unit.id])
            unit.invalidate_recordset(["analytic_account_id"])
        if not unit.analytic_account_id:
            company = unit.company_id or self.env.company
            unit.analytic_account_id = (
                self.env["account.analytic.account"]
                .sudo()
                .create(
                    {
                        "name": unit.complete_name or unit.name,
                        "code": unit.code or False,
                        "plan_id": company._facility_platform_plan().id,
                        "company_id": company.id,
                    }
                )
            )
        return unit.analytic_account_id
