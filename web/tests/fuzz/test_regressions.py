"""Server errors the fuzzer found outside the input-validation work, each kept fixed here."""

from __future__ import annotations

import pytest

from onewindow import accounts


@pytest.mark.parametrize("name", ["%00", "a%00b.css", "x" * 300, "%E7%8E%8B" * 200,
                                  "app.css/inside"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_static_name_no_file_can_have_is_a_404(client, method, name):
    response = client.request(method, f"/static/{name}")
    assert response.status_code == 404


def test_a_password_with_a_lone_surrogate_is_a_wrong_password(staff):
    assert accounts.authenticate("window1", "correct-horse-42\ud800") is None
    assert accounts.authenticate("window1", "\udfff") is None
