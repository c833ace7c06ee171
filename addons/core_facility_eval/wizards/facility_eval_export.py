import io

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..rules import layout
from ..rules.codes import SchemeLevel, SheetState, SheetStatus

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# the forms are the seeds' Chinese forms: translated fields (criteria) are read in Chinese
FORM_LANG = "zh_CN"


class FacilityEvalExport(models.TransientModel):
    """Exports a campaign's forms in the seeds' layouts (XLSX of 附件2, 附件3, the benefit
    table)."""

    _name = "facility.eval.export"
    _description = "Evaluation Export"

    campaign_id = fields.Many2one("facility.eval.campaign", required=True, ondelete="cascade")
    scheme_level = fields.Selection(related="campaign_id.scheme_id.level")
    kind = fields.Selection(
        [
            ("annex3", "Instrument Forms (Annex 3)"),
            ("annex2", "Unit Forms (Annex 2)"),
            ("benefit", "Benefit Evaluation Table"),
        ],
        required=True,
        default="annex3",
    )
    available_unit_ids = fields.Many2many(
        "facility.unit", compute="_compute_available_unit_ids", string="Units of the Campaign"
    )
    unit_ids = fields.Many2many(
        "facility.unit",
        string="Units",
        domain="[('id', 'in', available_unit_ids)]",
        help="Only these 二级单位 (empty: every unit of the campaign you may see).",
    )
    attachment_id = fields.Many2one("ir.attachment", readonly=True)

    @api.depends("campaign_id")
    def _compute_available_unit_ids(self):
        """The units with forms in the campaign (a choice list only: the forms exported are
        those the user may read)."""
        for wizard in self:
            campaign = wizard.campaign_id.sudo()
            wizard.available_unit_ids = campaign.sheet_ids.unit_id | campaign.unit_eval_ids.unit_id

    @api.onchange("campaign_id")
    def _onchange_campaign_id(self):
        if self.campaign_id.scheme_id.level == SchemeLevel.BENEFIT:
            self.kind = "benefit"
        elif self.kind == "benefit":
            self.kind = "annex3"

    # -- actions ---------------------------------------------------------------------------------

    def action_export(self):
        """Build the workbook, keep it as an attachment of the wizard, download it."""
        self.ensure_one()
        content = self._xlsx_content()
        attachment = self.env["ir.attachment"].create(
            {
                "name": self._filename(),
                "raw": content,
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": XLSX_MIME,
            }
        )
        self.attachment_id = attachment
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    # -- business --------------------------------------------------------------------------------

    def _filename(self):
        label = dict(self._fields["kind"]._description_selection(self.env))[self.kind]
        return f"{self.campaign_id.name} - {label}.xlsx".replace("/", "-")

    def _check_kind(self):
        _ = self.env._
        level = self.campaign_id.scheme_id.level
        if self.kind == "benefit" and level != SchemeLevel.BENEFIT:
            raise UserError(
                _(
                    "The campaign %(campaign)s is not scored on a benefit-evaluation table: "
                    "export its instrument or unit forms instead.",
                    campaign=self.campaign_id.name,
                )
            )
        if self.kind != "benefit" and level != SchemeLevel.INSTRUMENT:
            raise UserError(
                _(
                    "The campaign %(campaign)s is scored on a benefit-evaluation table: export "
                    "the benefit table instead.",
                    campaign=self.campaign_id.name,
                )
            )

    def _records(self):
        """The forms to export, as the user may read them, in the units asked."""
        campaign = self.campaign_id
        if self.kind == "annex2":
            records = self.env["facility.eval.unit"].search(
                [("campaign_id", "=", campaign.id)], order="unit_id"
            )
        else:
            records = self.env["facility.eval.sheet"].search(
                [("campaign_id", "=", campaign.id), ("status", "=", SheetStatus.ASSESSED)],
                order="unit_id, instrument_id",
            )
        if self.unit_ids:
            records = records.filtered(lambda r: r.unit_id in self.unit_ids)
        return records

    def _xlsx_content(self):
        """The workbook (bytes) of the kind asked."""
        self.ensure_one()
        self._check_kind()
        records = self._records().with_context(lang=self._form_lang())
        if not records:
            raise UserError(
                self.env._(
                    "The campaign %(campaign)s has no form to export (compute its figures "
                    "first, or widen the units).",
                    campaign=self.campaign_id.name,
                )
            )
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        formats = _formats(book)
        if self.kind == "benefit":
            self._write_benefit(book, formats, records)
        else:
            form_layout = layout.ANNEX2 if self.kind == "annex2" else layout.ANNEX3
            names = layout.sheet_names(
                [
                    r.unit_id.name
                    if self.kind == "annex2"
                    else (r.instrument_id.code or r.instrument_id.name)
                    for r in records
                ]
            )
            for record, name in zip(records, names, strict=True):
                _write_form(book.add_worksheet(name), form_layout, self._form_data(record), formats)
        book.close()
        return buffer.getvalue()

    @api.model
    def _form_lang(self):
        """Chinese when installed (the forms are the seeds' Chinese forms), else the user's."""
        if self.env["res.lang"]._get_code(FORM_LANG):
            return FORM_LANG
        return self.env.lang

    @api.model
    def _form_data(self, record):
        """What a form prints (XLSX and PDF alike), for an instrument's form
        (``facility.eval.sheet``) or a unit's (``facility.eval.unit``): ``{"layout", "title",
        "info": [[(label, value, InfoLine)]], "lines": [dict], "runs", "totals", "date",
        "signed_unit", "signed_school"}``."""
        is_unit = record._name == "facility.eval.unit"
        form_layout = layout.ANNEX2 if is_unit else layout.ANNEX3
        campaign = record.campaign_id
        company = campaign.company_id.name
        title = layout.title(form_layout.title, company, scope=campaign.scope_min_value)
        if is_unit:
            values = {"unit": record.unit_id.name}
        else:
            instrument = record.instrument_id
            unit = record.unit_id.name or ""
            if record.lab_id and record.lab_id != record.unit_id:
                unit = f"{unit} {record.lab_id.name}"
            values = {"instrument": instrument.name, "code": instrument.code or "", "unit": unit}
        values["signature"] = record.unit_signer_id.name or ""
        info = [
            [(line.label, values.get(line.key, ""), line) for line in row]
            for row in form_layout.info
        ]
        lines = []
        for line in _table_order(record.line_ids):
            criterion = line.criterion_id
            notes = [criterion.note or "", line.note or ""]
            if criterion.figure:
                notes.append(layout.FIGURE_NOTE % layout.number_text(line.figure_value))
            lines.append(
                {
                    "section": criterion.section_id.name or "",
                    "section_id": criterion.section_id.id,
                    "criterion": criterion.name or "",
                    "rule": criterion.rule_text or "",
                    "max": criterion.max_points,
                    "computed": line.points_computed,
                    "unit": line.points_unit,
                    "school": line.points_school,
                    "note": "\n".join(n for n in notes if n),
                }
            )
        signed = [d for d in (record.school_signed_date, record.unit_signed_date) if d]
        return {
            "layout": form_layout,
            "title": title,
            "info": info,
            "lines": lines,
            "runs": layout.runs([line["section_id"] for line in lines]),
            "totals": {
                "max": sum(line["max"] for line in lines),
                "unit": record.total_unit,
                "school": record.total_school,
            },
            "date": layout.date_text(signed[0] if signed else None),
            "signed_unit": record.state in (SheetState.UNIT_SIGNED, SheetState.SCHOOL_SIGNED),
            "signed_school": record.state == SheetState.SCHOOL_SIGNED,
            "sign_unit": layout.SIGN_UNIT,
            "sign_school": layout.SIGN_SCHOOL,
            "sign_date": layout.SIGN_DATE,
        }

    @api.model
    def _benefit_block(self, sheet):
        """One instrument's block of the benefit table: ``{"code", "name", "lines",
        "sections": [(first, last, section, subtotal, weighted)], "total"}``. The benefit table
        has one column, the computed one, whoever signed (a signature approves it): its
        points, the sections' subtotals and weighted points and the total as the form stores
        them."""
        column = "points_computed"
        lines = _table_order(sheet.line_ids)
        runs = layout.runs([line.criterion_id.section_id.id for line in lines])
        sections = []
        for first, last, _section_id in runs:
            run = lines[first : last + 1]
            section = run[0].criterion_id.section_id
            stored = run.filtered("section_first")[:1]
            if stored:
                subtotal, weighted = stored.section_subtotal, stored.section_weighted
            else:
                subtotal, weighted = layout.section_subtotal(
                    run.mapped(column), section.cap, section.weight
                )
            sections.append((first, last, section, subtotal, weighted))
        return {
            "code": sheet.instrument_id.code or "",
            "name": sheet.instrument_id.name,
            "lines": [
                {
                    "criterion": line.criterion_id.name or "",
                    "quantity": line.figure_value,
                    "rule": line.criterion_id.rule_text or "",
                    "points": line[column],
                }
                for line in lines
            ],
            "sections": sections,
            "total": sheet.total_computed,
            "explanation": sheet.explanation or "",
        }

    @api.model
    def _benefit_layout(self, sheet):
        """The benefit table's printed texts (seed 001 §3.4), for ``sheet``'s PDF."""
        campaign = sheet.campaign_id
        return {
            "title": layout.title(
                layout.BENEFIT_TITLE, campaign.company_id.name, year=campaign.year
            ),
            "columns": layout.BENEFIT_COLUMNS,
            "total_label": layout.BENEFIT_TOTAL_LABEL,
            "explanation": layout.BENEFIT_EXPLANATION,
        }

    def _write_benefit(self, book, formats, sheets):
        ws = book.add_worksheet(layout.BENEFIT_SHEET)
        for col, width in enumerate(layout.BENEFIT_WIDTHS):
            ws.set_column(col, col, width)
        last_col = len(layout.BENEFIT_COLUMNS) - 1
        campaign = self.campaign_id
        ws.merge_range(
            0,
            0,
            0,
            last_col,
            layout.title(layout.BENEFIT_TITLE, campaign.company_id.name, year=campaign.year),
            formats["title"],
        )
        for col, text in enumerate(layout.BENEFIT_COLUMNS):
            ws.write(1, col, text, formats["header"])
        row = 2
        for sheet in sheets:
            block = self._benefit_block(sheet)
            count = len(block["lines"])
            if not count:
                continue
            _merge(
                ws,
                row,
                layout.B_CODE,
                row + count - 1,
                layout.B_CODE,
                block["code"],
                formats["cell"],
            )
            _merge(
                ws,
                row,
                layout.B_NAME,
                row + count - 1,
                layout.B_NAME,
                block["name"],
                formats["cell"],
            )
            for first, last, section, subtotal, weighted in block["sections"]:
                top, bottom = row + first, row + last
                _merge(
                    ws,
                    top,
                    layout.B_SECTION,
                    bottom,
                    layout.B_SECTION,
                    section.name,
                    formats["cell"],
                )
                _merge(
                    ws,
                    top,
                    layout.B_WEIGHT,
                    bottom,
                    layout.B_WEIGHT,
                    f"{layout.number_text(section.weight)}%",
                    formats["center"],
                )
                _merge(
                    ws,
                    top,
                    layout.B_SUBTOTAL,
                    bottom,
                    layout.B_SUBTOTAL,
                    subtotal,
                    formats["number"],
                )
                _merge(
                    ws,
                    top,
                    layout.B_WEIGHTED,
                    bottom,
                    layout.B_WEIGHTED,
                    weighted,
                    formats["number"],
                )
            for index, line in enumerate(block["lines"]):
                ws.write(row + index, layout.B_CRITERION, line["criterion"], formats["cell"])
                ws.write_number(row + index, layout.B_QUANTITY, line["quantity"], formats["number"])
                ws.write(row + index, layout.B_RULE, line["rule"], formats["cell"])
                ws.write_number(row + index, layout.B_POINTS, line["points"], formats["number"])
            row += count
            if block["explanation"]:
                ws.merge_range(
                    row,
                    0,
                    row,
                    layout.B_WEIGHTED,
                    layout.BENEFIT_EXPLANATION % block["explanation"],
                    formats["cell"],
                )
                row += 1
            ws.merge_range(
                row, 0, row, layout.B_SUBTOTAL, layout.BENEFIT_TOTAL_LABEL, formats["header"]
            )
            ws.write_number(row, layout.B_WEIGHTED, block["total"], formats["number_bold"])
            row += 2
        ws.freeze_panes(2, 0)


