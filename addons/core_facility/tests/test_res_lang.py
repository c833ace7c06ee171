from datetime import date, datetime

from odoo.tests import TransactionCase, tagged
from odoo.tools import format_date

from ..models.res_lang import ODOO_ZH_CN_FORMATS


@tagged("post_install", "-at_install")
class TestChineseFormats(TransactionCase):
    """Simplified Chinese weeks start on Monday, as the booking rules count them, and times are
    written 18:00: on install, on update and whenever zh_CN is activated."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Lang = cls.env["res.lang"].with_context(active_test=False)
        cls.zh_cn = cls.Lang.search([("code", "=", "zh_CN")])

    def _reset_to_odoo_formats(self, lang):
        # as Odoo ships it (res.lang.csv), and as an update of base writes it back
        lang.write(ODOO_ZH_CN_FORMATS)

    def test_activating_zh_cn_gives_monday_and_times_without_seconds(self):
        if self.zh_cn.active:
            self.skipTest("zh_CN is already active in this database")
        self._reset_to_odoo_formats(self.zh_cn)
        self.Lang._activate_lang("zh_CN")
        self.assertRecordValues(
            self.zh_cn,
            [
                {
                    "active": True,
                    "week_start": "1",
                    "date_format": "%Y/%m/%d",
                    "time_format": "%H:%M",
                    "short_time_format": "%H:%M",
                }
            ],
        )

    def test_install_and_update_set_an_active_zh_cn(self):
        self.Lang._activate_lang("zh_CN")
        self._reset_to_odoo_formats(self.zh_cn)
        self.assertEqual(self.zh_cn.week_start, "7")
        # what data/res_lang_data.xml runs on every install and update of the module
        self.env["res.lang"]._apply_facility_formats_if_active()
        self.assertEqual(self.zh_cn.week_start, "1")
        self.assertEqual(self.zh_cn.time_format, "%H:%M")

    def test_an_inactive_zh_cn_is_left_until_activated(self):
        if self.zh_cn.active:
            self.skipTest("zh_CN is in use in this database and cannot be deactivated")
        self._reset_to_odoo_formats(self.zh_cn)
        self.env["res.lang"]._apply_facility_formats_if_active()
        self.assertEqual(self.zh_cn.week_start, "7")
        self.Lang._activate_lang("zh_CN")
        self.assertEqual(self.zh_cn.week_start, "1")

    def test_an_administrators_choice_is_kept(self):
        self.Lang._activate_lang("zh_CN")
        self._reset_to_odoo_formats(self.zh_cn)
        self.zh_cn.write({"time_format": "%H:%M:%S", "date_format": "%Y-%m-%d"})
        self.env["res.lang"]._apply_facility_formats_if_active()
        self.assertRecordValues(
            self.zh_cn,
            [{"week_start": "1", "time_format": "%H:%M:%S", "date_format": "%Y-%m-%d"}],
        )

    def test_other_languages_are_untouched(self):
        zh_tw = self.Lang.search([("code", "=", "zh_TW")])
        before = zh_tw.read(list(ODOO_ZH_CN_FORMATS))[0]
        self.Lang._activate_lang("zh_TW")
        self.Lang._activate_lang("zh_CN")
        self.env["res.lang"]._apply_facility_formats_if_active()
        self.assertEqual(zh_tw.read(list(ODOO_ZH_CN_FORMATS))[0], before)
        self.assertEqual(zh_tw.week_start, "7")

    def test_dates_read_without_seconds_in_chinese(self):
        self.Lang._activate_lang("zh_CN")
        self._reset_to_odoo_formats(self.zh_cn)
        self.zh_cn._apply_facility_formats()
        zh = self.env(context=dict(self.env.context, lang="zh_CN", tz="Asia/Shanghai"))
        moment = datetime(2026, 11, 23, 10, 0)  # UTC
        # as reports and messages print a date and time (t-field, t-options widget datetime)
        printed = zh["ir.qweb.field.datetime"].value_to_html(moment, {})
        self.assertEqual(printed, "2026/11/23 18:00")
        self.assertEqual(format_date(zh, date(2026, 11, 23)), "2026/11/23")
        # what the web client is given: the calendar starts its weeks on Monday
        _terms, params = zh["ir.http"].get_translations_for_webclient(["web"], "zh_CN")
        self.assertEqual(params["week_start"], 1)
        self.assertEqual(params["time_format"], "%H:%M")
