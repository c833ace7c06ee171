"""The billing page of the portal (/my/billing): for each research group of the user (member
or PI), its billing mode, available balance (prepaid) and arrears; a member sees his own recent
charge lines, the PI every line of the group, its invoices (Odoo's own invoice pages) and its
statements (PDF, XLSX). Another group's statement, or the group's statement for a member who is
not its PI, is a 404 (the statements' record rule)."""

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..rules.codes import ChargeState
from .statement_xlsx import readable_statement

# Lines shown per group on the page (the statements hold them all).
RECENT_LINES = 20


class BillingPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "facility_billing_count" in counters:
            values["facility_billing_count"] = len(self._billing_groups())
        return values

    def _billing_groups(self):
        """The user's research groups (member or PI), as the user reads them."""
        user = request.env.user
        Group = request.env["facility.research.group"]
        if not Group.has_access("read"):
            return Group
        return Group.search(["|", ("member_ids", "in", user.ids), ("pi_id", "=", user.id)])

    @http.route(["/my/billing"], type="http", auth="user", website=True)
    def portal_my_billing(self, **kwargs):
        groups = self._billing_groups()
        sections = []
        Statement = request.env["facility.statement"]
        user = request.env.user
        for group in groups:
            billing = group.sudo()  # the user is a member: the balance and arrears are his to see
            is_pi = billing.pi_id == user
            invoices = (
                request.env["account.move"]
                .sudo()
                .search(
                    [
                        ("move_type", "=", "out_invoice"),
                        ("state", "=", "posted"),
                        ("commercial_partner_id", "=", billing.partner_id.commercial_partner_id.id),
                        ("company_id", "=", billing.company_id.id),
                    ],
                    order="invoice_date desc, id desc",
                    limit=50,
                )
                if billing.partner_id and is_pi
                else request.env["account.move"]
            )
            # a member's own lines, the PI's every line of the group (the group's money)
            domain = [("research_group_id", "=", group.id), ("state", "!=", ChargeState.CANCELLED)]
            if not is_pi:
                domain.append(("user_id", "=", user.id))
            lines = (
                request.env["facility.charge"]
                .sudo()
                .search(domain, order="date desc, id desc", limit=RECENT_LINES)
            )
            statements = (
                Statement.search([("research_group_id", "=", group.id)])
                if is_pi and Statement.has_access("read")
                else Statement
            )
            sections.append(
                {
                    "group": billing,
                    "invoices": invoices,
                    "statements": statements,
                    "lines": lines,
                    "is_pi": is_pi,
                    "arrears": billing._facility_arrears_problem(),
                }
            )
        values = self._prepare_portal_layout_values()
        values.update({"sections": sections, "page_name": "facility_billing"})
        return request.render("core_facility_billing.portal_my_billing", values)

    @http.route(
        ["/my/billing/statements/<int:statement_id>"], type="http", auth="user", website=True
    )
    def portal_billing_statement(self, statement_id, report_type=None, download=False, **kw):
        """A statement the user may read, as PDF (default) or XLSX; anything else is a 404."""
        statement = readable_statement(statement_id)
        if report_type == "xlsx":
            return request.redirect(statement._xlsx_url())
        return self._show_report(
            model=statement,
            report_type="pdf",
            report_ref="core_facility_billing.action_report_facility_statement",
            download=download,
        )