def _table_order(lines):
    """A form's lines in the table's order: by section, then criterion (as stored and scored)."""
    return lines.sorted(lambda rec: (rec.section_sequence, rec.sequence, rec.id))


def _formats(book):
    base = {
        "font_name": "Noto Sans CJK SC",
        "font_size": 10,
        "valign": "vcenter",
        "text_wrap": True,
    }
    border = {**base, "border": 1}
    return {
        "title": book.add_format({**base, "bold": True, "font_size": 14, "align": "center"}),
        "label": book.add_format({**base, "bold": True}),
        "value": book.add_format({**base, "bottom": 1}),
        "plain": book.add_format(base),
        "header": book.add_format(
            {**border, "bold": True, "align": "center", "bg_color": "#EEEEEE"}
        ),
        "cell": book.add_format(border),
        "center": book.add_format({**border, "align": "center"}),
        "number": book.add_format({**border, "align": "center", "num_format": "0.##"}),
        "number_bold": book.add_format(
            {**border, "align": "center", "num_format": "0.##", "bold": True}
        ),
    }


def _merge(ws, first_row, first_col, last_row, last_col, value, fmt):
    """Write ``value`` over a range (merged when it spans more than one cell)."""
    if (first_row, first_col) == (last_row, last_col):
        ws.write(first_row, first_col, value, fmt)
    else:
        ws.merge_range(first_row, first_col, last_row, last_col, value, fmt)


