"""The helpers ``onewindow.checks`` gives the sections' automatic checks."""

import pytest

from onewindow.checks import (
    CheckContext,
    CheckOutcome,
    CheckVerdict,
    classify_status,
    compare_holder,
    unclear_status,
)

CLASSES = {
    "suspended": ("暂扣",),
    "ended": ("吊销", "注销", "过期"),
    "in force": ("有效", "正常"),
}


@pytest.mark.parametrize(("status", "expected"), [
    ("有效", "in force"),
    ("正常", "in force"),
    ("已吊销", "ended"),
    ("暂扣", "suspended"),
    ("待定", "unknown"),
    ("", "missing"),
    (None, "missing"),
])
def test_classify_status_names_the_class_whose_word_occurs(status, expected):
    assert classify_status(status, CLASSES) == expected


def test_classify_status_tries_the_classes_in_their_order():
    # "有效（暂扣）" holds words of two classes: the first class listed wins.
    assert classify_status("有效（暂扣）", CLASSES) == "suspended"
    assert classify_status("有效期已过期", CLASSES) == "ended"
    reversed_order = dict(reversed(CLASSES.items()))
    assert classify_status("有效（暂扣）", reversed_order) == "in force"


def test_classify_status_strips_whitespace():
    assert classify_status("  \t\n", CLASSES) == "missing"
    assert classify_status("  注销 ", CLASSES) == "ended"
    assert classify_status(" 待定 ", CLASSES) == "unknown"


def test_classify_status_without_classes():
    assert classify_status("有效", {}) == "unknown"
    assert classify_status("", {}) == "missing"


def test_classify_status_refuses_a_bare_string_of_words():
    # ("吊销") is the string 吊销, whose character 销 would also match 注销.
    with pytest.raises(TypeError, match="revoked"):
        classify_status("注销", {"revoked": ("吊销")})


def test_unclear_status_says_missing_or_unrecognised():
    assert unclear_status("", "许可证") == CheckOutcome(
        CheckVerdict.UNKNOWN, "查询记录未载明许可证状态，请人工核实")
    assert unclear_status(None, "登记", source="平台记录") == CheckOutcome(
        CheckVerdict.UNKNOWN, "平台记录未载明登记状态，请人工核实")
    assert unclear_status(" 待定 ", "许可证") == CheckOutcome(
        CheckVerdict.UNKNOWN, "许可证状态“待定”无法识别，请人工核实")


def _context(**applicant):
    return CheckContext(item_code="ITEM", applicant=applicant, lookups={})


HOLDER = {"credit_code": "91110000MA01ABCD1X", "name": "某某化工（集团）有限公司"}
MESSAGES = {"missing": "未填写", "code_mismatch": "代码不一致", "name_mismatch": "名称不一致",
            "passed": "一致"}


def test_compare_holder_normalises_code_and_name():
    holder = compare_holder(_context(credit_code="9111-0000 ma01abcd1x",
                                     name="某某化工 (集团) 有限公司"), HOLDER)
    assert holder.applicant_code == holder.record_code == "91110000MA01ABCD1X"
    assert holder.applicant_name == holder.record_name == "某某化工(集团)有限公司"
    assert holder.raw_name == "某某化工 (集团) 有限公司"
    assert (holder.missing, holder.code_matches, holder.name_matches) == (False, True, True)
    assert holder.outcome(**MESSAGES) == CheckOutcome(CheckVerdict.PASSED, "一致")


@pytest.mark.parametrize("applicant", [
    {"name": "某某化工（集团）有限公司"},
    {"credit_code": "91110000MA01ABCD1X", "name": "  "},
    {"credit_code": "-", "name": "某某化工（集团）有限公司"},
    {},
])
def test_compare_holder_is_missing_without_the_applicants_code_or_name(applicant):
    holder = compare_holder(_context(**applicant), HOLDER)
    assert holder.missing
    assert holder.outcome(**MESSAGES) == CheckOutcome(CheckVerdict.UNKNOWN, "未填写")


def test_compare_holder_outcome_lists_the_mismatches_code_first():
    both = compare_holder(_context(credit_code="91110000MA01ABCD1Y", name="另一公司"), HOLDER)
    assert both.outcome(**MESSAGES) == CheckOutcome(CheckVerdict.FAILED, "代码不一致；名称不一致")
    name = compare_holder(_context(credit_code="91110000MA01ABCD1X", name="另一公司"), HOLDER)
    assert name.outcome(**MESSAGES) == CheckOutcome(CheckVerdict.FAILED, "名称不一致")
    code = compare_holder(_context(credit_code="X", name="某某化工(集团)有限公司"), HOLDER)
    assert code.outcome(**MESSAGES) == CheckOutcome(CheckVerdict.FAILED, "代码不一致")
    # A record without a code or name matches no applicant.
    empty = compare_holder(_context(credit_code="X", name="甲"), {})
    assert (empty.record_code, empty.record_name) == ("", "")
    assert not empty.code_matches and not empty.name_matches


def test_compare_holder_reads_another_name_field_and_stand_ins():
    record = {"credit_code": "91110000MA01ABCD1X", "unit_name": "项目单位"}
    holder = compare_holder(_context(credit_code="91110000MA01ABCD1X", name="项目单位"), record,
                            name_field="unit_name")
    assert holder.name_matches and holder.record_name == "项目单位"
    # ``code`` and ``name`` replace the applicant's credit_code and name.
    person = compare_holder(_context(id_number="110101199001011234", name="甲"),
                            {"credit_code": "110101199001011234", "name": "社会组织"},
                            code="110101199001011234", name="社会组织")
    assert (person.code_matches, person.name_matches, person.raw_name) == (True, True, "社会组织")
