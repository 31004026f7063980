"""Finding an item at the window by name, code, section, category or pinyin."""

from onewindow.search import full_pinyin, initials


def test_pinyin_helpers():
    assert initials("食品经营许可") == "spjyxk"
    assert full_pinyin("取水") == "qushui"
    assert initials("第3类") == "d3l"


def test_search_by_every_way_a_clerk_types(hall):
    names = lambda q, **kw: [i.code for i in hall.search_items(q, **kw)]  # noqa: E731
    assert names("yljy") == ["sample-permit"]  # 样例经营许可 by initials
    assert names("yangli") == ["sample-permit", "sample-simple"]  # full pinyin
    assert names("备案") == ["sample-simple"]
    assert names("SAMPLE-PERMIT") == ["sample-permit"]
    assert names("样例审批科") == ["sample-permit", "sample-simple"]
    assert names("社会事务") == ["sample-simple"]  # intake category
    assert names("", section="sample") == ["sample-permit", "sample-simple"]
    assert names("nothing-like-this") == []


def test_name_matches_rank_before_other_fields(hall):
    # "样例" starts both names; the permit's name also appears in its section name
    assert [i.code for i in hall.search_items("样例经营")] == ["sample-permit"]
