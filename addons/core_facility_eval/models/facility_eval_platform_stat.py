from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.core_facility.rules.publication import OutcomeKind, PublicationState

from ..rules.codes import SCOPE_MIN_VALUE

# the figures refresh() computes (entered: competition_hours only)
COMPUTED = (
    "instrument_count",
    "staff_count",
    "asset_value",
    "scope_count",
    "scope_value",
    "revenue",
    "revenue_external",
    "revenue_per_staff",
    "hours",
    "user_count",
    "user_external_count",
    "project_count",
    "project_external_count",
    "trainee_count",
    "trainee_external_count",
    "computed_at",
)


class FacilityEvalPlatformStat(models.Model):
    """One platform's figures of a year (seed 001 §4.2): staff, assets, revenue, hours, users,
    projects supported, trainees, open hours for student competitions.

    A platform is a unit of type "Platform / Center"; its instruments are those of the platform
    and of its sub-units. The figures are computed by :meth:`refresh` from the records of the
    campaign's year; the open hours for student competitions are entered."""

    _name = "facility.eval.platform.stat"
    _description = "Platform Annual Statistics"
    _inherit = ["facility.guarded.mixin"]
    _order = "campaign_id desc, unit_id"
    _guarded_fields = COMPUTED

    campaign_id = fields.Many2one(
        "facility.eval.campaign", required=True, ondelete="cascade", index=True
    )
    year = fields.Integer(related="campaign_id.year", store=True)
    company_id = fields.Many2one(related="campaign_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    unit_id = fields.Many2one("facility.unit", string="Platform", required=True, index=True)
    platform_name = fields.Char(
        string="Platform Name",
        related="unit_id.name",
        store=True,
        help="For the columns of the table.",
    )
    instrument_count = fields.Integer(string="Instruments", readonly=True)
    staff_count = fields.Integer(
        string="Full-Time Staff",
        readonly=True,
        aggregator="sum",
        help="专职人员: the distinct managers and technicians of the platform's instruments.",
    )
    asset_value = fields.Monetary(string="Total Asset Value", readonly=True)
    scope_count = fields.Integer(string="Instruments ≥ 400k", readonly=True)
    scope_value = fields.Monetary(string="Value of Instruments ≥ 400k", readonly=True)
    revenue = fields.Monetary(
        string="Open Service Revenue",
        readonly=True,
        help="Shared fees charged on the platform's instruments in the year (billing).",
    )
    revenue_external = fields.Monetary(
        string="External Revenue",
        readonly=True,
        help="Fees charged to research groups outside the university (校外), as for the "
        "off-campus hours and users.",
    )
    revenue_per_staff = fields.Monetary(
        string="Revenue per Staff Member", readonly=True, aggregator="avg"
    )
    hours = fields.Float(
        string="Open Service Hours",
        readonly=True,
        digits=(16, 1),
        help="Used hours of the done bookings of the year (measured time where a box reports it).",
    )
    user_count = fields.Integer(string="Users", readonly=True)
    user_external_count = fields.Integer(
        string="Off-Campus Users",
        readonly=True,
        help="Users who booked for a research group outside the university (校外).",
    )
    project_count = fields.Integer(
        string="Projects Supported",
        readonly=True,
        help="支持科研项目数: the project outcomes of the year on the platform's instruments, "
        "accepted by the staff (as the instrument forms count them).",
    )
    project_external_count = fields.Integer(
        string="Off-Campus Projects",
        readonly=True,
        help="The accepted project outcomes of the year registered by research groups outside "
        "the university (校外).",
    )
    trainee_count = fields.Integer(
        string="Trainees", readonly=True, help="Distinct trainees of the trainings given."
    )
    trainee_external_count = fields.Integer(
        string="Off-Campus Trainees",
        readonly=True,
        help="Trainees member of a research group outside the university (校外).",
    )
    competition_hours = fields.Float(
        string="Open Hours for Student Competitions",
        digits=(16, 1),
        help="支持学生竞赛等开放人时数: entered by the equipment office.",
    )
    computed_at = fields.Datetime(readonly=True)

    _sql_constraints = [
        (
            "platform_campaign_unique",
            "unique(campaign_id, unit_id)",
            "A platform has one row per campaign.",
        )
    ]

    @api.model
    def refresh(self, campaign):
        """(Re)compute the platform table of ``campaign`` (one row per platform unit of its
        company), keeping what was entered. For school assessors and the director; returns the
        rows."""
        if not self.env.user.has_group("core_facility_eval.group_eval_school_assessor"):
            raise AccessError(self.env._("Only the equipment office computes the platform table."))
        rows = self.browse()
        for one in campaign:
            rows |= self._refresh_one(one)
        return rows

    @api.model
    def action_refresh(self, campaigns):
        """Compute the platform table of ``campaigns`` (:meth:`refresh`) and open it: the
        campaign's Action menu."""
        self.refresh(campaigns)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility_eval.action_facility_eval_platform_stat"
        )
        action["domain"] = [("campaign_id", "in", campaigns.ids)]
        return action

    def _refresh_one(self, campaign):
        env = self.sudo().env
        platforms = env["facility.unit"].search(
            [("unit_type", "=", "platform"), ("company_id", "=", campaign.company_id.id)]
        )
        instruments = env["facility.instrument"].search(
            [("unit_id", "child_of", platforms.ids), ("company_id", "=", campaign.company_id.id)]
        )
        platform_of = self._platform_of(instruments, platforms)
        figures = {platform.id: self._empty() for platform in platforms}
        self._add_assets(figures, instruments, platform_of)
        self._add_revenue(figures, campaign, instruments, platform_of)
        self._add_bookings(figures, campaign, instruments, platform_of)
        self._add_trainings(figures, campaign, instruments, platform_of)
        self._add_projects(figures, campaign, instruments, platform_of)
        existing = {
            row.unit_id.id: row for row in self.sudo().search([("campaign_id", "=", campaign.id)])
        }
        now = fields.Datetime.now()
        rows = self.browse()
        for platform in platforms:
            vals = self._vals(figures[platform.id], campaign.currency_id)
            vals["computed_at"] = now
            row = existing.pop(platform.id, None)
            if row:
                row._write_guarded(vals)
            else:
                row = self.sudo().create({"campaign_id": campaign.id, "unit_id": platform.id})
                row._write_guarded(vals)
            rows |= row
        for stale in existing.values():  # a unit no longer a platform
            stale.unlink()
        return rows.sudo(False)

    # -- figures ----------------------------------------------------------------------------

    @staticmethod
    def _empty():
        return {
            "instruments": set(),
            "staff": set(),
            "asset_value": 0.0,
            "scope_count": 0,
            "scope_value": 0.0,
            "revenue": 0.0,
            "revenue_external": 0.0,
            "hours": 0.0,
            "users": set(),
            "users_external": set(),
            "groups": set(),
            "groups_external": set(),
            "projects": set(),
            "projects_external": set(),
            "trainees": set(),
            "trainees_external": set(),
        }

    @staticmethod
    def _platform_of(instruments, platforms):
        """``{instrument_id: platform_id}``: the nearest platform above the instrument's unit."""
        ids = set(platforms.ids)
        result = {}
        for instrument in instruments:
            path = [int(part) for part in (instrument.unit_id.parent_path or "").split("/") if part]
            nearest = [unit_id for unit_id in path if unit_id in ids]
            if nearest:
                result[instrument.id] = nearest[-1]
        return result

    @staticmethod
    def _add_assets(figures, instruments, platform_of):
        for instrument in instruments:
            figure = figures[platform_of[instrument.id]]
            figure["instruments"].add(instrument.id)
            figure["staff"].update(instrument.manager_ids.ids)
            figure["staff"].update(instrument.technician_ids.ids)
            figure["asset_value"] += instrument.original_value
            if instrument.original_value >= SCOPE_MIN_VALUE:
                figure["scope_count"] += 1
                figure["scope_value"] += instrument.original_value

    def _add_revenue(self, figures, campaign, instruments, platform_of):
        fees = (
            self.env["facility.charge"]
            .sudo()
            .get_instrument_fees(
                instruments,
                campaign.date_from,
                campaign.date_to,
                external_groups=self.env["facility.eval.collector"]._off_campus_groups(),
            )
        )
        for instrument_id, amounts in fees.items():
            figure = figures[platform_of[instrument_id]]
            figure["revenue"] += amounts["total"]
            figure["revenue_external"] += amounts["external"]

    def _add_bookings(self, figures, campaign, instruments, platform_of):
        """Hours, users and research groups of the year's done bookings: one grouped query per
        time zone of the instruments."""
        Booking = self.env["facility.booking"].sudo()
        off_campus = set(
            self.env["facility.research.group"]
            .sudo()
            .with_context(active_test=False)
            .search([("is_off_campus", "=", True)])
            .ids
        )
        for start, stop, zone_instruments in self._zones(campaign, instruments):
            groups = Booking._read_group(
                [
                    ("instrument_id", "in", zone_instruments.ids),
                    ("state", "=", "done"),
                    ("date_start", ">=", start),
                    ("date_start", "<", stop),
                ],
                ["instrument_id", "operator_id", "research_group_id"],
                ["used_hours:sum"],
            )
            for instrument, operator, group, hours in groups:
                figure = figures[platform_of[instrument.id]]
                figure["hours"] += hours
                if operator:
                    figure["users"].add(operator.id)
                if group:
                    figure["groups"].add(group.id)
                if group.id in off_campus:
                    figure["groups_external"].add(group.id)
                    if operator:
                        figure["users_external"].add(operator.id)

    def _add_trainings(self, figures, campaign, instruments, platform_of):
        Training = self.env["facility.training"].sudo()
        outside = set()
        for group in (
            self.env["facility.research.group"]
            .sudo()
            .with_context(active_test=False)
            .search([("is_off_campus", "=", True)])
        ):
            outside.update(group.member_ids.ids)
            outside.add(group.pi_id.id)
        for start, stop, zone_instruments in self._zones(campaign, instruments):
            groups = Training._read_group(
                [
                    ("instrument_id", "in", zone_instruments.ids),
                    ("state", "=", "done"),
                    ("date_start", ">=", start),
                    ("date_start", "<", stop),
                ],
                ["instrument_id", "trainee_ids"],
                ["__count"],
            )
            for instrument, trainee, _count in groups:
                if not trainee:
                    continue
                figure = figures[platform_of[instrument.id]]
                figure["trainees"].add(trainee.id)
                if trainee.id in outside:
                    figure["trainees_external"].add(trainee.id)

    def _add_projects(self, figures, campaign, instruments, platform_of):
        """The project outcomes of the campaign's year on the platform's instruments, accepted
        by the staff (what the instrument forms count), each once per platform; off-campus
        when the outcome's research group is outside the university (an outcome without a
        group counts as internal)."""
        outcomes = (
            self.env["facility.publication"]
            .sudo()
            .search_read(
                [
                    ("instrument_ids", "in", instruments.ids),
                    ("year", "=", campaign.year),
                    ("state", "=", PublicationState.ACCEPTED),
                    ("kind", "=", OutcomeKind.PROJECT),
                ],
                ["instrument_ids", "research_group_id"],
                load=None,
            )
        )
        off_campus = set(self.env["facility.eval.collector"]._off_campus_groups().ids)
        for outcome in outcomes:
            platforms = {platform_of[i] for i in outcome["instrument_ids"] if i in platform_of}
            for platform in platforms:
                figures[platform]["projects"].add(outcome["id"])
                if outcome["research_group_id"] in off_campus:
                    figures[platform]["projects_external"].add(outcome["id"])

    @staticmethod
    def _zones(campaign, instruments):
        """``[(start, stop, instruments)]``: the campaign's dates as naive UTC bounds in each
        time zone the instruments reason in."""
        by_zone = defaultdict(lambda: instruments.browse())
        zones = {}  # one question per unit: instruments without a zone of their own share it
        for instrument in instruments:
            key = instrument.tz or instrument.unit_id.id
            if key not in zones:
                zones[key] = instrument.get_timezone()
            by_zone[zones[key]] |= instrument
        bounds = []
        for name, zone_instruments in by_zone.items():
            zone = pytz.timezone(name)

            def utc(day, zone=zone):
                local = zone.localize(datetime.combine(day, time.min))
                return local.astimezone(pytz.utc).replace(tzinfo=None)

            stop = utc(campaign.date_to + timedelta(days=1))
            bounds.append((utc(campaign.date_from), stop, zone_instruments))
        return bounds

    @staticmethod
    def _vals(figure, currency):
        staff = len(figure["staff"])
        revenue = currency.round(figure["revenue"])
        return {
            "instrument_count": len(figure["instruments"]),
            "staff_count": staff,
            "asset_value": figure["asset_value"],
            "scope_count": figure["scope_count"],
            "scope_value": figure["scope_value"],
            "revenue": revenue,
            "revenue_external": currency.round(figure["revenue_external"]),
            "revenue_per_staff": currency.round(revenue / staff) if staff else 0.0,
            "hours": round(figure["hours"], 2),
            "user_count": len(figure["users"]),
            "user_external_count": len(figure["users_external"]),
            "project_count": len(figure["projects"]),
            "project_external_count": len(figure["projects_external"]),
            "trainee_count": len(figure["trainees"]),
            "trainee_external_count": len(figure["trainees_external"]),
        }
