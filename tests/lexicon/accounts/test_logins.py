"""The hash an unknown email is verified against (so that both answers take as long)."""

from lexicon.accounts import logins, users


def test_the_dummy_hash_is_made_as_passwords_are_hashed_now():
    assert users.verify_password("wordkeep-no-such-user", logins._DUMMY_HASH)
    hasher = users._hasher.hashers[0]
    # Same algorithm and cost as a real password's hash, or the two answers' times differ.
    assert not hasher.check_needs_rehash(logins._DUMMY_HASH)
    real = users.hash_password("a real password")
    assert real.split("$")[:4] == logins._DUMMY_HASH.split("$")[:4]
