"""The printed layouts of the evaluation's forms (core_facility_eval/rules/layout.py): the seed's
merged header cells of 附件3 and 附件2, the benefit table's columns, sheet names Excel accepts,
the merged 考核大项 runs and the benefit subtotals (seed 001 §3.4's NMR row)."""

from datetime import date

import pytest
from core_facility_eval.rules import layout as lay


def spans(form):
    return {(c.text, c.row, c.col, c.bottom, c.right) for c in form.header}


def test_annex3_header_is_the_seeds():
    # 考核指标及权重 over 考核大项 and 考核内容; 计分规则说明 and 备注 over both rows; 分值 over
    # 满分 / 二级单位对机组考核 / 学校考核
    assert spans(lay.ANNEX3) == {
        ("考核指标及权重", 0, 0, 0, 1),
        ("计分规则说明", 0, 2, 1, 2),
        ("分值", 0, 3, 0, 5),
        ("备注", 0, 6, 1, 6),
        ("考核大项", 1, 0, 1, 0),
        ("考核内容", 1, 1, 1, 1),
        ("满分", 1, 3, 1, 3),
        ("二级单位对机组考核", 1, 4, 1, 4),
        ("学校考核", 1, 5, 1, 5),
    }
    assert lay.ANNEX3.header_rows == 2
    assert lay.ANNEX3.columns == 7
    labels = [line.label for row in lay.ANNEX3.info for line in row]
    assert labels == ["仪器设备名称", "设备编号", "所属单位（二级单位与实验室名称）", "责任人签字"]
    assert lay.ANNEX3.notes[0].startswith("注：(1)")
    assert lay.ANNEX3.notes[1].startswith("(2)")


def test_annex2_header_is_the_seeds():
    row2 = sorted((c.col, c.text) for c in lay.ANNEX2.header if c.row == 1)
    row1 = sorted((c.col, c.text) for c in lay.ANNEX2.header if c.row == 0)
    assert [t for _c, t in row1] == ["考核指标及权重", "计分规则说明", "得分", "备注"]
    assert [t for _c, t in row2] == ["考核大项", "考核内容", "满分", "二级单位自评", "学校考核"]
    assert [line.label for row in lay.ANNEX2.info for line in row] == ["单位名称", "责任人签字"]


def test_every_header_cell_is_covered_once():
    for form in (lay.ANNEX3, lay.ANNEX2):
        covered = [
            (r, c)
            for cell in form.header
            for r in range(cell.row, cell.bottom + 1)
            for c in range(cell.col, cell.right + 1)
        ]
        assert sorted(covered) == [(r, c) for r in range(2) for c in range(7)]


def test_titles_name_the_company_and_the_scope():
    assert (
        lay.title(lay.ANNEX3.title, "四川大学", scope=400_000)
        == "四川大学单台（套）40万元及以上大型仪器设备开放共享年度效益评价表"
    )
    annex2 = lay.title(lay.ANNEX2.title, "某大学")
    assert annex2 == "某大学大型仪器设备开放共享工作二级单位年度考核评价表"
    assert lay.scope_text(425_000) == "42.5"
    assert lay.scope_text(500_000) == "50"


def test_benefit_columns_are_the_seeds():
    assert lay.BENEFIT_COLUMNS == (
        "仪器编号",
        "仪器名称",
        "项目",
        "权重",
        "内容",
        "数量",
        "评分标准",
        "分项得分",
        "小计",
        "加权得分",
    )
    assert len(lay.BENEFIT_WIDTHS) == len(lay.BENEFIT_COLUMNS)
    assert lay.B_WEIGHTED == len(lay.BENEFIT_COLUMNS) - 1


def test_sheet_names_excel_accepts():
    names = lay.sheet_names(
        ["TEM-01", "tem-01", "a/b:c*?[d]", "", "x" * 40, "x" * 40, "透射电镜" * 10]
    )
    assert names[0] == "TEM-01"
    assert names[1] == "tem-01 (2)"  # Excel compares names regardless of case
    assert names[2] == "a_b_c___d_"
    assert names[3] == "Sheet"
    assert names[4] == "x" * 31
    assert names[5] == "x" * 27 + " (2)"
    assert len(names[6]) == 31
    assert all(len(n) <= 31 for n in names)
    assert len({n.casefold() for n in names}) == len(names)


def test_runs_merge_consecutive_sections():
    assert lay.runs([1, 1, 2, 3, 3, 3, 1]) == [(0, 1, 1), (2, 2, 2), (3, 5, 3), (6, 6, 1)]
    assert lay.runs([]) == []


@pytest.mark.parametrize(
    ("points", "cap", "weight", "expected"),
    [
        # seed 001's 300 MHz NMR row: public service 16+8+20+50+70 = 164 → 100 → 30.0
        ([16, 8, 20, 50, 70], 100, 30, (100.0, 30.0)),
        # outcomes: 30 SCI papers × 2 = 60 → 9.0 (training is a section of its own)
        ([0, 0, 60, 0, 0], 100, 15, (60.0, 9.0)),
        ([100.0], 100, 35, (100.0, 35.0)),
        ([120.0], 0, 100, (120.0, 120.0)),  # no cap
        ([99.96], 100, 35, (100.0, 35.0)),
    ],
)
def test_section_subtotal(points, cap, weight, expected):
    assert lay.section_subtotal(points, cap, weight) == expected


def test_numbers_and_dates_as_printed():
    assert lay.number_text(1650.0) == "1650"
    assert lay.number_text(2.5) == "2.5"
    assert lay.number_text(0) == "0"
    assert lay.number_text(None) == ""
    assert lay.date_text(date(2041, 12, 20)) == "2041 年 12 月 20 日"
    assert lay.date_text(None) == "年　　月　　日"
