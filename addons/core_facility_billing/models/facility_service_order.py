import logging

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rules import charging
from ..rules.codes import ChargeKind, FeeUnit, origin_key
from ..rules.money import line_amount, total

_logger = logging.getLogger(__name__)

CLOSED, CANCELLED = "closed", "cancelled"


class FacilityServiceOrder(models.Model):
    _inherit = "facility.service.order"

    fund_id = fields.Many2one(
        "account.analytic.account",
        compute="_compute_fund_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        domain="[('facility_research_group_id', '=', research_group_id)]",
        help="Research fund charged for the service (default: the group's).",
    )
    charge_ids = fields.One2many("facility.charge", "service_order_id", string="Charges")
    charge_count = fields.Integer(compute="_compute_charge_count")
    currency_id = fields.Many2one(related="company_id.currency_id")
    estimated_amount = fields.Monetary(
        string="Estimated Charge",
        compute="_compute_estimated_amount",
        help="Samples × the sample rate + staff hours × the hour rate + consumables, at the "
        "service type's standards valid today for the group's payer category.",
    )

    # -- computes ------------------------------------------------------------------------------

    @api.depends("research_group_id")
    def _compute_fund_id(self):
        for order in self:
            group = order.research_group_id
            order.fund_id = group._facility_default_fund(order.fund_id) if group else False

    def _compute_charge_count(self):
        counts = self.env["facility.charge"]._count_by("service_order_id", self)
        for order in self:
            order.charge_count = counts.get(order, 0)

    @api.depends(
        "service_type_id",
        "research_group_id",
        "collaboration_id",
        "sample_ids",
        "staff_hours",
        "consumable_ids.quantity",
        "consumable_ids.unit_price",
    )
    def _compute_estimated_amount(self):
        for order in self:
            order.estimated_amount = order._facility_estimate()

    # -- constraints ---------------------------------------------------------------------------

    @api.constrains("fund_id", "research_group_id")
    def _check_fund_group(self):
        for order in self:
            if order.fund_id:
                order.research_group_id._facility_check_fund(order.fund_id)

    # -- CRUD ----------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        orders._facility_check_billing()
        return orders

    # -- actions -------------------------------------------------------------------------------

    def action_review(self):
        """Accepting an order checks billing again: fund, arrears, prepaid balance."""
        self._facility_check_billing()
        return super().action_review()

    def action_close(self):
        """Closed: the quantities are frozen; the order's charge lines are generated."""
        res = super().action_close()
        self.filtered(lambda o: o.state == CLOSED)._facility_generate_charges()
        return res

    def action_view_charges(self):
        self.ensure_one()
        return self.env["facility.charge"]._action_for("service_order_id", self)

    # -- checks --------------------------------------------------------------------------------

    def _facility_check_billing(self):
        """Refuse orders whose fund is not valid today, whose group is in arrears or whose
        prepaid balance does not cover the estimate (ValidationError with every reason)."""
        problems = []
        for order in self:
            group = order.research_group_id.sudo()
            messages = group._facility_payment_problems(
                order.fund_id,
                order._today(),
                order._facility_estimate(),
                exclude=order._origin or None,
            )
            if messages:
                header = self.env._(
                    "%(order)s cannot be accepted for %(group)s:",
                    order=order.name,
                    group=group.name,
                )
                problems.append("\n".join([header, *(f"- {m}" for m in messages)]))
        if problems:
            raise ValidationError("\n\n".join(problems))

    # -- public --------------------------------------------------------------------------------

    def _facility_estimate(self, day=None):
        """The estimated charge of the order (a float): its samples (registered and not
        refused, or the qualified ones once closed) × the sample rate, its staff hours × the
        hour rate and its consumables, at the standards valid on ``day`` (default today)."""
        self.ensure_one()
        if not (self.service_type_id and self.research_group_id):
            return 0.0
        samples = self.sample_count
        if self.state != CLOSED:
            samples = max(samples, len(self.sample_ids.filtered(lambda s: s.state != "refused")))
        amounts = [
            line_amount(vals["quantity"], vals["unit_price"])
            for vals in self._facility_charge_parts(day or self._today(), samples=samples)
        ]
        return float(total(amounts))

    def _facility_generate_charges(self):
        """The charge lines of closed orders, each created once (``service:<id>:samples``,
        ``service:<id>:staff_hours``, ``service:<id>:consumable:<id>``); a part without an
        approved standard (or price) is logged and left to the catch-up cron."""
        Charge = self.env["facility.charge"]
        vals_list = []
        for order in self.sudo():
            if order.state != CLOSED:
                continue
            day = order._facility_close_day()
            group = order.research_group_id
            for part in order._facility_charge_parts(day):
                vals_list.append(
                    Charge._line_values(
                        group,
                        part["standard"],
                        part["quantity"],
                        unit_price=part["unit_price"],
                        fee_unit=part["fee_unit"],
                        fund=order.fund_id,
                        payer_category=order._facility_payer_category(),
                        origin_key=origin_key(ChargeKind.SERVICE, order.id, part["key"]),
                        kind=ChargeKind.SERVICE,
                        date=day,
                        name=f"{order.name} · {part['name']}",
                        instrument_id=order.service_type_id.instrument_ids[:1].id,
                        service_type_id=order.service_type_id.id,
                        user_id=order.applicant_id.id,
                        service_order_id=order.id,
                        company=order.company_id,
                    )
                )
        return Charge._create_once(vals_list)

    def _facility_charge_parts(self, day, samples=None):
        """``[{key, name, quantity, unit_price, fee_unit, standard}]``: what the order charges
        on ``day`` and at which price; parts that no standard or price covers are left out."""
        self.ensure_one()
        order = self.sudo()
        Standard = self.env["facility.fee.standard"].sudo()
        category = order._facility_payer_category()
        service_type = order.service_type_id
        consumables = {c.id: c for c in order.consumable_ids}
        quantities = charging.service_quantities(
            order.sample_count if samples is None else samples,
            order.staff_hours,
            [(c.id, c.quantity) for c in order.consumable_ids],
        )
        units = {"samples": FeeUnit.SAMPLE, "staff_hours": FeeUnit.HOUR, "consumable": FeeUnit.ITEM}
        parts = []
        for part, quantity, key in quantities:
            standard = Standard._find_standard(
                category, units[part], day, service_type=service_type
            )
            consumable = None
            if part == "consumable":
                consumable = consumables.get(int(key.rsplit(":", 1)[1]))
            if consumable and consumable.unit_price:
                unit_price = consumable.unit_price
            elif standard:
                unit_price = standard.unit_price
            else:
                _logger.info(
                    "%s: no approved %s %s standard for %s on %s; not charged yet",
                    order.name,
                    category,
                    units[part],
                    service_type.name,
                    day,
                )
                continue
            if part == "samples":
                name = self.env._("%(count)s samples", count=int(quantity))
            elif part == "staff_hours":
                name = self.env._("staff time")
            else:
                name = consumable.name
            parts.append(
                {
                    "key": key,
                    "name": name,
                    "quantity": quantity,
                    "unit_price": unit_price,
                    "fee_unit": units[part],
                    "standard": standard,
                }
            )
        return parts

    def _facility_close_day(self):
        """The day the order was closed (company time zone), else today."""
        step = self.step_ids.filtered(lambda s: s.step == CLOSED)[:1]
        return self._local_date(step.date) if step else self._today()

    def _facility_payer_category(self):
        return charging.payer_category(
            self.research_group_id.sudo().category, has_collaboration=bool(self.collaboration_id)
        )
