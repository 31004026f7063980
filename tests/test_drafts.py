"""Drafts: what a clerk typed is kept per person and form until the form is sent."""

from __future__ import annotations

import pytest

from onewindow.drafts import KEEP_DAYS, MAX_DRAFT_BYTES, MAX_DRAFTS_PER_OWNER
from onewindow.errors import ValidationError


def test_a_draft_is_replaced_as_the_clerk_types_and_kept_per_person(hall, clock):
    hall.drafts.save("window1", "intake:sample-permit", [("name", "星河"), ("kind", "enterprise")])
    clock.advance(seconds=30)
    saved = hall.drafts.save("window1", "intake:sample-permit",
                             [("name", "星河科技"), ("kind", "enterprise")])
    loaded = hall.drafts.load("window1", "intake:sample-permit")
    assert loaded == saved
    assert loaded.first("name") == "星河科技" and loaded.first("phone") == ""
    assert loaded.target == "sample-permit"
    assert loaded.updated_at == clock.now
    assert hall.drafts.load("window2", "intake:sample-permit") is None  # someone else's
    assert [d.key for d in hall.drafts.of("window1", "intake")] == ["intake:sample-permit"]
    assert hall.drafts.discard("window1", "intake:sample-permit")
    assert hall.drafts.load("window1", "intake:sample-permit") is None
    assert not hall.drafts.discard("window1", "intake:sample-permit")


def test_repeated_fields_keep_every_value(hall):
    hall.drafts.save("w", "review:202609280001", [("points", "a/b"), ("points", "c/d")])
    assert hall.drafts.load("w", "review:202609280001").fields["points"] == ("a/b", "c/d")


@pytest.mark.parametrize("key", ["", "intake", "intake:", "../x:y", "intake:a b", "x:" + "a" * 151])
def test_a_bad_key_is_refused(hall, key):
    with pytest.raises(ValidationError):
        hall.drafts.save("w", key, [])


def test_drafts_are_bounded_in_size_and_number(hall):
    with pytest.raises(ValidationError):
        hall.drafts.save("w", "intake:big", [("name", "x" * MAX_DRAFT_BYTES)])
    for n in range(MAX_DRAFTS_PER_OWNER):
        hall.drafts.save("w", f"intake:item{n}", [("name", "x")])
    with pytest.raises(ValidationError, match="已达"):
        hall.drafts.save("w", "intake:one-more", [("name", "x")])
    hall.drafts.save("w", "intake:item0", [("name", "y")])  # replacing one is still fine
    assert hall.drafts.load("w", "intake:one-more") is None


def test_drafts_expire_after_a_week(hall, clock):
    hall.drafts.save("w", "intake:old", [("id_number", "11010519491231002X")])
    clock.advance(days=KEEP_DAYS, seconds=1)
    assert hall.drafts.load("w", "intake:old") is None  # never shown again
    assert hall.drafts.of("w") == []
    hall.drafts.save("w", "intake:new", [("name", "x")])  # and purged by the next save
    from onewindow.storage.models import DraftRow
    assert [r.key for r in DraftRow.select()] == ["intake:new"]
