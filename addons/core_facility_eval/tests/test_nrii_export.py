"""The national platform's export: the instruments of the national scope by default, the
required fields listed per instrument and the export refused while any is missing, then the
XLSX (a sheet per record type, the platform's field names as header) and the JSON files (lists
of objects keyed by the platform's names): instruments, one service record per done booking of
the year with its service mode, and the unit's annual report in 万元."""

import io
import json
from datetime import date, datetime

import openpyxl
import pytz
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..rules import nrii
from .common import EvalCase

SHANGHAI = pytz.timezone("Asia/Shanghai")


def local(*args):
    return SHANGHAI.localize(datetime(*args)).astimezone(pytz.utc).replace(tzinfo=None)


@tagged("post_install", "-at_install")
class TestNriiExport(EvalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tem = cls.env.ref("core_facility_eval.nrii_category_010101")
        cls.spirit.required_level_id = cls.primary  # used after training: 技术共享
        cls.grant(cls.student_a1, cls.spirit, cls.primary)
        cls.t20.code = "TEM-T20"
        cls.titan.code = "TEM-TITAN"

    def complete(self, instrument, **values):
        instrument.write(
            {
                "code": instrument.code or f"ASSET-{instrument.id}",
                "nrii_ename": "Transmission electron microscope",
                "nrii_category_id": self.tem.id,
                "nrii_nation_code": "840",
                "manufacturer": "FEI",
                "model_name": "Tecnai",
                "nrii_technical": "120 kV",
                "nrii_function": "Imaging",
                "nrii_subject": "生物学",
                "nrii_service_content": "Negative staining",
                "nrii_requirement": "Trained users",
                "nrii_fee_text": "300 元/小时",
                "nrii_funds": "central",
                "building": "B1",
                "room": "101",
                "nrii_contact": "张老师",
                "nrii_phone": "028-85410000",
                "nrii_email": "tem@example.com",
                **values,
            }
        )

    def wizard(self, user=None, **values):
        return (
            self.env["facility.nrii.export"]
            .with_user(user or self.director)
            .create({"year": 2041, **values})
        )

    def test_default_scope_and_missing_fields_listed(self):
        wizard = self.wizard()
        # the national scope: 500,000 CNY or more (the 120,000 CNY centrifuge is not in it)
        self.assertIn(self.titan, wizard.instrument_ids)
        self.assertIn(self.spirit, wizard.instrument_ids)
        self.assertNotIn(self.cheap, wizard.instrument_ids)
        wizard.instrument_ids = self.titan | self.spirit
        self.complete(self.spirit)
        wizard.action_check()
        self.assertEqual(wizard.state, "checked")
        self.assertEqual(wizard.line_ids.instrument_id, self.titan)
        missing = wizard.line_ids.missing
        for label in ("英文名称", "仪器分类编码", "产地国别", "主要技术指标", "资金来源"):
            self.assertIn(label, missing)
        self.assertNotIn("联系人", missing)  # the manager's, by default
        self.assertNotIn("所属单位标识", missing)  # asked once, by the export
        with self.assertRaisesRegex(UserError, "unit code"):
            wizard.action_export()
        wizard.unit_code = "12100000400000624D"
        with self.assertRaisesRegex(UserError, "Test Titan: 英文名称、"):
            wizard.action_export()
        self.assertFalse(wizard.attachment_ids)

    def test_contact_defaults_to_the_first_manager(self):
        self.manager_spirit.write({"phone": "028-1234", "email": "spirit@example.com"})
        instrument = self.env["facility.instrument"].create(
            {
                "name": "Test Krios",
                "unit_id": self.center.id,
                "manager_ids": [Command.set(self.manager_spirit.ids)],
            }
        )
        self.assertEqual(
            (instrument.nrii_contact, instrument.nrii_phone, instrument.nrii_email),
            (self.manager_spirit.name, "028-1234", "spirit@example.com"),
        )
        self.assertEqual(instrument.nrii_status, "正常")
        instrument.scrap_applied_date = date(2041, 3, 1)
        self.assertEqual(instrument.nrii_status, "待报废")

    def test_export_once_complete(self):
        with freeze_time(local(2041, 6, 1, 7)):
            self_use = self.env["facility.booking"].create(
                {
                    "instrument_id": self.t20.id,
                    "operator_id": self.student_b1.id,
                    "research_group_id": self.group_b.id,
                    "purpose": "Grid screening",
                    "date_start": local(2041, 6, 1, 9),
                    "date_stop": local(2041, 6, 1, 12),
                }
            )
            trained = self.env["facility.booking"].create(
                {
                    "instrument_id": self.spirit.id,
                    "operator_id": self.student_a1.id,
                    "research_group_id": self.group_a.id,
                    "purpose": "Tomography",
                    "date_start": local(2041, 6, 1, 14),
                    "date_stop": local(2041, 6, 1, 16),
                }
            )
            sample = self.env["facility.booking"].create(
                {
                    "instrument_id": self.t20.id,
                    "operator_id": self.student_a1.id,
                    "research_group_id": self.group_a.id,
                    "purpose": "Sample job",
                    "date_start": local(2041, 6, 1, 13),
                    "date_stop": local(2041, 6, 1, 14),
                }
            )
        for booking in self_use | trained | sample:
            if booking.state == "requested":
                booking._confirm()
        with freeze_time(local(2041, 6, 1, 18)):
            for booking in self_use | trained | sample:
                booking._start(at=booking.date_start)
                booking._finish(at=booking.date_stop)
        service_type = self.env["facility.service.type"].create({"name": "TEM imaging"})
        self.env["facility.service.order"].create(
            {
                "service_type_id": service_type.id,
                "research_group_id": self.group_a.id,
                "booking_ids": [Command.set(sample.ids)],
            }
        )
        for instrument in self.spirit | self.t20 | self.titan:
            self.complete(instrument)
        wizard = self.wizard(unit_code="12100000400000624D")
        wizard.instrument_ids = self.spirit | self.t20 | self.titan
        wizard.action_export()
        self.assertEqual(wizard.state, "done")
        self.assertFalse(wizard.line_ids)
        files = {a.name: a for a in wizard.attachment_ids}
        stem = "NRII-12100000400000624D-2041"
        self.assertEqual(
            set(files),
            {
                f"{stem}.xlsx",
                f"{stem}-equipment.json",
                f"{stem}-record.json",
                f"{stem}-service.json",
            },
        )
        equipment = json.loads(files[f"{stem}-equipment.json"].raw)
        self.assertEqual(len(equipment), 3)
        for row in equipment:
            self.assertEqual(set(row), set(nrii.header(nrii.INSTRUMENT_FIELDS)))
        titan = next(row for row in equipment if row["innerId"] == "TEM-TITAN")
        self.assertEqual(titan["worth"], 1800.0)  # 18,000,000 CNY in 万元
        self.assertEqual(titan["instrCategory"], "010101")
        self.assertEqual(titan["insCode"], "12100000400000624D")
        self.assertEqual(titan["instrSource"], "购置")
        self.assertEqual(titan["beginDate"], "2035-03-01")
        t20 = next(row for row in equipment if row["innerId"] == "TEM-T20")
        self.assertEqual((t20["runMachine"], t20["serviceMachine"]), (4.0, 3.0))
        records = json.loads(files[f"{stem}-record.json"].raw)
        self.assertEqual(len(records), 3)
        for row in records:
            self.assertEqual(set(row), set(nrii.header(nrii.RECORD_FIELDS)))
        by_content = {row["serviceContent"]: row for row in records}
        self.assertEqual(by_content["Grid screening"]["serviceWay"], "占用共享")
        self.assertEqual(by_content["Grid screening"]["serviceType"], 130)  # external group
        self.assertEqual(by_content["Grid screening"]["serviceTime"], "2041-06-01 09")
        self.assertEqual(by_content["Grid screening"]["endTime"], "2041-06-01 12")
        self.assertEqual(by_content["Grid screening"]["serviceAmount"], 3.0)
        self.assertEqual(by_content["Tomography"]["serviceWay"], "技术共享")
        self.assertEqual(by_content["Tomography"]["serviceType"], 120)
        self.assertEqual(by_content["Sample job"]["serviceWay"], "委托共享")
        self.assertEqual(by_content["Sample job"]["serviceDirection"], 135)
        # who and for whom, read as plain values
        self.assertEqual(by_content["Grid screening"]["applicant"], self.student_b1.name)
        self.assertEqual(by_content["Grid screening"]["applicantUnit"], self.group_b.name)
        self.assertEqual(by_content["Tomography"]["applicant"], self.student_a1.name)
        self.assertEqual(by_content["Tomography"]["recordInnerId"], trained.name)
        self.assertEqual(by_content["Tomography"]["innerId"], self.spirit.code or "")
        service = json.loads(files[f"{stem}-service.json"].raw)
        self.assertEqual(len(service), 1)
        self.assertEqual(set(service[0]), set(nrii.header(nrii.SERVICE_FIELDS)))
        # the company's instruments of 500,000 CNY or more: here the Spirit (350 万元), the T20
        # (120) and the Titan (1,800), not the centrifuge; with demo data, the demo's too
        large = self.env["facility.instrument"].search(
            [("original_value", ">=", 500_000), ("state", "!=", "scrapped")]
        )
        self.assertLessEqual(self.spirit | self.t20 | self.titan, large)
        self.assertNotIn(self.cheap, large)
        self.assertEqual(service[0]["instrNum"], len(large))
        self.assertEqual(service[0]["instrWorth"], nrii.wan(sum(large.mapped("original_value"))))
        self.assertEqual(service[0]["billWorth"], 0.0)  # no fee standard: nothing charged
        book = openpyxl.load_workbook(io.BytesIO(files[f"{stem}.xlsx"].raw))
        self.assertEqual(book.sheetnames, ["单台套(4)", "服务记录(6)", "年度服务成效(7)"])
        ws = book["单台套(4)"]
        self.assertEqual([cell.value for cell in ws[1]], nrii.header(nrii.INSTRUMENT_FIELDS))
        self.assertEqual(ws.max_row, 4)
        self.assertEqual(
            [cell.value for cell in book["服务记录(6)"][1]], nrii.header(nrii.RECORD_FIELDS)
        )
        # the unit code is remembered for the next export
        self.assertEqual(self.wizard().unit_code, "12100000400000624D")

    def test_instrument_manager_exports_own_instruments_only(self):
        wizard = self.wizard(user=self.manager_spirit, unit_code="X1")
        self.assertEqual(wizard.instrument_ids, self.spirit)
        self.complete(self.spirit)
        wizard.action_export()
        self.assertEqual(wizard.state, "done")
        wizard = self.wizard(user=self.manager_spirit, unit_code="X1")
        wizard.instrument_ids = self.spirit | self.titan
        with self.assertRaisesRegex(UserError, "only the instruments you manage"):
            wizard.action_check()
