"""The public service guide: sections, items, materials, review points, forms, search."""

from __future__ import annotations

import re

from onewindow_web.routes.guide import filter_items


def test_guide_lists_sections_with_item_counts_without_login(client):
    response = client.get("/guide")
    assert response.status_code == 200
    assert "网页测试审批科" in response.text
    assert 'href="/guide/sections/webtest"' in response.text
    assert "2 项审批事项" in response.text


def test_section_page_lists_items_with_category_limit_and_result(client):
    response = client.get("/guide/sections/webtest")
    assert response.status_code == 200
    text = response.text
    assert "<html" in text
    for expected in ("web-permit", "网页测试经营许可", "市场准入类", "5 个工作日", "网页测试许可证",
                     "web-filing", "备案回执"):
        assert expected in text
    assert 'href="/guide/items/web-permit"' in text


def test_item_page_renders_everything_the_window_checks(client):
    response = client.get("/guide/items/web-permit")
    assert response.status_code == 200
    text = response.text
    # the item itself
    for expected in ("《测试管理条例》第十条", "《测试管理办法》第五条", "5 个工作日",
                     "法定时限 20 个工作日", "网页测试许可证", "不收费", "单位", "个人"):
        assert expected in text, expected
    # the dedicated network, by its registry title, and what it checks
    assert "测试登记专网" in text
    assert "核对申请人登记信息" in text
    # materials with form, copies, issuer, seal rule, conditions and deferrals
    for expected in ("网页测试许可申请表", "原件", "复印件", "验原件收复印件", "产权单位", "公安机关",
                     "总公司公章", "分公司公章", "法定代表人签字", "场所不得位于居民住宅内",
                     "容缺受理", "容缺发证", "须在 10 个工作日内补齐", "须由申请人签署告知承诺书",
                     "无需签署告知承诺书", "签署告知承诺书后容缺受理", "非必需"):
        assert expected in text, expected
    # forms: download link, network-only form, and the filling sample
    assert 'href="https://example.gov.cn/forms/web-permit.docx"' in text
    assert "须在“测试登记专网”专网下载" in text
    for expected in ("网页测试审批科统一格式", "与营业执照一致", "不得简写", "鞍山市星河科技有限公司",
                     "DJ2026000123"):
        assert expected in text, expected


def test_review_points_are_marked_hard_or_advice(client):
    text = client.get("/guide/items/web-permit").text
    points = re.findall(r'<li class="review-point (point-\w+)">\s*'
                        r'<span class="badge badge-\w+">(.+?)</span>\s*'
                        r'<span class="point-text">(.+?)</span>', text)
    assert ("point-hard", "硬性要求", "法定代表人亲笔签字") in points
    assert ("point-advice", "建议", "字迹工整清晰") in points
    assert ("point-hard", "硬性要求", "租赁期限不少于一年") in points
    assert len(points) == 4


def test_unknown_item_is_a_real_404_page_in_chinese(client):
    response = client.get("/guide/items/no-such-item")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "页面不存在" in response.text
    assert "没有编码为 no-such-item 的审批事项" in response.text


def test_unknown_section_and_unknown_path_are_404(client):
    assert client.get("/guide/sections/nowhere").status_code == 404
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在" in response.text


def test_search_without_javascript_returns_the_full_page(client):
    response = client.get("/guide/sections/webtest", params={"q": "备案"})
    assert response.status_code == 200
    assert "<html" in response.text
    assert "网页测试备案" in response.text
    assert "网页测试经营许可" not in response.text
    assert "共 2 项事项，其中 1 项与“备案”相符" in response.text


def test_htmx_search_returns_only_the_results_fragment(client):
    response = client.get("/guide/sections/webtest", params={"q": "web-permit"},
                          headers={"HX-Request": "true"})
    assert response.status_code == 200
    text = response.text
    assert "<html" not in text and "<header" not in text
    assert text.lstrip().startswith('<div id="item-results"')
    assert "网页测试经营许可" in text
    assert "网页测试备案" not in text
    assert "HX-Request" in response.headers["vary"]


def test_htmx_history_restore_gets_the_full_page(client):
    response = client.get("/guide/sections/webtest",
                          headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.text


def test_search_with_no_match_says_so_and_escapes_the_query(client):
    response = client.get("/guide/sections/webtest", params={"q": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text
    assert "没有与搜索内容相符的事项" in response.text


def test_filter_items_matches_code_name_category_and_result(web_registry):
    items = list(web_registry.catalogue.items.values())
    assert [i.code for i in filter_items(items, "社会事务")] == ["web-filing"]
    assert [i.code for i in filter_items(items, "WEB-PERMIT")] == ["web-permit"]
    assert len(filter_items(items, "  ")) == 2


def test_one_form_definition_prints_blank_and_sample(client, web_registry):
    item = next(i for i in web_registry.catalogue.items.values() if i.forms)
    form = item.forms[0]
    guide = client.get(f"/guide/items/{item.code}").text
    assert f"/guide/items/{item.code}/forms/{form.code}/blank" in guide
    blank = client.get(f"/guide/items/{item.code}/forms/{form.code}/blank")
    sample = client.get(f"/guide/items/{item.code}/forms/{form.code}/sample")
    assert blank.status_code == sample.status_code == 200
    for field in form.fields:
        assert field.name in blank.text and field.name in sample.text
        assert field.sample in sample.text and field.sample not in blank.text
        assert field.requirement in blank.text and field.note in sample.text
    assert "填写范本" in sample.text
    assert client.get(f"/guide/items/{item.code}/forms/{form.code}/other").status_code == 404
    assert client.get(f"/guide/items/{item.code}/forms/nope/blank").status_code == 404


def test_item_page_shows_the_network_an_item_is_handled_on_end_to_end(client):
    text = client.get("/guide/items/web-permit").text
    assert "全流程在专网办理：网页测试审批专网" in text
    assert 'id="handled-on-network"' in text
    english = client.get("/guide/items/web-permit?lang=en").text
    assert "Handled end to end on the dedicated network: 网页测试审批专网" in english
    # an item handled on the platform says nothing of the kind
    text = client.get("/guide/items/web-filing?lang=zh_CN").text
    assert "全流程在专网办理" not in text and 'id="handled-on-network"' not in text
