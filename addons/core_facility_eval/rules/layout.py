"""The printed layouts of the evaluation's forms (seed 002 附件3 per instrument, 附件2 per unit;
seed 001 §3.4 the benefit table): columns, merged header cells, the lines above and below the
table. Pure data and small helpers, shared by the XLSX export and the PDF; no Odoo import.

The texts are the seeds' own (a Chinese form the equipment office files as printed), with the
university's name replaced by the company's. Rows and columns count from 0; a :class:`Cell`
spans ``row..last_row`` × ``col..last_col`` (merged when it spans more than one cell).
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    row: int
    col: int
    text: str
    last_row: int | None = None
    last_col: int | None = None

    @property
    def bottom(self):
        return self.row if self.last_row is None else self.last_row

    @property
    def right(self):
        return self.col if self.last_col is None else self.last_col

    @property
    def merged(self):
        return (self.bottom, self.right) != (self.row, self.col)

    @property
    def rowspan(self):
        return self.bottom - self.row + 1

    @property
    def colspan(self):
        return self.right - self.col + 1


@dataclass(frozen=True)
class InfoLine:
    """A line above the table: ``label`` in ``label_col``, the value (``key``) filled from
    ``value_col`` to ``value_last_col`` (underlined when empty)."""

    label: str
    key: str
    label_col: int
    value_col: int
    value_last_col: int


@dataclass(frozen=True)
class FormLayout:
    """One form: the title (``%(company)s``, ``%(scope)s`` filled), the column widths, the
    lines above the table (pairs per row), the two header rows, the notes below."""

    title: str
    widths: tuple[float, ...]
    info: tuple[tuple[InfoLine, ...], ...]
    header: tuple[Cell, ...]
    notes: tuple[str, ...] = ()
    total_label: str = "合计"
    date_line: str = "年　　月　　日"

    @property
    def columns(self):
        return len(self.widths)

    @property
    def header_rows(self):
        return max(cell.bottom for cell in self.header) + 1


# columns of both forms: 考核大项, 考核内容, 计分规则说明, 满分, the unit's column, the school's
# column, 备注
COL_SECTION, COL_CRITERION, COL_RULE, COL_MAX, COL_UNIT, COL_SCHOOL, COL_NOTE = range(7)

# 附件3: one form per instrument
ANNEX3 = FormLayout(
    title="%(company)s单台（套）%(scope)s万元及以上大型仪器设备开放共享年度效益评价表",
    widths=(16, 24, 48, 7, 11, 9, 26),
    info=(
        (
            InfoLine("仪器设备名称", "instrument", 0, 1, 2),
            InfoLine("设备编号", "code", 3, 4, 6),
        ),
        (
            InfoLine("所属单位（二级单位与实验室名称）", "unit", 0, 1, 2),
            InfoLine("责任人签字", "signature", 3, 4, 6),
        ),
    ),
    header=(
        Cell(0, COL_SECTION, "考核指标及权重", last_col=COL_CRITERION),
        Cell(0, COL_RULE, "计分规则说明", last_row=1),
        Cell(0, COL_MAX, "分值", last_col=COL_SCHOOL),
        Cell(0, COL_NOTE, "备注", last_row=1),
        Cell(1, COL_SECTION, "考核大项"),
        Cell(1, COL_CRITERION, "考核内容"),
        Cell(1, COL_MAX, "满分"),
        Cell(1, COL_UNIT, "二级单位对机组考核"),
        Cell(1, COL_SCHOOL, "学校考核"),
    ),
    notes=(
        "注：(1) 此表以每台设备为单位，书面版和电子版报二级单位，电子版报实验室及设备管理处备案。",
        "(2) 本年度已提交报废申请的设备和本年度9月30日以后建账的设备不参与考核。",
    ),
)

# 附件2: one form per 二级单位
ANNEX2 = FormLayout(
    title="%(company)s大型仪器设备开放共享工作二级单位年度考核评价表",
    widths=(16, 24, 48, 7, 11, 9, 20),
    info=(
        (
            InfoLine("单位名称", "unit", 0, 1, 2),
            InfoLine("责任人签字", "signature", 3, 4, 6),
        ),
    ),
    header=(
        Cell(0, COL_SECTION, "考核指标及权重", last_col=COL_CRITERION),
        Cell(0, COL_RULE, "计分规则说明", last_row=1),
        Cell(0, COL_MAX, "得分", last_col=COL_SCHOOL),
        Cell(0, COL_NOTE, "备注", last_row=1),
        Cell(1, COL_SECTION, "考核大项"),
        Cell(1, COL_CRITERION, "考核内容"),
        Cell(1, COL_MAX, "满分"),
        Cell(1, COL_UNIT, "二级单位自评"),
        Cell(1, COL_SCHOOL, "学校考核"),
    ),
)

# seed 001 §3.4: one sheet, one block per instrument
BENEFIT_SHEET = "效益评价"
BENEFIT_TITLE = "%(company)s大型仪器设备使用效益评价表（%(year)s年度）"
BENEFIT_COLUMNS = (
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
BENEFIT_WIDTHS = (12, 22, 14, 7, 22, 10, 44, 9, 9, 9)
(
    B_CODE,
    B_NAME,
    B_SECTION,
    B_WEIGHT,
    B_CRITERION,
    B_QUANTITY,
    B_RULE,
    B_POINTS,
    B_SUBTOTAL,
    B_WEIGHTED,
) = range(10)
BENEFIT_TOTAL_LABEL = "加权总分"
# seed 001 §3.4: "有效机时小于150，说明情况" — the written explanation, under the block
BENEFIT_EXPLANATION = "有效机时小于150小时的说明：%s"
# the signature boxes under a printed form
SIGN_UNIT = "二级单位签字"
SIGN_SCHOOL = "学校考核签字"
SIGN_DATE = "日期"
# the figure the system counted, printed in a line's 备注
FIGURE_NOTE = "系统统计：%s"

# Excel: at most 31 characters, none of these, unique regardless of case
SHEET_NAME_MAX = 31
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def title(layout_title, company, scope=None, year=None):
    """The form's title with the company's name (and the scope in 万元, the year)."""
    return layout_title % {
        "company": company or "",
        "scope": scope_text(scope) if scope is not None else "",
        "year": year or "",
    }


def scope_text(value):
    """400,000 CNY → ``"40"``; 450,000 → ``"45"``; 425,000 → ``"42.5"`` (万元)."""
    return f"{value / 10000:.2f}".rstrip("0").rstrip(".")


def sheet_names(names):
    """Excel sheet names for ``names`` (in order): forbidden characters replaced, at most 31
    characters, unique regardless of case (a repeated name gets `` (2)``, `` (3)``…)."""
    result, seen = [], set()
    for name in names:
        base = _FORBIDDEN.sub("_", (name or "").strip()).strip("'") or "Sheet"
        base = base[:SHEET_NAME_MAX]
        candidate, number = base, 1
        while candidate.casefold() in seen:
            number += 1
            suffix = f" ({number})"
            candidate = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        seen.add(candidate.casefold())
        result.append(candidate)
    return result


def runs(keys):
    """``[(first, last, key)]`` of the runs of equal consecutive ``keys`` (indexes inclusive):
    the merged 考核大项 cells of a form's lines."""
    result = []
    for index, key in enumerate(keys):
        if result and result[-1][2] == key:
            result[-1] = (result[-1][0], index, key)
        else:
            result.append((index, index, key))
    return result


def section_subtotal(points, cap=None, weight=100.0):
    """Seed 001 §3.4: ``(小计, 加权得分)`` of a section's points: the sum capped at ``cap`` (none
    or 0: no cap), times ``weight`` %, both to 0.1 as the seed prints them."""
    subtotal = sum(points)
    if cap:
        subtotal = min(subtotal, cap)
    return round(subtotal, 1), round(subtotal * weight / 100.0, 1)


def number_text(value):
    """A figure as the forms print it: ``1650`` not ``1650.0``, ``2.5``, ``0``."""
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"


def date_text(day):
    """``2041 年 12 月 20 日`` for a date; the blank line of the form without one."""
    if not day:
        return "年　　月　　日"
    return f"{day.year} 年 {day.month} 月 {day.day} 日"
