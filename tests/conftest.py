"""Shared fixtures for the cross-package tests: the sample plugin's hall and its staff."""

import datetime as dt

import pytest
import sample_plugin

from onewindow.plugins import load_registry
from onewindow.services import Hall, open_hall

ENTERPRISE = {
    "kind": "enterprise", "name": "鞍山市星河科技有限公司", "phone": "13904120000",
    "credit_code": "91110000600037341L", "legal_representative": "张伟",
    "contact_person": "刘洋",
}
PERSON = {"kind": "person", "name": "王芳", "phone": "0412-5551234",
          "id_number": "11010519491231002X"}


class FakeClock:
    """A hall clock the tests move by hand (Beijing time)."""

    def __init__(self, start=dt.datetime(2026, 9, 28, 9, 0)):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += dt.timedelta(**delta)


@pytest.fixture(scope="session")
def sample_registry():
    return load_registry([sample_plugin], load_entry_points=False)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def hall(onewindow_settings, sample_registry, clock) -> Hall:
    opened = open_hall(onewindow_settings, sample_registry, upgrade=True)
    opened.clock = clock
    yield opened
    opened.db.close()


@pytest.fixture
def staff(onewindow_actor):
    return {
        "window": onewindow_actor("window_staff", username="window1"),
        "approver": onewindow_actor("approver", "sample", username="approver1"),
        "other_approver": onewindow_actor("approver", "elsewhere", username="approver2"),
        "head": onewindow_actor("section_head", "sample", username="head1"),
        "issuance": onewindow_actor("issuance", username="issuance1"),
        "supervision": onewindow_actor("supervision", username="super1"),
    }
