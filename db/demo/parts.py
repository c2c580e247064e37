"""The parts demo customers are composed from: places, trade names, words per class, people.

Both the fixture generator (fixtures/generate.py, a few thousand customers written once) and
`db.demo.generate` (a million, composed on the fly) draw from these tables, so a generated
archive reads like the demo. Each part's pinyin initials are computed once per part, which is
what lets a million mnemonics be composed without calling pypinyin per customer.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pypinyin import lazy_pinyin

from db.values import mnemonic

# Province (the 地区分类 leaf name, also the customer's 所属地区 text), its full name, a weight
# roughly following economic size, and its cities:
# (city, district, administrative division code, postcode's first 4 digits, telephone area code).
PROVINCES: list[tuple[str, str, int, list[tuple[str, str, str, str, str]]]] = [
    ("北京", "北京市", 6, [("北京", "朝阳区", "110105", "1000", "010"), ("北京", "海淀区", "110108", "1000", "010")]),
    ("天津", "天津市", 3, [("天津", "和平区", "120101", "3000", "022"), ("天津", "滨海新区", "120116", "3004", "022")]),
    ("河北", "河北省", 4, [("石家庄", "长安区", "130102", "0500", "0311"), ("唐山", "路北区", "130203", "0630", "0315"),
                         ("保定", "竞秀区", "130602", "0710", "0312")]),
    ("山西", "山西省", 2, [("太原", "小店区", "140105", "0300", "0351"), ("大同", "平城区", "140213", "0370", "0352")]),
    ("内蒙古", "内蒙古自治区", 1, [("呼和浩特", "新城区", "150102", "0100", "0471"),
                              ("包头", "昆都仑区", "150203", "0140", "0472")]),
    ("辽宁", "辽宁省", 3, [("沈阳", "和平区", "210102", "1100", "024"), ("大连", "中山区", "210202", "1160", "0411")]),
    ("吉林", "吉林省", 1, [("长春", "南关区", "220102", "1300", "0431"), ("吉林", "昌邑区", "220202", "1320", "0432")]),
    ("黑龙江", "黑龙江省", 2, [("哈尔滨", "道里区", "230102", "1500", "0451"), ("大庆", "萨尔图区", "230602", "1630", "0459")]),
    ("上海", "上海市", 6, [("上海", "黄浦区", "310101", "2000", "021"), ("上海", "浦东新区", "310115", "2001", "021")]),
    ("江苏", "江苏省", 9, [("南京", "玄武区", "320102", "2100", "025"), ("苏州", "姑苏区", "320508", "2150", "0512"),
                         ("无锡", "梁溪区", "320213", "2140", "0510"), ("常州", "天宁区", "320402", "2130", "0519")]),
    ("浙江", "浙江省", 8, [("杭州", "上城区", "330102", "3100", "0571"), ("宁波", "海曙区", "330203", "3150", "0574"),
                         ("温州", "鹿城区", "330302", "3250", "0577")]),
    ("安徽", "安徽省", 3, [("合肥", "瑶海区", "340102", "2300", "0551"), ("芜湖", "镜湖区", "340202", "2410", "0553")]),
    ("福建", "福建省", 4, [("福州", "鼓楼区", "350102", "3500", "0591"), ("厦门", "思明区", "350203", "3610", "0592"),
                         ("泉州", "鲤城区", "350502", "3620", "0595")]),
    ("江西", "江西省", 2, [("南昌", "东湖区", "360102", "3300", "0791"), ("赣州", "章贡区", "360702", "3410", "0797")]),
    ("山东", "山东省", 7, [("济南", "历下区", "370102", "2500", "0531"), ("青岛", "市南区", "370202", "2660", "0532"),
                         ("烟台", "芝罘区", "370602", "2640", "0535"), ("潍坊", "潍城区", "370702", "2610", "0536")]),
    ("河南", "河南省", 5, [("郑州", "中原区", "410102", "4500", "0371"), ("洛阳", "老城区", "410302", "4710", "0379")]),
    ("湖北", "湖北省", 4, [("武汉", "江岸区", "420102", "4300", "027"), ("宜昌", "西陵区", "420502", "4430", "0717"),
                         ("襄阳", "襄城区", "420602", "4410", "0710")]),
    ("湖南", "湖南省", 4, [("长沙", "芙蓉区", "430102", "4100", "0731"), ("株洲", "荷塘区", "430202", "4120", "0731")]),
    ("广东", "广东省", 10, [("广州", "越秀区", "440104", "5100", "020"), ("深圳", "南山区", "440305", "5180", "0755"),
                          ("东莞", "南城街道", "441900", "5230", "0769"), ("佛山", "禅城区", "440604", "5280", "0757")]),
    ("广西", "广西壮族自治区", 2, [("南宁", "青秀区", "450103", "5300", "0771"), ("柳州", "城中区", "450202", "5450", "0772")]),
    ("海南", "海南省", 1, [("海口", "龙华区", "460106", "5701", "0898"), ("三亚", "吉阳区", "460203", "5720", "0898")]),
    ("重庆", "重庆市", 3, [("重庆", "渝中区", "500103", "4000", "023"), ("重庆", "江北区", "500105", "4000", "023")]),
    ("四川", "四川省", 5, [("成都", "锦江区", "510104", "6100", "028"), ("绵阳", "涪城区", "510703", "6210", "0816")]),
    ("贵州", "贵州省", 2, [("贵阳", "南明区", "520102", "5500", "0851"), ("遵义", "红花岗区", "520302", "5630", "0851")]),
    ("云南", "云南省", 2, [("昆明", "五华区", "530102", "6500", "0871"), ("曲靖", "麒麟区", "530302", "6550", "0874")]),
    ("西藏", "西藏自治区", 1, [("拉萨", "城关区", "540102", "8500", "0891")]),
    ("陕西", "陕西省", 3, [("西安", "新城区", "610102", "7100", "029"), ("宝鸡", "渭滨区", "610302", "7210", "0917")]),
    ("甘肃", "甘肃省", 1, [("兰州", "城关区", "620102", "7300", "0931"), ("天水", "秦州区", "620502", "7410", "0938")]),
    ("青海", "青海省", 1, [("西宁", "城东区", "630102", "8100", "0971")]),
    ("宁夏", "宁夏回族自治区", 1, [("银川", "兴庆区", "640104", "7500", "0951")]),
    ("新疆", "新疆维吾尔自治区", 1, [("乌鲁木齐", "天山区", "650102", "8300", "0991"),
                                ("克拉玛依", "克拉玛依区", "650203", "8340", "0990")]),
]

# The 地区分类 level-1 class (大区) each province's sales department is named after.
AREA_OF = {
    **dict.fromkeys(["北京", "天津", "河北", "山西", "内蒙古"], "华北"),
    **dict.fromkeys(["辽宁", "吉林", "黑龙江"], "东北"),
    **dict.fromkeys(["上海", "江苏", "浙江", "安徽", "福建", "江西", "山东"], "华东"),
    **dict.fromkeys(["河南", "湖北", "湖南"], "华中"),
    **dict.fromkeys(["广东", "广西", "海南"], "华南"),
    **dict.fromkeys(["重庆", "四川", "贵州", "云南", "西藏"], "西南"),
    **dict.fromkeys(["陕西", "甘肃", "青海", "宁夏", "新疆"], "西北"),
}

# The salespeople of each area's sales department (分管部门 = 华北销售部 ...).
SALESPEOPLE = {
    "华北": ["赵国庆", "孙丽娟", "马志刚"],
    "东北": ["李东升", "高雪梅"],
    "华东": ["陈晓峰", "徐敏", "林佳怡", "周建华"],
    "华中": ["黄志勇", "刘芳"],
    "华南": ["梁伟明", "何嘉欣", "郑浩"],
    "西南": ["杨帆", "罗晓燕"],
    "西北": ["张振华", "冯静"],
}

# 字号: the distinctive part of a company name.
TRADE_NAMES = [
    "华联", "恒达", "鑫源", "宏图", "金桥", "永盛", "海天", "天成", "瑞丰", "国泰", "万佳", "联华",
    "百联", "利群", "东方", "长江", "泰山", "华夏", "金鹰", "银泰", "友谊", "红星", "光明", "蓝天",
    "白云", "青山", "绿源", "金源", "宝丰", "隆兴", "昌盛", "兴旺", "富康", "安泰", "康达", "德信",
    "诚信", "正大", "英华", "博远", "远航", "通达", "汇丰", "顺发", "广源", "凯达", "嘉禾", "佳美",
    "美华", "雅丽", "金达", "立信", "明珠", "星辰", "晨光", "旭日", "春晖", "鸿运", "鹏程", "龙腾",
    "凤凰", "麒麟", "天马", "飞鹰", "华宇", "宇通", "环宇", "中天", "九州", "四海", "五洲", "万家",
    "千禧", "百盛", "天一", "三元", "双星", "新华", "新星", "新源", "同心", "协力", "众诚", "聚丰",
    "合力", "联创", "开元", "兴业", "振兴", "腾飞", "华强", "华信", "华通", "华光", "华盛", "华泰",
    "王府井",
]
# More 字号 for a generated archive, so it has plenty of names holding 王 and 小明 to locate.
LOCATE_TRADE_NAMES = ["小明", "金王", "王氏", "王小明"]

# 所属行业 (GB/T 4754 wording) and name words for each leaf of the demo classification, and
# what kind of name the leaf's customers have. A leaf missing here (added by hand to the
# fixture) gets GENERIC_LEAF.
LEAVES: dict[str, tuple[str, str, list[str]]] = {
    "01001": ("resident", "居民消费", []),
    "01002": ("resident", "居民消费", []),
    "01003": ("shop", "零售业", ["便利店", "五金店", "家电维修部", "电器行", "日杂店", "小卖部"]),
    "020010001": ("company", "批发业", ["商贸", "贸易", "物资", "百货批发"]),
    "020010002": ("company", "批发业", ["家电批发", "电器贸易", "五金交电", "机电贸易"]),
    "020010003": ("company", "批发业", ["电器销售", "经贸", "商贸发展", "贸易发展"]),
    "020020001": ("company", "零售业", ["家电专营店", "电器行", "数码城", "电器商场"]),
    "020020002": ("company", "零售业", ["超市", "购物广场", "超级市场", "综合超市"]),
    "020020003": ("company", "零售业", ["连锁超市", "便利连锁", "连锁商业", "电器连锁"]),
    "020020004": ("company", "零售业", ["邮购", "邮购商店"]),
    "020020005": ("company", "零售业", ["商厦", "百货", "百货大楼", "购物中心"]),
    "030010001": ("company", "计算机、通信和其他电子设备制造业", ["电子", "微电子", "电子科技"]),
    "030010002": ("company", "计算机、通信和其他电子设备制造业", ["通信", "通讯设备", "网络通信"]),
    "030010003": ("company", "计算机、通信和其他电子设备制造业", ["计算机", "信息技术", "数码科技"]),
    "030020001": ("company", "通用设备制造业", ["机械", "重工", "机电设备", "机械制造"]),
    "030020002": ("company", "汽车制造业", ["汽车零部件", "汽配", "车辆配件", "汽车部件"]),
    "030020003": ("company", "仪器仪表制造业", ["仪器仪表", "仪表", "测控技术"]),
    "030030001": ("company", "化学原料和化学制品制造业", ["化工", "化学", "化工原料"]),
    "030030002": ("company", "橡胶和塑料制品业", ["塑胶", "橡胶制品", "塑料"]),
    "030030003": ("company", "化学原料和化学制品制造业", ["涂料", "油漆", "新材料"]),
    "030040001": ("company", "农副食品加工业", ["食品", "粮油", "肉类加工"]),
    "030040002": ("company", "酒、饮料和精制茶制造业", ["饮料", "饮品", "酒业"]),
    "030040003": ("company", "食品制造业", ["乳业", "乳品", "牧业"]),
    "030050001": ("company", "纺织业", ["纺织", "棉纺", "印染"]),
    "030050002": ("company", "纺织服装、服饰业", ["服饰", "服装", "制衣"]),
    "030060001": ("company", "医药制造业", ["制药", "药业", "生物医药"]),
    "030060002": ("company", "专用设备制造业", ["医疗器械", "医疗设备", "医疗科技"]),
    "040010001": ("province_gov", "公共管理和社会组织", ["商务厅", "教育厅", "财政厅", "卫生健康委员会",
                                                  "机关事务管理局", "交通运输厅", "工业和信息化厅"]),
    "040010002": ("city_gov", "公共管理和社会组织", ["教育局", "卫生健康委员会", "交通运输局", "财政局",
                                              "商务局", "机关事务管理局", "市场监督管理局", "住房和城乡建设局"]),
    "040020001": ("school", "教育", ["第一中学", "第二中学", "实验小学", "外国语学校", "职业技术学院",
                                   "理工大学", "师范学院"]),
    "040020002": ("hospital", "卫生", ["第一人民医院", "第二人民医院", "中医院", "妇幼保健院", "中心医院",
                                     "口腔医院"]),
    "040020003": ("institute", "科学研究和技术服务业", ["电子技术研究所", "机械研究所", "化工研究院",
                                                 "计量测试研究院", "农业科学院", "建筑设计研究院"]),
    "040030001": ("association", "公共管理和社会组织", ["家用电器行业协会", "机电行业协会", "商业联合会",
                                                "个体劳动者协会", "中小企业协会"]),
}
GENERIC_LEAF = ("company", "", ["商贸", "实业", "科技"])

# Share (in per cent, roughly) of customers in each leaf; each manufacturer leaf (03...) gets
# MANUFACTURER_WEIGHT. 邮购商店 is left empty on purpose, so the health check has a
# superfluous class to report.
LEAF_WEIGHTS = {
    "01001": 6, "01002": 3, "01003": 5,
    "020010001": 6, "020010002": 5, "020010003": 5,
    "020020001": 8, "020020002": 6, "020020003": 5, "020020004": 0, "020020005": 4,
    "040010001": 1.5, "040010002": 3, "040020001": 3, "040020002": 2.5, "040020003": 1.5,
    "040030001": 1.5,
}
MANUFACTURER_WEIGHT = 2.2

# Company name endings by ownership (所有制 leaf code): who would register under which form.
SUFFIXES = {
    "01": ["有限责任公司", "集团有限公司", "公司"],
    "02": ["有限公司", "股份有限公司", "有限责任公司"],
    "03": ["商行", "经营部", "商店"],
    "0401": ["有限公司"],
    "0402": ["有限公司"],
    "0403": ["有限公司"],
}
# Leaves where a one-man business (个体企业) is plausible; elsewhere a company is at least 民营.
SMALL_BUSINESS_LEAVES = {"020010001", "020010002", "020020001", "030050002"}
# Share of companies in each ownership class (the rest of the customers are not companies).
COMPANY_OWNERSHIP = [("01", 15), ("02", 55), ("03", 10), ("0401", 9), ("0402", 3), ("0403", 8)]
# Ownership class of the non-company kinds.
OWNERSHIP_OF_KIND = {"resident": "0503", "shop": "03", "province_gov": "0501", "city_gov": "0501",
                     "school": "0501", "hospital": "0501", "institute": "0501", "association": "0502"}

# USCC (统一社会信用代码) registering authority and entity type for each ownership class.
USCC_HEAD = {"01": "91", "02": "91", "03": "92", "0401": "91", "0402": "91", "0403": "91",
             "0501": "12", "0502": "51"}
# Government bodies are registered by the staff-establishment office as 机关 (11), not 事业单位.
USCC_HEAD_OF_KIND = {"province_gov": "11", "city_gov": "11"}

# Main product line (产品类别 leaf) most likely bought by each kind of customer, by main class.
PRODUCTS_BY_NATURE = {
    "01": ["0101", "0102", "0103", "0104", "0104", "0402"],
    "02": ["0101", "0102", "0103", "0104", "0201", "0202", "0401"],
    "03": ["0301", "0302", "0303", "0303", "0401", "0402", "0201"],
    "04": ["0201", "0202", "0203", "0203", "0103", "0402"],
}

SURNAMES = [
    ("王", 9), ("李", 9), ("张", 9), ("刘", 7), ("陈", 6), ("杨", 4), ("黄", 3), ("赵", 3), ("吴", 3),
    ("周", 3), ("徐", 2), ("孙", 2), ("马", 2), ("朱", 2), ("胡", 2), ("郭", 2), ("何", 2), ("高", 2),
    ("林", 2), ("罗", 2), ("郑", 1), ("梁", 1), ("谢", 1), ("宋", 1), ("唐", 1), ("许", 1), ("韩", 1),
    ("冯", 1), ("邓", 1), ("曹", 1), ("彭", 1), ("肖", 1), ("田", 1), ("董", 1), ("袁", 1), ("潘", 1),
    ("蒋", 1), ("蔡", 1), ("余", 1), ("杜", 1), ("叶", 1), ("程", 1), ("苏", 1), ("魏", 1), ("吕", 1),
    ("丁", 1), ("任", 1), ("沈", 1), ("姚", 1), ("卢", 1), ("姜", 1), ("崔", 1), ("钟", 1), ("谭", 1),
    ("陆", 1), ("汪", 1), ("范", 1), ("金", 1), ("石", 1), ("廖", 1), ("贾", 1), ("夏", 1), ("韦", 1),
    ("方", 1), ("白", 1), ("邹", 1), ("孟", 1), ("熊", 1), ("秦", 1), ("邱", 1), ("江", 1), ("尹", 1),
    ("薛", 1), ("段", 1), ("雷", 1), ("侯", 1), ("龙", 1), ("史", 1), ("陶", 1), ("黎", 1), ("贺", 1),
    ("顾", 1), ("毛", 1), ("郝", 1), ("龚", 1), ("邵", 1), ("万", 1), ("钱", 1), ("严", 1), ("武", 1),
    ("戴", 1), ("孔", 1), ("汤", 1),
    # Surnames whose reading differs from the character's common one (pypinyin gets them wrong).
    ("曾", 2), ("单", 1), ("解", 1), ("仇", 1), ("区", 1), ("查", 1), ("朴", 1),
]
# The full surname reading (for e-mail addresses) of the characters above whose everyday
# reading differs; db.values.mnemonic holds their initials.
SURNAME_PINYIN = {"曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou", "查": "zha", "朴": "piao"}

GIVEN_NAMES = [
    "小明", "小明", "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
    "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建国", "建华", "志强", "海燕", "晓东",
    "丽华", "红梅", "文博", "子涵", "浩然", "欣怡", "雨萱", "宇轩", "思远", "国栋", "德明", "玉兰",
    "春生", "秋菊", "冬梅", "立新", "卫东", "爱华", "淑珍", "美玲", "俊杰", "家豪", "梓萱", "一鸣",
    "晓燕", "小红", "小军", "小平", "志明", "明华", "振宇", "佳琪", "雪", "鹏", "斌", "辉", "萍", "琳",
]

STREETS = [
    "人民路", "解放路", "中山路", "建设路", "长江路", "黄河路", "新华路", "和平路", "文化路", "胜利路",
    "幸福路", "工业大道", "科技园路", "友谊路", "青年路", "滨河路", "团结路", "光明路", "民主路",
    "花园路", "迎宾大道", "世纪大道", "开发区大道", "湖滨路", "东风路", "五一路", "环城北路", "南京路",
]
BANKS = ["中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "招商银行", "中信银行",
         "兴业银行", "浦发银行", "民生银行", "光大银行", "平安银行", "华夏银行"]
# E-mail domain endings by kind of customer (a company's is .com.cn).
MAIL_DOMAINS = {"province_gov": "gov.cn", "city_gov": "gov.cn", "school": "edu.cn", "institute": "ac.cn",
                "association": "org.cn", "hospital": "org.cn"}
MAIL_HOSTS = ["163.com", "126.com", "qq.com", "sina.com", "139.com"]
OPERATORS = ["demo", "刘丽", "陈静", "周晓燕"]
CREDIT_GRADES = {"VIP客户": ["AAA", "AA"], "重要客户": ["AA", "A"], "一般客户": ["A", "BBB", "BB"],
                 "潜在客户": ["BBB", "BB", "B"]}
PAYMENT_TERMS = {0: ["款到发货", "货到付款", "现款现货"], 15: ["月结15天"], 30: ["月结30天", "2/10,n/30"],
                 45: ["月结45天"], 60: ["月结60天", "承兑汇票60天"], 90: ["月结90天", "承兑汇票90天"]}
REMARKS = [
    "合作稳定, 按季度对账", "年底集中采购", "送货需提前电话预约", "开票须注明合同号", "只收增值税专用发票",
    "节假日不收货", "由总部统一结算", "要求随货附质检报告", "价格敏感, 注意竞品报价", "新开门店较多, 需求增长",
    "付款及时", "曾有逾期, 注意控制信用", "仓库在郊区, 大件需预约叉车", "可接受分批发货", "通过招标采购",
    "每月初下订单", "老板亲自对接", "财务对账周期长", "有意扩大采购品类", "偏好现款折扣",
]
PERSON_REMARKS = ["门店会员", "老顾客介绍", "团购活动客户", "以旧换新客户", "网上商城下单", "上门安装客户"]


@dataclass(frozen=True)
class Place:
    """A city as customer cards show it, with the strings composed once."""

    province: str  # 北京, 河北: the 地区分类 leaf and the customer's 所属地区
    province_full: str  # 北京市, 河北省
    city: str  # 北京, 石家庄
    city_full: str  # 北京 (a municipality), 石家庄市
    district: str
    division: str  # administrative division code, digits 3-8 of a credit code
    post4: str
    area_code: str
    address: str  # 河北省石家庄市长安区: what a street address follows
    area: str  # 华北: the sales department's area
    weight: float


def places() -> list[Place]:
    out = []
    for province, full, weight, cities in PROVINCES:
        for city, district, division, post4, area_code in cities:
            municipality = full == city + "市"
            city_full = city if municipality else city + "市"
            address = f"{full}{district}" if municipality else f"{full}{city_full}{district}"
            out.append(Place(province, full, city, city_full, district, division, post4, area_code,
                             address, AREA_OF[province], weight / len(cities)))
    return out


@lru_cache(maxsize=None)
def initials(text: str) -> str:
    """The mnemonic of a part (place, trade name, word or person), computed once per part."""
    return mnemonic.initials(text)


@lru_cache(maxsize=None)
def spelled(text: str) -> str:
    """Full pinyin without tones, for e-mail addresses ("晓东" -> "xiaodong")."""
    return "".join(lazy_pinyin(text, errors="ignore")).lower()


def surname_spelled(surname: str) -> str:
    return SURNAME_PINYIN.get(surname) or spelled(surname)


@lru_cache(maxsize=None)
def surname_initial(surname: str) -> str:
    return mnemonic.SURNAMES.get(surname) or initials(surname)


def compose(kind: str, word: str, place: Place, person: tuple[str, str], trade: str,
            suffix: str) -> tuple[str, str, str]:
    """(name, short name, mnemonic) of a customer of this kind. The mnemonic is the short
    name's, joined from the parts' initials (each part's computed once): what db.values.mnemonic
    gives for the whole short name, and right where pypinyin would read a word across two
    parts (苏州长江 is szcj, not the szzj of 州长)."""
    if kind in ("resident", "shop"):
        surname, given = person
        full = surname + given
        mnemonic_ = surname_initial(surname) + initials(given)
        if kind == "resident":
            return full, full, mnemonic_
        return f"{place.city_full}{place.district}{full}{word}", full, mnemonic_
    if kind in ("province_gov", "institute"):
        if kind == "province_gov" and place.province_full.endswith("市"):
            word = word.replace("厅", "局")  # a municipality's departments are 局, not 厅
        return f"{place.province_full}{word}", f"{place.province}{word}", initials(place.province) + initials(word)
    short = f"{place.city}{word}"
    if kind in ("city_gov", "association"):
        return f"{place.city_full}{word}", short, initials(place.city) + initials(word)
    if kind in ("school", "hospital"):
        name = short if word.endswith(("大学", "学院")) else f"{place.city_full}{word}"
        return name, short, initials(place.city) + initials(word)
    return f"{place.city}{trade}{word}{suffix}", f"{place.city}{trade}", initials(place.city) + initials(trade)


def suffixes_for(ownership: str, word: str) -> list[str]:
    """Name endings a company of this ownership takes after `word`; a one-man shop whose word
    already names a shop (电器行, 数码城) takes none."""
    if ownership == "03" and word[-1] in "店行城场":
        return [""]
    return SUFFIXES.get(ownership, ["有限公司"])


def leaf_weight(code: str) -> float:
    return LEAF_WEIGHTS.get(code, MANUFACTURER_WEIGHT if code.startswith("03") else 1)


def leaf_spec(code: str) -> tuple[str, str, list[str]]:
    return LEAVES.get(code, GENERIC_LEAF)


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@lru_cache(maxsize=1)
def _chunk_sums() -> tuple[list[int], ...]:
    """Weighted digit sums of every 4-digit chunk at the 4 places an 8-digit serial sits in."""
    def table(weights):
        return [sum(int(d) * w for d, w in zip(f"{x:04d}", weights)) for x in range(10_000)]

    return (table(ORG_WEIGHTS[:4]), table(ORG_WEIGHTS[4:]),
            table(USCC_WEIGHTS[8:12]), table(USCC_WEIGHTS[12:16]))


@lru_cache(maxsize=None)
def _head_sum(head: str) -> int:
    return sum(USCC_ALPHABET.index(c) * w for c, w in zip(head, USCC_WEIGHTS))


def uscc(head: str, division: str, serial: int) -> str:
    """A unified social credit code (GB 32100) with correct check characters: `head` is the
    registering authority and entity type (91 a company), `division` the 6-digit
    administrative division, and the organisation code (GB 11714) is the serial's 8 digits and
    its own check character. Sums come from tables, since a million are made at a time."""
    org_hi, org_lo, us_hi, us_lo = _chunk_sums()
    serial %= 100_000_000
    hi, lo = divmod(serial, 10_000)
    check = 11 - (org_hi[hi] + org_lo[lo]) % 11
    org_check = "X" if check == 10 else "0" if check == 11 else str(check)
    total = (_head_sum(head + division) + us_hi[hi] + us_lo[lo]
             + USCC_ALPHABET.index(org_check) * USCC_WEIGHTS[16])
    return f"{head}{division}{serial:08d}{org_check}{USCC_ALPHABET[(31 - total % 31) % 31]}"
