"""What the case page keeps for everyone who may see it: supplements to open (checked against
their SHA-256) and histories that name people, not login names."""

from __future__ import annotations

from onewindow.lifecycle import applicable_materials, item_of
from onewindow.workdays import add_working_days

from .conftest import PERSON
from .test_workday import PDF, text_of


def _supplied(hall, staff):
    window = staff["window"]
    case = hall.open_case(window, "web-permit", PERSON)
    due = add_working_days(hall.clock().date(), 2)
    hall.act(window, case.number, "defer", params={"material": "lease", "due_date": due,
                                                    "commitment_signed": True})
    marks = [(m.code, p.code, "passed", "") for m in applicable_materials(case, item_of(case))
             if m.code != "lease" for p in m.review_points]
    hall.review(window, case.number, marks)
    hall.act(window, case.number, "take_in")
    return hall.supply(window, case.number, "lease", "租赁合同.pdf", PDF)


def test_a_supplement_opens_for_whoever_sees_the_case(client, hall, staff, login):
    case = _supplied(hall, staff)
    digest = case.supplements[0].sha256
    url = f"/cases/{case.number}/supplements/{case.supplements[0].key}"
    login("window1")
    page = client.get(f"/cases/{case.number}").text
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-sha256"] == digest
    assert "filename*=UTF-8''%E7%A7%9F" in response.headers["content-disposition"]
    assert "no-store" in response.headers["cache-control"]
    login("approver1")
    assert client.get(url).status_code == 200
    login("approver2")  # another section: the case does not exist for them
    assert client.get(url).status_code == 404
    login("window1")
    assert client.get(f"/cases/{case.number}/supplements/{'0' * 64}").status_code == 404
    assert client.get(f"/cases/{case.number}/supplements/{digest}").status_code == 404


def test_two_uploads_with_the_same_content_keep_their_own_names(client, hall, staff, login):
    """Identical bytes uploaded twice are two files: each link serves its own file name."""
    window = staff["window"]
    case = hall.open_case(window, "web-permit", PERSON)
    due = add_working_days(hall.clock().date(), 2)
    for material in ("lease", "id-copy"):
        hall.act(window, case.number, "defer", params={"material": material, "due_date": due,
                                                        "commitment_signed": True})
    hall.review(window, case.number, [
        (m.code, p.code, "passed", "") for m in applicable_materials(case, item_of(case))
        if m.code not in ("lease", "id-copy") for p in m.review_points])
    hall.act(window, case.number, "take_in")
    hall.supply(window, case.number, "lease", "租赁合同.pdf", PDF)
    case = hall.supply(window, case.number, "id-copy", "second-copy.pdf", PDF)
    first, second = case.supplements
    assert first.sha256 == second.sha256 and first.key != second.key
    login("window1")
    page = client.get(f"/cases/{case.number}").text
    for supplement, encoded in ((first, "%E7%A7%9F%E8%B5%81"), (second, "second-copy.pdf")):
        url = f"/cases/{case.number}/supplements/{supplement.key}"
        assert f'href="{url}"' in page
        response = client.get(url)
        assert response.status_code == 200 and response.content == PDF
        assert f"filename*=UTF-8''{encoded}" in response.headers["content-disposition"]


def test_a_changed_file_is_refused_not_served(client, hall, staff, login):
    case = _supplied(hall, staff)
    stored = hall.settings.upload_dir / case.supplements[0].storage_path
    stored.write_bytes(PDF + b"% edited\n")
    login("window1")
    response = client.get(f"/cases/{case.number}/supplements/{case.supplements[0].key}")
    assert response.status_code == 409
    assert "SHA-256不一致" in response.text
    stored.unlink()
    response = client.get(f"/cases/{case.number}/supplements/{case.supplements[0].key}")
    assert response.status_code == 404


def test_histories_name_people(client, hall, staff, login):
    case = _supplied(hall, staff)
    login("approver1")
    text = text_of(client.get(f"/cases/{case.number}").text)
    assert "新建办件 王晓梅 大厅服务人员" in text
    assert "补正材料上传 王晓梅" in text
    assert "window1" not in text  # the login name stays in the title attribute only
