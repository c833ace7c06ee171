"""The national platform's records (core_facility_eval/rules/nrii.py): the service mode of a
use, the user's side, 万元, the status, and the required fields listed when missing."""

from datetime import datetime

import pytest
from core_facility_eval.rules import nrii
from core_facility_eval.rules.codes import ServiceWay


@pytest.mark.parametrize(
    ("sample_job", "requires_training", "expected"),
    [
        (True, True, ServiceWay.ENTRUSTED),  # a sample job is entrusted, whatever the instrument
        (True, False, ServiceWay.ENTRUSTED),
        (False, True, ServiceWay.TRAINED_USE),  # an instrument that requires training
        (False, False, ServiceWay.SELF_USE),
    ],
)
def test_service_way(sample_job, requires_training, expected):
    assert nrii.service_way(sample_job, requires_training) == expected


def test_service_way_values_are_the_platforms():
    assert nrii.service_way(True, False) == "委托共享"
    assert nrii.service_way(False, True) == "技术共享"
    assert nrii.service_way(False, False) == "占用共享"


def test_service_type():
    assert nrii.service_type(False) == 120
    assert nrii.service_type(True) == 130


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (1_234_567, 123.46),
        (5_000, 0.5),
        (500_000, 50.0),
        (125, 0.01),  # 0.0125 万元, half up
        (124, 0.01),
        (49, 0.0),
        (None, 0.0),
        (18_000_000, 1800.0),
    ],
)
def test_wan(amount, expected):
    assert nrii.wan(amount) == expected


def test_national_scope_edge():
    assert nrii.in_national_scope(500_000)
    assert not nrii.in_national_scope(499_999.99)
    assert not nrii.in_national_scope(None)


def test_status():
    assert nrii.instrument_status("in_service") == "正常"
    assert nrii.instrument_status("repair") == "待修"
    assert nrii.instrument_status("scrapped") == "待报废"
    assert nrii.instrument_status("in_service", scrap_applied=True) == "待报废"


def test_hour_text():
    assert nrii.hour_text(datetime(2041, 3, 5, 9, 30)) == "2041-03-05 09"
    assert nrii.hour_text(None) == ""


def test_missing_lists_required_labels_in_order():
    values = {name: "x" for name, _label, _req in nrii.INSTRUMENT_FIELDS}
    assert nrii.missing(values, nrii.INSTRUMENT_FIELDS) == []
    values.update({"ename": "", "worth": 0, "nation": None, "achievement": ""})
    # achievement is optional
    assert nrii.missing(values, nrii.INSTRUMENT_FIELDS) == ["英文名称", "原值（万元）", "产地国别"]


def test_headers_are_the_platforms_field_names():
    assert nrii.header(nrii.INSTRUMENT_FIELDS)[:4] == ["cname", "ename", "innerId", "insCode"]
    assert "instrCategory" in nrii.header(nrii.INSTRUMENT_FIELDS)
    assert {"serviceWay", "serviceType", "serviceDirection", "amounts"} <= set(
        nrii.header(nrii.RECORD_FIELDS)
    )
    assert {"billNum", "billWorth", "billWorthInstr", "instrNum", "instrWorth"} <= set(
        nrii.header(nrii.SERVICE_FIELDS)
    )
    for spec in (nrii.INSTRUMENT_FIELDS, nrii.RECORD_FIELDS, nrii.SERVICE_FIELDS):
        names = nrii.header(spec)
        assert len(names) == len(set(names))
