"""Portal pages of entrusted technical services: the applicant (or his group's PI) follows his
service orders step by step, with their samples and deadline, and the PI signs the archive off.

Orders are searched as the portal user (record rules: his own orders, his group's as PI); a page
of someone else's order is a 404 with a way back.
"""

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.tools import is_html_empty

from odoo.addons.portal.controllers.portal import pager as portal_pager

from .portal import FacilityPortal, record_id

ORDERS_PER_PAGE = 20
PI_OPINION_MAX = 4000


class FacilityServicePortal(FacilityPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "facility_service_order_count" in counters:
            orders = request.env["facility.service.order"]
            values["facility_service_order_count"] = (
                orders.search_count(self._service_order_domain())
                if orders.has_access("read")
                else 0
            )
        return values

    def _service_order_domain(self):
        user = request.env.user
        return ["|", ("applicant_id", "=", user.id), ("pi_id", "=", user.id)]

    @http.route(
        ["/my/service-orders", "/my/service-orders/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_service_orders(self, page=1, **kwargs):
        Order = request.env["facility.service.order"]
        domain = self._service_order_domain() if Order.has_access("read") else [("id", "=", 0)]
        count = Order.search_count(domain) if Order.has_access("read") else 0
        pager = portal_pager(url="/my/service-orders", total=count, page=page, step=ORDERS_PER_PAGE)
        orders = (
            Order.search(domain, order="id desc", limit=ORDERS_PER_PAGE, offset=pager["offset"])
            if count
            else Order
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "orders": orders,
                "pager": pager,
                "page_name": "facility_service_order",
                "default_url": "/my/service-orders",
            }
        )
        return request.render("core_facility.portal_my_service_orders", values)

    @http.route(["/my/service-orders/<string:order_id>"], type="http", auth="user", website=True)
    def portal_service_order(self, order_id, access_token=None, signed=None, error=None, **kw):
        order = self._service_order(order_id, access_token)
        if not order:
            return self._not_found(
                request.env._("This service order does not exist or is not yours."),
                "/my/service-orders",
            )
        return self._render_service_order(order, signed=signed)

    @http.route(
        ["/my/service-orders/<string:order_id>/sign"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_service_order_sign(self, order_id, opinion=None, **kw):
        """The PI writes his opinion and signs the archive off."""
        order = self._service_order(order_id)
        if not order:
            return self._not_found(
                request.env._("This service order does not exist or is not yours."),
                "/my/service-orders",
            )
        opinion = (opinion or "").strip()[:PI_OPINION_MAX]
        if not opinion:
            return self._render_service_order(
                order, error=request.env._("Write your opinion before signing."), status=400
            )
        try:
            with request.env.cr.savepoint():
                if order.pi_id != request.env.user:
                    raise UserError(request.env._("Only the PI of the research group signs."))
                # as the PI (the action checks who signs), allowed to write on the portal
                signer = order.with_user(request.env.user).sudo()
                signer.write({"pi_opinion": opinion})
                signer.action_pi_sign()
        except (UserError, AccessError) as exc:
            return self._render_service_order(order, error=str(exc), status=422)
        return request.redirect(f"/my/service-orders/{order.id}?signed=1")

    def _service_order(self, order_id, access_token=None):
        """The order as sudo once the user may read it (record rules), else None."""
        number = record_id(order_id)
        if not number:
            return None
        try:
            return self._document_check_access("facility.service.order", number, access_token)
        except (AccessError, MissingError):
            return None

    def _render_service_order(self, order, signed=None, error=None, status=200):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "order": order,
                "steps": order.step_ids.sorted(lambda s: (s.date, s.id)),
                "samples": order.sample_ids.sorted("id"),
                "is_pi": order.pi_id == request.env.user,
                "has_results": not is_html_empty(order.results),
                "signed": bool(signed),
                "error": error,
                "page_name": "facility_service_order_page",
            }
        )
        return request.render("core_facility.portal_service_order", values, status=status)
