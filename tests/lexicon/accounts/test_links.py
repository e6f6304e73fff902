"""Account links (issue 18): password resets and the first-run setup link are single-use,
expire, are stored hashed, and a failure leaves nothing half-made."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lexicon import accounts
from lexicon.accounts import resets, setup
from lexicon.accounts.links import LinkNotValid, token_hash
from lexicon.errors import Forbidden, InvalidInput
from lexicon.models import PasswordReset, SetupLink, User, utcnow
from tests.conftest import make_user


def reason(call) -> str:
    with pytest.raises(LinkNotValid) as caught:
        call()
    return caught.value.reason


# ---------------------------------------------------------------- resets


def test_a_reset_sets_the_password_once_and_ends_sessions(session):
    person = make_user(session, "ana@example.org")
    generation = person.user.session_generation
    row, token = resets.create_reset(session=session, user=person.user)
    assert row.token_hash == token_hash(token) and token not in str(row.model_dump())
    assert timedelta(hours=1) < row.expires_at - row.created_at <= timedelta(hours=2)
    user = resets.use_reset(session=session, token=token, password="a new password")
    assert user.session_generation == generation + 1  # every session of the account ended
    assert accounts.verify_password("a new password", user.password_hash)
    assert reason(lambda: resets.use_reset(session=session, token=token, password="x" * 9)) == (
        "used"
    )
    # API tokens are not sessions: they stay valid.
    assert accounts.viewer_for_token(session=session, token=person.token).email == person.email


def test_a_reset_expires_within_hours(session):
    person = make_user(session, "ana@example.org")
    _, token = resets.create_reset(session=session, user=person.user)
    later = utcnow() + timedelta(hours=2, minutes=1)
    assert reason(lambda: resets.open_reset(session=session, token=token, now=later)) == "expired"
    assert reason(lambda: resets.open_reset(session=session, token="nonsense")) == "unknown"


def test_a_weak_password_changes_nothing_and_keeps_the_link(session):
    person = make_user(session, "ana@example.org")
    _, token = resets.create_reset(session=session, user=person.user)
    with pytest.raises(InvalidInput):
        resets.use_reset(session=session, token=token, password="short")
    session.refresh(person.user)
    assert accounts.verify_password("password-123", person.user.password_hash)
    assert resets.open_reset(session=session, token=token).email == "ana@example.org"


def test_a_newer_reset_link_replaces_the_older(session):
    person = make_user(session, "ana@example.org")
    _, first = resets.create_reset(session=session, user=person.user)
    _, second = resets.create_reset(session=session, user=person.user)
    assert reason(lambda: resets.open_reset(session=session, token=first)) == "expired"
    assert resets.open_reset(session=session, token=second).email == "ana@example.org"


def test_forgot_is_none_for_unknown_emails_and_limited_per_hour(session):
    make_user(session, "ana@example.org")
    assert resets.forgot_password(session=session, email="nobody@example.org") is None
    assert resets.forgot_password(session=session, email="not an email") is None
    made = [resets.forgot_password(session=session, email="ANA@example.org") for _ in range(4)]
    assert all(made[:3]) and made[3] is None


def test_who_may_make_a_reset_link_for_a_member(session, dictionary, owner):
    from lexicon import editing

    viewer = accounts.viewer_for_user(session=session, user=owner.user)
    member = make_user(session, "m@example.org", "editor", dictionary)
    row, _ = resets.reset_for_member(
        session=session, viewer=viewer, dictionary=dictionary, email="m@example.org"
    )
    assert row.user_id == member.user.id and row.created_by == owner.user.id
    # A member who is also in a dictionary this owner does not own: only an admin may.
    elsewhere = make_user(session, "elsewhere@example.org")
    other = editing.create_dictionary(
        session=session, data={"slug": "other", "title": "Other"}, owner_id=elsewhere.user.id
    )
    accounts.set_role(session=session, user=member.user, dictionary=other, role="viewer")
    with pytest.raises(Forbidden):
        resets.reset_for_member(
            session=session, viewer=viewer, dictionary=dictionary, email="m@example.org"
        )
    admin = make_user(session, "admin@example.org", is_admin=True)
    admin_viewer = accounts.viewer_for_user(session=session, user=admin.user)
    assert resets.reset_for_member(
        session=session, viewer=admin_viewer, dictionary=dictionary, email="m@example.org"
    )
    # A site admin's account is never reset by a dictionary owner.
    accounts.set_role(session=session, user=admin.user, dictionary=dictionary, role="viewer")
    viewer = accounts.viewer_for_user(session=session, user=owner.user)
    with pytest.raises(Forbidden):
        resets.reset_for_member(
            session=session, viewer=viewer, dictionary=dictionary, email="admin@example.org"
        )


# ---------------------------------------------------------------- first run


def test_setup_link_makes_the_first_admin_once(session):
    token = setup.new_setup_link(session=session)
    row = session.exec(select(SetupLink)).scalar_one()
    assert row.token_hash == token_hash(token)
    assert timedelta(hours=23) < row.expires_at - row.created_at <= timedelta(hours=24)
    user = setup.create_first_admin(
        session=session, token=token, email="Admin@Example.org", display_name="Ada",
        password="a long password",
    )  # fmt: skip
    assert user.is_admin and user.email == "admin@example.org" and user.display_name == "Ada"
    assert setup.new_setup_link(session=session) is None  # none once an admin exists
    assert reason(lambda: setup.open_setup(session=session, token=token)) == "done"


def test_each_start_makes_a_new_link_and_withdraws_the_old(session):
    first = setup.new_setup_link(session=session)
    second = setup.new_setup_link(session=session)
    assert first != second
    assert reason(lambda: setup.open_setup(session=session, token=first)) == "revoked"
    assert setup.open_setup(session=session, token=second)


def test_setup_link_expires_and_bad_input_makes_nothing(session):
    token = setup.new_setup_link(session=session)
    later = utcnow() + timedelta(hours=24, minutes=1)
    assert reason(lambda: setup.open_setup(session=session, token=token, now=later)) == "expired"
    for email, password in (("admin@example.org", "short"), ("not-an-email", "long enough pw")):
        with pytest.raises(InvalidInput):
            setup.create_first_admin(
                session=session, token=token, email=email, display_name="A", password=password
            )
    assert session.exec(select(User)).first() is None
    assert setup.open_setup(session=session, token=token)  # still usable


def test_user_add_admin_ends_the_setup_link(session):
    token = setup.new_setup_link(session=session)
    make_user(session, "root@example.org", is_admin=True)
    assert reason(lambda: setup.open_setup(session=session, token=token)) == "done"


def test_reset_rows_keep_only_hashes(session):
    person = make_user(session, "ana@example.org")
    _, token = resets.create_reset(session=session, user=person.user)
    stored = session.exec(select(PasswordReset.token_hash)).scalars().all()
    assert stored == [token_hash(token)] and token not in stored
