"""The national platform's records (重大科研基础设施和大型科研仪器国家网络管理平台, "NRII";
shared/spec/nrii.md): the field names of each record type, the Chinese label of each required
field, and how a value is derived (service mode, user type, 万元). Plain values, no Odoo import.
"""

from decimal import ROUND_HALF_UP, Decimal

from .codes import NATIONAL_SCOPE_MIN_VALUE, ServiceWay

# record types of the platform
TYPE_INSTRUMENT = 4  # 单台套科学仪器
TYPE_RECORD = 6  # 服务记录
TYPE_SERVICE = 7  # 单位年度服务成效

# serviceType: the user's side
SERVICE_TYPE_INTERNAL = 120
SERVICE_TYPE_EXTERNAL = 130
# serviceDirection: 135 科学研究, 136 科技开发, 137 教学, 138 其他
DIRECTION_RESEARCH = 135
DIRECTION_DEVELOPMENT = 136
DIRECTION_TEACHING = 137
DIRECTION_OTHER = 138

# the instrument record (type 4): (platform field, label, required)
INSTRUMENT_FIELDS = (
    ("cname", "中文名称", True),
    ("ename", "英文名称", True),
    ("innerId", "所在单位仪器编号", True),
    ("insCode", "所属单位标识", True),
    ("instrBelongsType", "仪器归属类型", True),
    ("instrCategory", "仪器分类编码", True),
    ("instrSource", "仪器来源", True),
    ("instrSupervise", "是否海关监管", True),
    ("worth", "原值（万元）", True),
    ("nation", "产地国别", True),
    ("manufacturer", "生产制造商", True),
    ("beginDate", "启用日期", True),
    ("type", "仪器类型（通用/专用）", True),
    ("instrVersion", "规格型号", True),
    ("technical", "主要技术指标", True),
    ("function", "主要功能", True),
    ("subject", "主要学科领域", True),
    ("serviceContent", "服务内容", True),
    ("achievement", "典型成果", False),
    ("requirement", "对外开放共享规定", True),
    ("fee", "参考收费标准", True),
    ("serviceUrl", "预约服务网址", False),
    ("status", "运行状态", True),
    ("shareMode", "共享模式", True),
    ("runMachine", "年总运行机时", False),
    ("serviceMachine", "年对外服务机时", False),
    ("serviceIncome", "对外服务收入（万元）", False),
    ("funds", "资金来源", True),
    ("address", "安放地址", True),
    ("lng", "经度", False),
    ("lat", "纬度", False),
    ("contact", "联系人", True),
    ("phone", "联系电话", True),
    ("email", "电子邮箱", True),
)

# the service record (type 6)
RECORD_FIELDS = (
    ("innerId", "所在单位仪器编号", True),
    ("recordInnerId", "服务记录编号", True),
    ("amounts", "收费金额（元）", False),
    ("serviceTime", "服务开始时间", True),
    ("endTime", "服务结束时间", True),
    ("serviceAmount", "服务量（机时或样品数）", True),
    ("serviceContent", "服务内容", True),
    ("serviceWay", "服务方式", True),
    ("subjectName", "课题名称", False),
    ("applicant", "申请人", True),
    ("applicantPhone", "申请人电话", False),
    ("applicantEmail", "申请人邮箱", False),
    ("applicantUnit", "申请人单位", True),
    ("serviceType", "服务对象类型", True),
    ("serviceDirection", "服务方向", True),
)

# the unit's annual report (type 7)
SERVICE_FIELDS = (
    ("insCode", "所属单位标识", True),
    ("year", "年度", True),
    ("serviceUrl", "共享服务平台网址", False),
    ("billNum", "开放共享服务票据数", True),
    ("billWorth", "开放共享服务总收入（万元）", True),
    ("billWorthInstr", "对外服务收入（万元）", True),
    ("instrNum", "50万元以上仪器台套数", True),
    ("instrWorth", "50万元以上仪器原值（万元）", True),
    ("remark", "支撑本单位科技创新情况", False),
    ("remarks", "支撑其他单位科技创新情况", False),
    ("remarkOne", "重大科研基础设施开放情况", False),
    ("remarkTwo", "管理制度及技术队伍建设情况", False),
)

# selections of our records → the platform's values
SOURCES = {"purchased": "购置", "developed": "研制", "donated": "赠送", "other": "其他"}
BELONGS_TYPES = {
    "none": "不附属",
    "center": "科学仪器中心",
    "facility": "重大科研基础设施",
    "key_lab": "国家重点实验室",
    "engineering_center": "国家工程技术研究中心",
    "bio_bank": "生物种质资源库馆",
}
SHARE_MODES = {"internal": "内部共享", "external": "外部共享", "none": "不共享"}
FUNDS = {"central": "中央财政", "local": "地方财政", "own": "单位自有", "other": "其他"}
PURPOSES = {"general": "通用", "special": "专用"}
# instrument state → status (正常, 偶有故障, 故障频繁, 待修, 待报废)
STATUSES = {"in_service": "正常", "repair": "待修", "scrapped": "待报废"}


def wan(amount):
    """CNY → 万元, 2 decimals, half up (1,234,567 → 123.46; 5,000 → 0.5)."""
    value = Decimal(str(amount or 0)) / Decimal(10000)
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def in_national_scope(original_value, minimum=NATIONAL_SCOPE_MIN_VALUE):
    """The platform's scope: an original value of 500,000 CNY or more."""
    return (original_value or 0) >= minimum


def instrument_status(state, scrap_applied=False):
    """The platform's status of an instrument: a scrap application filed → 待报废."""
    if scrap_applied:
        return STATUSES["scrapped"]
    return STATUSES.get(state, STATUSES["in_service"])


def service_way(sample_job, requires_training):
    """How an instrument was used (nrii.md: a sample job → 委托共享; an instrument that requires
    training → 技术共享, its users work with the skills the facility trained; else 占用共享)."""
    if sample_job:
        return ServiceWay.ENTRUSTED
    if requires_training:
        return ServiceWay.TRAINED_USE
    return ServiceWay.SELF_USE


def service_type(external):
    """120 a user of the university (校内), 130 an external user."""
    return SERVICE_TYPE_EXTERNAL if external else SERVICE_TYPE_INTERNAL


def hour_text(moment):
    """A local datetime as the platform writes it: ``YYYY-MM-DD HH``."""
    return moment.strftime("%Y-%m-%d %H") if moment else ""


def missing(values, spec):
    """The labels of the required fields of ``spec`` that ``values`` (platform field → value)
    leaves empty (``None``, ``""``, or 0 for a number), in the spec's order."""
    result = []
    for name, label, required in spec:
        value = values.get(name)
        if required and (value is None or value == "" or value is False or value == 0):
            result.append(label)
    return result


def header(spec):
    """The header row of a record type: the platform's field names, in order."""
    return [name for name, _label, _required in spec]
