from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rules import service as rules
from ..rules.codes import CommitmentStart, ServiceFlow

# Steps of an order that no longer count against a type's workload.
OVER_STEPS = rules.FINISHED_STEPS


class FacilityServiceType(models.Model):
    """A kind of entrusted technical service, with its flow, its time commitment and the
    workload it accepts from external groups (seed 000, 第三章 第二条 1, 3, 4)."""

    _name = "facility.service.type"
    _description = "Service Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char()
    sequence = fields.Integer(default=10)
    flow = fields.Selection(
        [(ServiceFlow.EM, "Electron Microscopy"), (ServiceFlow.PREP, "Sample Preparation")],
        required=True,
        default=ServiceFlow.EM,
    )
    commitment_days = fields.Integer(
        string="Commitment (days)",
        help="Days within which the service is done (0: no commitment): the EM experiment, or "
        "the finished preparation.",
    )
    commitment_start = fields.Selection(
        [
            (CommitmentStart.APPROVAL, "From Approval"),
            (CommitmentStart.SAMPLE, "From Qualified Sample"),
        ],
        default=CommitmentStart.APPROVAL,
        required=True,
    )
    commitment_external_only = fields.Boolean(
        string="Commitment for External Users Only",
        help="The commitment holds for orders of external research groups only (the EM "
        "experiment at most 14 days after approval is promised to users outside the center); "
        "orders of internal groups then have no default deadline.",
    )
    warning_days = fields.Integer(
        string="Warn (days before)",
        default=3,
        help="The order's responsible staff get a warning activity this many days before the "
        "deadline.",
    )
    leader_id = fields.Many2one(
        "res.users",
        string="Group Leader",
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("core_facility.group_facility_instrument_manager").id)
        ],
        help="The staff group leader (组长): approves results, hears complaints, receives "
        "escalations.",
    )
    internal_priority = fields.Boolean(
        default=True,
        help="Orders of internal research groups come first in the staff's queue.",
    )
    external_capacity = fields.Integer(
        help="Open orders of external research groups accepted at once (0: no limit): external "
        "applications are accepted according to the workload.",
    )
    open_external_count = fields.Integer(
        string="Open External Orders", compute="_compute_open_counts"
    )
    open_order_count = fields.Integer(string="Open Orders", compute="_compute_open_counts")
    instrument_ids = fields.Many2many(
        "facility.instrument",
        string="Instruments",
        help="Instruments the service uses: their managers and technicians perform its steps.",
    )
    description = fields.Html(translate=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "figures_positive",
            "CHECK(commitment_days >= 0 AND warning_days >= 0 AND external_capacity >= 0)",
            "Commitment days, warning days and external capacity cannot be negative.",
        ),
    ]

    def _compute_open_counts(self):
        Order = self.env["facility.service.order"].sudo()
        open_domain = [("service_type_id", "in", self.ids), ("state", "not in", OVER_STEPS)]
        total = dict(Order._read_group(open_domain, ["service_type_id"], ["__count"]))
        external = dict(
            Order._read_group(
                [*open_domain, ("group_category", "=", "external")],
                ["service_type_id"],
                ["__count"],
            )
        )
        for service_type in self:
            service_type.open_order_count = total.get(service_type._origin, 0)
            service_type.open_external_count = external.get(service_type._origin, 0)

    @api.constrains("warning_days", "commitment_days")
    def _check_warning_days(self):
        for service_type in self:
            if service_type.commitment_days and service_type.warning_days > (
                service_type.commitment_days
            ):
                raise ValidationError(
                    self.env._(
                        "%(type)s: the warning (%(warn)s days before) comes before the commitment "
                        "starts (%(days)s days).",
                        type=service_type.name,
                        warn=service_type.warning_days,
                        days=service_type.commitment_days,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_unused(self):
        used = (
            self.env["facility.service.order"]
            .sudo()
            .search_count([("service_type_id", "in", self.ids)], limit=1)
        )
        if used:
            raise ValidationError(
                self.env._("A service type with orders stays on record: archive it instead.")
            )

    def _lock(self):
        """Take the type's row until the transaction ends: one external order at a time is
        counted against its capacity. An update, not only a lock: a concurrent transaction
        whose snapshot predates ours then fails to serialize (and is retried) instead of
        counting without our order."""
        if self.ids:
            self.env.cr.execute(
                "UPDATE facility_service_type SET write_date = write_date WHERE id IN %s",
                [tuple(self.ids)],
            )

    def _check_external_capacity(self, orders=None):
        """Refuse (ValidationError) open external orders beyond the capacity, with the figures.
        Locks the type first (call it in the transaction that creates the order).

        ``orders``: the external orders of this type created or moved onto it in this
        transaction (already written): they are the ones to accept, the others are counted.
        Without, whether one more order would fit."""
        self.ensure_one()
        self._lock()
        orders = orders or self.env["facility.service.order"]
        domain = [
            ("service_type_id", "=", self.id),
            ("state", "not in", OVER_STEPS),
            ("group_category", "=", "external"),
        ]
        if orders:
            domain.append(("id", "not in", orders.ids))
        count = self.env["facility.service.order"].sudo().search_count(domain)
        if not rules.accepts_external(self.external_capacity, count, len(orders) or 1):
            raise ValidationError(
                self.env._(
                    "Workload rule: %(type)s accepts at most %(capacity)s open orders of external "
                    "research groups and has %(count)s; this order cannot be accepted now.",
                    type=self.name,
                    capacity=self.external_capacity,
                    count=count,
                )
            )
