"""Staff passwords: argon2 hashes, upgraded to the hall's current parameters at sign-in."""

from argon2 import PasswordHasher

from onewindow import accounts
from onewindow.storage.models import StaffRow

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
STRONGER = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)


def test_a_hash_made_with_older_parameters_is_upgraded_at_the_next_sign_in(hall, monkeypatch):
    # whatever the session hashes with comes back afterwards
    monkeypatch.setattr(accounts, "_hasher", accounts._hasher)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", accounts._DUMMY_HASH)
    accounts.use_password_hasher(CHEAP)
    accounts.create_staff("clerk7", "新同事", "window_staff", "long-enough-pw")
    old = StaffRow.get(StaffRow.username == "clerk7").password_hash
    assert not CHEAP.check_needs_rehash(old)

    accounts.use_password_hasher(STRONGER)
    assert accounts.authenticate("clerk7", "wrong-password") is None
    assert StaffRow.get(StaffRow.username == "clerk7").password_hash == old
    actor = accounts.authenticate("clerk7", "long-enough-pw")
    assert actor is not None and actor.username == "clerk7"
    new = StaffRow.get(StaffRow.username == "clerk7").password_hash
    assert new != old and not STRONGER.check_needs_rehash(new)
    assert accounts.authenticate("clerk7", "long-enough-pw") is not None
