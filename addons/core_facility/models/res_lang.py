from odoo import api, models

# Odoo ships Simplified Chinese with Sunday as the first day of the week and times written
# "18时00分00秒". Chinese universities count weeks from Monday (so do the booking rules: a
# natural week starts on Monday) and write times as 18:00; the short date 2026/11/23 keeps a
# start and an end on one line of a card or a list cell.
ZH_CN = "zh_CN"
ODOO_ZH_CN_FORMATS = {
    "week_start": "7",
    "date_format": "%Y年%m月%d日",
    "time_format": "%H时%M分%S秒",
    "short_time_format": "%H时%M分",
}
FACILITY_ZH_CN_FORMATS = {
    "week_start": "1",
    "date_format": "%Y/%m/%d",
    "time_format": "%H:%M",
    "short_time_format": "%H:%M",
}


class ResLang(models.Model):
    _inherit = "res.lang"

    @api.model_create_multi
    def create(self, vals_list):
        langs = super().create(vals_list)
        langs.filtered("active")._apply_facility_formats()
        return langs

    def write(self, vals):
        res = super().write(vals)
        if vals.get("active"):
            self._apply_facility_formats()
        return res

    @api.model
    def _apply_facility_formats_if_active(self):
        """On install and update of Core Facility (an update of ``base`` reloads Odoo's own
        formats, then ours): give an active zh_CN the facility's formats."""
        self.search([("code", "=", ZH_CN)])._apply_facility_formats()

    def _apply_facility_formats(self):
        """Monday first and times without seconds for zh_CN. A format is changed only while it
        is still Odoo's own, so that an administrator's choice is kept; other languages are
        left as they are."""
        for lang in self.filtered(lambda lang: lang.code == ZH_CN):
            values = {
                field: value
                for field, value in FACILITY_ZH_CN_FORMATS.items()
                if lang[field] == ODOO_ZH_CN_FORMATS[field]
            }
            if values:
                lang.write(values)
