"""Codes shared by the evaluation's rules, models, views, exports and tests: defined here once.

Every enum is a :class:`StrEnum`, so a member compares equal to its value: selection fields use
the values directly and a value read back from the database becomes a member with
``Method(value)``. Nothing here imports Odoo.
"""

from enum import StrEnum


class SchemeLevel(StrEnum):
    """What one scoring table scores."""

    INSTRUMENT = "instrument"  # seed 002 附件3: one form per instrument, 100 points
    UNIT = "unit"  # seed 002 附件2: one form per 二级单位, 100 points
    BENEFIT = "benefit"  # seed 001 §3.4: weighted subtotals, each capped at 100


class CampaignState(StrEnum):
    """The steps of a campaign (seed 002 第三条: units assess their instruments and file the
    results with the equipment office; the school assesses the units)."""

    PREPARING = "preparing"
    SELF_ASSESSING = "self_assessing"
    SCHOOL_ASSESSING = "school_assessing"
    CLOSED = "closed"


class SheetStatus(StrEnum):
    """Whether an instrument in scope is assessed this year (附件3 7.2 remark, note (2))."""

    ASSESSED = "assessed"
    NOT_ASSESSED = "not_assessed"  # account opened after 30 Sep of the year
    EXCLUDED = "excluded"  # scrap application filed that year


class SheetState(StrEnum):
    """Who has signed a form (per instrument or per unit)."""

    DRAFT = "draft"
    UNIT_SIGNED = "unit_signed"  # the unit's column signed (filed with the equipment office)
    SCHOOL_SIGNED = "school_signed"  # the school's column signed


class Column(StrEnum):
    """The score columns of a form: computed from the records, the unit's, the school's."""

    COMPUTED = "computed"
    UNIT = "unit"
    SCHOOL = "school"


class Method(StrEnum):
    """How a criterion turns a figure into points (the criterion's data says which)."""

    BAND = "band"  # the band containing the figure
    PER_ITEM = "per_item"  # figure ÷ per_quantity × points_per_item, capped at max_points
    DEDUCTION = "deduction"  # max_points − the figure (deductions), not below 0
    MANUAL = "manual"  # entered by the assessors, 0..max_points
    AVERAGE = "average"  # unit: mean of the assessed instruments' points on a criterion ÷ divisor
    AVERAGE_BAND = "average_band"  # unit: the band containing the mean of a figure
    TOTAL_BAND = "total_band"  # unit: the band containing the total of a figure
    CASES = "cases"  # unit: showcase cases of a section, 1 point each, at most max_points
    HOURS_RATIO = "hours_ratio"  # benefit: effective/rated × 86, or 86 + surplus ÷ 150 / 130


class Figure(StrEnum):
    """The figures a criterion can read. Per instrument unless marked; computed from the
    records by the collector, except those the assessors enter (marked "entered")."""

    HOURS = "hours"  # annual hours, prorated for a new instrument
    EXTERNAL_HOURS = "external_hours"  # hours of users outside the university (校外), prorated
    FEES = "fees"  # shared fees charged in the year (CNY)
    FEE_STANDARD = "fee_standard"  # 1 if an approved fee standard is in force, else 0
    TRAINING_HOURS = "training_hours"  # hours of training sessions given
    OUTCOMES = "outcomes"  # projects + papers + provincial+ awards + patents
    RULES_LEVEL = "rules_level"  # entered: 2 rules made and applied, 1 made only, 0 none
    DAILY_MISSING = "daily_missing"  # of the five daily-management items, how many are missing
    PLATFORM_DEDUCTION = "platform_deduction"  # entered: 0 complete, 2..5 incomplete, 10 none
    LEDGER_DEDUCTION = "ledger_deduction"  # entered: the usage ledger's deductions
    # benefit evaluation (seed 001 §3.4)
    NORMAL_PROJECTS = "normal_projects"
    KEY_PROJECTS = "key_projects"
    DEPARTMENTS = "departments"
    RESEARCHERS = "researchers"
    EXTERNAL_FEES = "external_fees"  # CNY charged to external users
    NATIONAL_AWARDS = "national_awards"
    PROVINCIAL_AWARDS = "provincial_awards"
    SCI_PAPERS = "sci_papers"
    CORE_PAPERS = "core_papers"
    PATENTS = "patents"
    TRAININGS = "trainings"
    RATED_HOURS = "rated_hours"  # the instrument's rated annual hours (额定机时)
    SPECIAL_PURPOSE = "special_purpose"  # 1 for a special-purpose instrument, 0 general


class DailyItem(StrEnum):
    """The five daily-management items of 附件3 §2 (−1 point for each one missing)."""

    PERSON = "person"  # 专人分工负责
    LEDGER = "ledger"  # 建立使用台账
    PROCEDURE = "procedure"  # 有操作规程
    SAFETY = "safety"  # 有安全规章制度
    ASSET_TAG = "asset_tag"  # 正确贴上固定资产标签


class RulesLevel(StrEnum):
    """附件3 §1: rules made by the unit and applied by the instrument's team (5/3/0)."""

    APPLIED = "2"
    MADE = "1"
    NONE = "0"


class CaseSection(StrEnum):
    """附件2 7.4 and 8.5: showcase cases, up to five per section."""

    USAGE = "usage"
    SHARING = "sharing"


class ServiceWay(StrEnum):
    """NRII service record serviceWay, derived from how the instrument was used."""

    SELF_USE = "占用共享"
    TRAINED_USE = "技术共享"
    ENTRUSTED = "委托共享"
    REMOTE = "远程共享"
    OTHER = "其他"


# The instrument table's fail rules (seed 002 第四条 2): "60分以下" fails, and so do fewer than
# 800 hours a year. The unit table: "70分以下". Exactly 60 (70) points passes — see the README.
INSTRUMENT_FAIL_BELOW = 60.0
UNIT_FAIL_BELOW = 70.0
HOURS_FAIL_BELOW = 800.0
# 第一条: instruments of an original value of 400,000 CNY or more (the national scope: 500,000)
SCOPE_MIN_VALUE = 400_000.0
NATIONAL_SCOPE_MIN_VALUE = 500_000.0
# seed 001 §3.4: effective hours under 150 must be explained in writing
EXPLAIN_HOURS_BELOW = 150.0
CASES_MAX = 5
