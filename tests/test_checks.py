"""The helpers ``onewindow.checks`` gives the sections' automatic checks."""

import pytest

from onewindow.checks import CheckOutcome, CheckVerdict, classify_status, unclear_status

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
