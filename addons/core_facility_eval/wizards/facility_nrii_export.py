import io
import json
from datetime import date, datetime, time

import pytz
import xlsxwriter

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..rules import nrii
from ..rules.codes import NATIONAL_SCOPE_MIN_VALUE

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNIT_CODE_PARAM = "core_facility_eval.nrii_unit_code"
FACILITY_MANAGER = "core_facility.group_facility_manager"


class FacilityNriiExport(models.TransientModel):
    """Exports instruments, service records and the unit's annual report for the national
    platform (XLSX and JSON), after listing what is missing per instrument."""

    _name = "facility.nrii.export"
    _description = "National Platform Export"

    year = fields.Integer(
        required=True, default=lambda self: fields.Date.context_today(self).year - 1
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    unit_code = fields.Char(
        string="Unit Code on the Platform",
        default=lambda self: self.env["ir.config_parameter"].sudo().get_param(UNIT_CODE_PARAM),
        help="insCode: the identifier the national platform issued to the institution "
        "(remembered for the next export).",
    )
    instrument_ids = fields.Many2many(
        "facility.instrument",
        string="Instruments",
        default=lambda self: self._default_instrument_ids(),
        domain="[('company_id', '=', company_id)]",
        help="By default the national scope: instruments of an original value of 500,000 CNY or "
        "more.",
    )
    export_instruments = fields.Boolean(string="Instruments (Type 4)", default=True)
    export_records = fields.Boolean(string="Service Records (Type 6)", default=True)
    export_report = fields.Boolean(string="Unit Annual Report (Type 7)", default=True)
    state = fields.Selection(
        [("draft", "Draft"), ("checked", "Checked"), ("done", "Exported")],
        default="draft",
        required=True,
    )
    line_ids = fields.One2many("facility.nrii.export.line", "export_id", string="Missing Data")
    missing_count = fields.Integer(compute="_compute_missing_count")
    attachment_ids = fields.Many2many("ir.attachment", string="Files", readonly=True)

    def _default_instrument_ids(self):
        domain = [
            ("company_id", "=", self.env.company.id),
            ("original_value", ">=", NATIONAL_SCOPE_MIN_VALUE),
            ("state", "!=", "scrapped"),
        ]
        if not self.env.user.has_group(FACILITY_MANAGER):
            domain.append(("manager_ids", "in", self.env.uid))
        return self.env["facility.instrument"].search(domain)

    @api.depends("line_ids")
    def _compute_missing_count(self):
        for wizard in self:
            wizard.missing_count = len(wizard.line_ids)

    # -- actions ---------------------------------------------------------------------------------

    def action_check(self):
        """List, per instrument, the platform's required fields still empty."""
        self.ensure_one()
        self._check_rights()
        self._fill_lines()
        self.state = "checked"
        return self._reopen()

    def action_export(self):
        """Refused while anything is missing; else one XLSX (a sheet per record type, the
        platform's field names as header) and one JSON per record type, as attachments."""
        self.ensure_one()
        self._check_rights()
        if not self.unit_code:
            raise UserError(
                self.env._("Enter the unit code the national platform issued (insCode).")
            )
        self.env["ir.config_parameter"].sudo().set_param(UNIT_CODE_PARAM, self.unit_code)
        values = self._instrument_values()  # once per export: the check and the table
        missing = self._fill_lines(values)
        if missing:
            lines = "\n".join(
                f"{instrument.display_name}: {'、'.join(labels)}" for instrument, labels in missing
            )
            raise UserError(
                self.env._(
                    "The export is refused while data the national platform requires is "
                    "missing:\n%(lines)s",
                    lines=lines,
                )
            )
        if not (self.export_instruments or self.export_records or self.export_report):
            raise UserError(self.env._("Choose at least one kind of record to export."))
        tables = self._tables(values)
        attachments = self.env["ir.attachment"]
        stem = f"NRII-{self.unit_code}-{self.year}"
        attachments |= self._attach(f"{stem}.xlsx", _xlsx(tables), XLSX_MIME)
        for key, _spec, rows in tables:
            content = json.dumps(rows, ensure_ascii=False, indent=1).encode()
            attachments |= self._attach(f"{stem}-{key}.json", content, "application/json")
        self.write({"attachment_ids": [Command.set(attachments.ids)], "state": "done"})
        return self._reopen()

    # -- business --------------------------------------------------------------------------------

    def _check_rights(self):
        """Instrument managers export the instruments they manage; the director any."""
        if self.env.su or self.env.user.has_group(FACILITY_MANAGER):
            return
        others = self.instrument_ids.filtered(lambda i: self.env.uid not in i.manager_ids.ids)
        if others:
            raise UserError(
                self.env._(
                    "You export only the instruments you manage, not %(instruments)s.",
                    instruments=", ".join(others.mapped("display_name")),
                )
            )

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("National Platform Export"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _attach(self, name, content, mimetype):
        return self.env["ir.attachment"].create(
            {
                "name": name,
                "raw": content,
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": mimetype,
            }
        )

    def _fill_lines(self, values=None):
        """Rebuild the lines: ``[(instrument, [missing labels])]``, only those missing data
        (``values``: :meth:`_instrument_values`, read if not given)."""
        if not self.instrument_ids:
            raise UserError(self.env._("Choose the instruments to export."))
        if values is None:
            values = self._instrument_values()
        # the unit code is the wizard's own, asked once by the export
        spec = [field for field in nrii.INSTRUMENT_FIELDS if field[0] != "insCode"]
        missing = []
        for instrument in self.instrument_ids:
            labels = nrii.missing(values[instrument.id], spec)
            if labels:
                missing.append((instrument, labels))
        self.line_ids = [Command.clear()] + [
            Command.create(
                {
                    "instrument_id": instrument.id,
                    "missing": "、".join(labels),
                    "missing_count": len(labels),
                }
            )
            for instrument, labels in missing
        ]
        return missing

    def _period(self):
        """The year as naive UTC datetimes (bookings starting in the year, Asia/Shanghai)."""
        zone = pytz.timezone(self.company_id._facility_tz())
        start = zone.localize(datetime.combine(date(self.year, 1, 1), time.min))
        stop = zone.localize(datetime.combine(date(self.year + 1, 1, 1), time.min))
        return (
            start.astimezone(pytz.utc).replace(tzinfo=None),
            stop.astimezone(pytz.utc).replace(tzinfo=None),
        )

    def _instrument_values(self):
        """``{instrument_id: {platform field: value}}`` of the instrument records (type 4).
        runMachine / serviceMachine: the done bookings' used hours of the year, grouped in the
        database by instrument and research group (external: the group's category, 对外 as the
        platform means it)."""
        start, stop = self._period()
        rows = (
            self.env["facility.booking"]
            .sudo()
            ._read_group(
                [
                    ("instrument_id", "in", self.instrument_ids.ids),
                    ("state", "=", "done"),
                    ("date_start", ">=", start),
                    ("date_start", "<", stop),
                ],
                ["instrument_id", "research_group_id"],
                ["used_hours:sum"],
            )
        )
        external_groups = set(
            self.env["facility.research.group"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("id", "in", list({group.id for _instrument, group, _hours in rows})),
                    ("category", "=", "external"),
                ]
            )
            .ids
        )
        run, external = {}, {}
        for instrument, group, hours in rows:
            key = instrument.id
            run[key] = run.get(key, 0.0) + hours
            if group.id in external_groups:
                external[key] = external.get(key, 0.0) + hours
        fees = self.env["facility.charge"].get_instrument_fees(
            self.instrument_ids, date(self.year, 1, 1), date(self.year, 12, 31)
        )
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        result = {}
        for instrument in self.instrument_ids.sudo():
            address = " ".join(filter(None, [instrument.building, instrument.room]))
            result[instrument.id] = {
                "cname": instrument.name,
                "ename": instrument.nrii_ename or "",
                "innerId": instrument.code or "",
                "insCode": self.unit_code or "",
                "instrBelongsType": nrii.BELONGS_TYPES.get(instrument.nrii_belongs_type, ""),
                "instrCategory": instrument.nrii_category_id.code or "",
                "instrSource": nrii.SOURCES.get(instrument.nrii_source, ""),
                "instrSupervise": "是" if instrument.is_customs_supervised else "否",
                "worth": nrii.wan(instrument.original_value),
                "nation": instrument.nrii_nation_code or "",
                "manufacturer": instrument.manufacturer or "",
                "beginDate": instrument.account_date.isoformat() if instrument.account_date else "",
                "type": nrii.PURPOSES.get(instrument.purpose, ""),
                "instrVersion": instrument.model_name or "",
                "technical": instrument.nrii_technical or "",
                "function": instrument.nrii_function or "",
                "subject": instrument.nrii_subject or "",
                "serviceContent": instrument.nrii_service_content or "",
                "achievement": instrument.nrii_achievement or "",
                "requirement": instrument.nrii_requirement or "",
                "fee": instrument.nrii_fee_text or "",
                "serviceUrl": f"{base_url}/odoo/action-core_facility.action_facility_instrument/"
                f"{instrument.id}"
                if base_url
                else "",
                "status": instrument.nrii_status,
                "shareMode": nrii.SHARE_MODES.get(instrument.nrii_share_mode, ""),
                "runMachine": round(run.get(instrument.id, 0.0), 1),
                "serviceMachine": round(external.get(instrument.id, 0.0), 1),
                "serviceIncome": nrii.wan(fees.get(instrument.id, {}).get("external", 0.0)),
                "funds": nrii.FUNDS.get(instrument.nrii_funds, ""),
                "address": address,
                "lng": instrument.longitude or "",
                "lat": instrument.latitude or "",
                "contact": instrument.nrii_contact or "",
                "phone": instrument.nrii_phone or "",
                "email": instrument.nrii_email or "",
            }
        return result

    def _record_values(self):
        """The service records (type 6): one per done booking of the year, read as plain
        values (one read of the bookings, one of each related model, no record per booking).
        Amounts: the booking's charge lines (confirmed, disputed or settled), read by booking —
        billing has no public per-booking total."""
        start, stop = self._period()
        bookings = (
            self.env["facility.booking"]
            .sudo()
            .search_read(
                [
                    ("instrument_id", "in", self.instrument_ids.ids),
                    ("state", "=", "done"),
                    ("date_start", ">=", start),
                    ("date_start", "<", stop),
                ],
                [
                    "instrument_id",
                    "name",
                    "date_start",
                    "date_stop",
                    "actual_start",
                    "actual_stop",
                    "used_hours",
                    "purpose",
                    "operator_id",
                    "research_group_id",
                ],
                order="date_start, id",
                load=None,
            )
        )
        booking_ids = [booking["id"] for booking in bookings]
        order_of = {}
        for order in (
            self.env["facility.service.order"]
            .sudo()
            .search_read([("booking_ids", "in", booking_ids)], ["booking_ids", "sample_count"])
        ):
            for booking_id in order["booking_ids"]:
                order_of.setdefault(booking_id, order)
        amounts = {
            booking.id: amount
            for booking, amount in self.env["facility.charge"]
            .sudo()
            ._read_group(
                [
                    ("booking_id", "in", booking_ids),
                    ("state", "in", ("confirmed", "disputed", "settled")),
                ],
                ["booking_id"],
                ["amount:sum"],
            )
        }
        operators = {
            user["id"]: user
            for user in self.env["res.users"]
            .sudo()
            .with_context(active_test=False)
            .search_read(
                [("id", "in", list({b["operator_id"] for b in bookings if b["operator_id"]}))],
                ["name", "phone", "mobile", "email"],
            )
        }
        groups = {
            group["id"]: group
            for group in self.env["facility.research.group"]
            .sudo()
            .with_context(active_test=False)
            .search_read(
                [
                    (
                        "id",
                        "in",
                        list({b["research_group_id"] for b in bookings if b["research_group_id"]}),
                    )
                ],
                ["name", "category"],
            )
        }
        instruments = {instrument.id: instrument for instrument in self.instrument_ids.sudo()}
        zones, no_one = {}, {"name": "", "phone": "", "mobile": "", "email": ""}
        rows = []
        for booking in bookings:
            instrument = instruments[booking["instrument_id"]]
            if instrument.id not in zones:
                zones[instrument.id] = pytz.timezone(instrument.get_timezone())
            zone = zones[instrument.id]
            start = booking["actual_start"] or booking["date_start"]
            stop = booking["actual_stop"] or booking["date_stop"]
            order = order_of.get(booking["id"])
            operator = operators.get(booking["operator_id"], no_one)
            group = groups.get(booking["research_group_id"], {"name": "", "category": False})
            rows.append(
                {
                    "innerId": instrument.code or "",
                    "recordInnerId": booking["name"] or str(booking["id"]),
                    "amounts": round(amounts.get(booking["id"], 0.0), 2),
                    "serviceTime": nrii.hour_text(pytz.utc.localize(start).astimezone(zone)),
                    "endTime": nrii.hour_text(pytz.utc.localize(stop).astimezone(zone)),
                    "serviceAmount": order["sample_count"]
                    if order and order["sample_count"]
                    else round(booking["used_hours"], 2),
                    "serviceContent": booking["purpose"] or "",
                    "serviceWay": str(
                        nrii.service_way(bool(order), bool(instrument.required_level_id))
                    ),
                    "subjectName": "",
                    "applicant": operator["name"] or "",
                    "applicantPhone": operator["phone"] or operator["mobile"] or "",
                    "applicantEmail": operator["email"] or "",
                    "applicantUnit": group["name"] or "",
                    "serviceType": nrii.service_type(group["category"] == "external"),
                    "serviceDirection": nrii.DIRECTION_RESEARCH,
                }
            )
        return rows

    def _service_values(self):
        """The unit's annual report (type 7): charge lines and fees of the year on the
        instruments exported; the instruments of 500,000 CNY or more of the company."""
        date_from, date_to = date(self.year, 1, 1), date(self.year, 12, 31)
        fees = self.env["facility.charge"].get_instrument_fees(
            self.instrument_ids, date_from, date_to
        )
        bills = (
            self.env["facility.charge"]
            .sudo()
            .search_count(
                [
                    ("instrument_id", "in", self.instrument_ids.ids),
                    ("date", ">=", date_from),
                    ("date", "<=", date_to),
                    ("state", "in", ("confirmed", "disputed", "settled")),
                ]
            )
        )
        large = (
            self.env["facility.instrument"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("original_value", ">=", NATIONAL_SCOPE_MIN_VALUE),
                    ("state", "!=", "scrapped"),
                ]
            )
        )
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        return {
            "insCode": self.unit_code or "",
            "year": self.year,
            "serviceUrl": base_url,
            "billNum": bills,
            "billWorth": nrii.wan(sum(f["total"] for f in fees.values())),
            "billWorthInstr": nrii.wan(sum(f["external"] for f in fees.values())),
            "instrNum": len(large),
            "instrWorth": nrii.wan(sum(large.mapped("original_value"))),
            "remark": "",
            "remarks": "",
            "remarkOne": "",
            "remarkTwo": "",
        }

    def _tables(self, values=None):
        """``[(key, spec, rows)]`` of the record types asked, rows keyed by platform names
        (``values``: :meth:`_instrument_values`, read if not given)."""
        tables = []
        if self.export_instruments:
            if values is None:
                values = self._instrument_values()
            tables.append(
                (
                    "equipment",
                    nrii.INSTRUMENT_FIELDS,
                    [values[i.id] for i in self.instrument_ids],
                )
            )
        if self.export_records:
            tables.append(("record", nrii.RECORD_FIELDS, self._record_values()))
        if self.export_report:
            tables.append(("service", nrii.SERVICE_FIELDS, [self._service_values()]))
        return tables


SHEET_NAMES = {"equipment": "单台套(4)", "record": "服务记录(6)", "service": "年度服务成效(7)"}


def _xlsx(tables):
    """One sheet per record type: the platform's field names as the header row (each with
    its Chinese label as a comment), then one row per record."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "font_name": "Noto Sans CJK SC"})
    for key, spec, rows in tables:
        ws = book.add_worksheet(SHEET_NAMES[key])
        for col, (name, label, _required) in enumerate(spec):
            ws.write(0, col, name, bold)
            ws.write_comment(0, col, label)
            ws.set_column(col, col, max(12, len(name) + 2))
        for index, row in enumerate(rows, start=1):
            for col, name in enumerate(nrii.header(spec)):
                value = row.get(name, "")
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.write_number(index, col, value)
                else:
                    ws.write_string(index, col, str(value))
        ws.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