def _write_form(ws, form_layout, data, formats):
    """One form (附件3 or 附件2) on a worksheet, as the seed prints it."""
    last_col = form_layout.columns - 1
    for col, width in enumerate(form_layout.widths):
        ws.set_column(col, col, width)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.merge_range(0, 0, 0, last_col, data["title"], formats["title"])
    ws.set_row(0, 30)
    row = 1
    for info_row in data["info"]:
        for label, value, line in info_row:
            ws.write(row, line.label_col, label, formats["label"])
            _merge(ws, row, line.value_col, row, line.value_last_col, value, formats["value"])
        row += 1
    row += 1
    for cell in form_layout.header:
        _merge(
            ws,
            row + cell.row,
            cell.col,
            row + cell.bottom,
            cell.right,
            cell.text,
            formats["header"],
        )
    row += form_layout.header_rows
    first_line_row = row
    for line in data["lines"]:
        ws.write(row, layout.COL_CRITERION, line["criterion"], formats["cell"])
        ws.write(row, layout.COL_RULE, line["rule"], formats["cell"])
        ws.write_number(row, layout.COL_MAX, line["max"], formats["number"])
        ws.write_number(row, layout.COL_UNIT, line["unit"], formats["number"])
        ws.write_number(row, layout.COL_SCHOOL, line["school"], formats["number"])
        ws.write(row, layout.COL_NOTE, line["note"], formats["cell"])
        row += 1
    for first, last, _section in data["runs"]:
        text = data["lines"][first]["section"]
        top, bottom = first_line_row + first, first_line_row + last
        _merge(ws, top, layout.COL_SECTION, bottom, layout.COL_SECTION, text, formats["cell"])
    totals = data["totals"]
    ws.merge_range(
        row, layout.COL_SECTION, row, layout.COL_RULE, form_layout.total_label, formats["header"]
    )
    ws.write_number(row, layout.COL_MAX, totals["max"], formats["number_bold"])
    ws.write_number(row, layout.COL_UNIT, totals["unit"], formats["number_bold"])
    ws.write_number(row, layout.COL_SCHOOL, totals["school"], formats["number_bold"])
    ws.write(row, layout.COL_NOTE, "", formats["cell"])
    row += 2
    for note in form_layout.notes:
        ws.merge_range(row, 0, row, last_col, note, formats["plain"])
        row += 1
    row += 1
    ws.merge_range(row, layout.COL_MAX, row, last_col, data["date"], formats["plain"])
