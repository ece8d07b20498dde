"""What the demo is made of: the city, its departments and banks, its companies, the needs they
bring, and the companies' credit codes (valid ones, drawn from the demo's seeded generator)."""
import random

from kiosk.companies.validation import credit_code_check_char
from kiosk.service_requests.models import Category

CITY = "泰安市"
DEPARTMENTS = [
    "自然资源和规划局", "发展和改革委员会", "行政审批服务局", "住房和城乡建设局", "人力资源和社会保障局",
    "生态环境局", "工业和信息化局", "财政局", "税务局", "商务局", "科技局", "市场监督管理局",
    "供电公司", "水务集团", "燃气公司",
]
BANKS = [
    "中国工商银行泰安分行", "中国农业银行泰安分行", "中国银行泰安分行", "中国建设银行泰安分行",
    "交通银行泰安分行", "中国邮政储蓄银行泰安市分行", "泰安银行", "齐鲁银行泰安分行",
    "恒丰银行泰安分行", "泰安农村商业银行",
]
COMPANIES = [
    "泰安新材料科技有限公司", "山东岱岳精密机械有限公司", "泰山食品集团有限公司", "泰安汇通物流有限公司",
    "山东泰和新能源有限公司", "泰安宏达纺织有限公司", "泰安智造电子有限公司", "山东东岳化工有限公司",
    "泰安绿源农业开发有限公司", "泰安博远医疗器械有限公司", "泰安鑫盛建材有限公司", "山东泰山旅游发展有限公司",
]
NEEDS = {
    Category.land: "新建厂房项目需用地约30亩，希望了解园区可供地块和供地流程。",
    Category.funding: "扩大生产需流动资金贷款，希望了解无还本续贷和贴息政策。",
    Category.staffing: "新生产线投产需招聘技术工人50名，希望对接职业院校。",
    Category.energy: "技改项目新增用能约2000吨标准煤，申请能耗指标。",
    Category.approvals: "二期项目施工许可办理进度慢，希望帮助协调并联审批。",
    Category.utilities: "新厂区需双回路供电，申请尽快完成接电。",
    Category.environment: "扩建项目环评审批咨询，希望明确所需材料。",
    Category.policy: "咨询高新技术企业认定和研发费用加计扣除政策。",
    Category.other: "厂区门前道路破损，影响货车通行。",
}
#: where both demo fairs are held
VENUE = f"{CITY}会展中心一号馆"
#: the two zones of both demo fairs: the departments' booths (B01…) and the banks' (F01…)
ZONES = ("要素保障部门专区", "金融服务专区")


def demo_credit_code(rng: random.Random) -> str:
    body = "9137090" + "".join(rng.choice("0123456789") for _ in range(3)) + "MA" + "".join(
        rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(5))
    return body + credit_code_check_char(body)
