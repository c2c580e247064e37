"""Words of personal customers (个人消费者): the class flag on the classification screen, the
身份证 refusals of db.values.idnumbers, the card's derived birthday and gender, and the
old-style 税务登记号 of a company."""

MESSAGES = {
    "class.personal": ("个人消费者", "Personal"),
    "customer.field.personal": ("个人消费者", "Personal"),
    "import.personal_main_only": ("分类 {code}: 只有客户分类能标为个人消费者",
                                  "Class {code}: only the customer classes can be marked personal"),
    "class.personal_inherited": ("是 (随上级)", "yes (from its parent)"),
    "class.toggle_personal": ("个人消费者 是/否", "Personal yes/no"),
    "class.personal_on": ("分类 {code} 及其下级为个人消费者: 税号填身份证号",
                          "Class {code} and its sub-classes are personal: the tax ID holds an ID card number"),
    "class.personal_off": ("分类 {code} 不再是个人消费者", "Class {code} is no longer personal"),
    "class.personal_main_only": ("只有客户分类可设个人消费者", "Only the customer classes can be personal"),
    "customer.ric_length": ("{label} {text} 有 {length} 位, 身份证号为 18 位",
                            "{label} {text} has {length} characters; an ID card number has 18"),
    "customer.ric_format": ("{label} {text} 不是身份证号的格式 (17 位数字和校验位)",
                            "{label} {text} is not an ID card number (17 digits and a check character)"),
    "customer.ric_checksum": ("{label} {text} 校验位不对, 请核对身份证号",
                              "{label} {text} has a wrong check character; check the ID card number"),
    "customer.ric_birth_date": ("{label} {text} 的出生日期不存在", "{label} {text} has a birth date that does not exist"),
    "customer.ric_birth_place": ("{label} {text} 的地区码 {place} 不存在",
                                 "{label} {text} has an unknown region code {place}"),
    "customer.tax_id_old_invalid": ("{label} {text} 是 15 位, 但不是有效的旧税务登记号 (组织机构代码校验位不对)",
                                    "{label} {text} has 15 characters but is no valid old tax registration number (its organisation code's check character is wrong)"),
    "card.person": ("身份证", "ID card"),
    "card.person_value": ("出生日期 {birthday} · {gender}", "born {birthday} · {gender}"),
    "card.gender.male": ("男", "male"),
    "card.gender.female": ("女", "female"),
    "card.old_tax_id": ("税号", "Tax ID"),
    "card.old_tax_id_value": ("旧税务登记号 (15 位)", "old-style tax registration number (15 characters)"),
}
