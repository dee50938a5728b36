"""Single sign-on rules on a real database, without HTTP: which account a provider's claims sign in as."""
import pytest
from sqlalchemy import select

from forum.models import AuditLogEntry, ExternalIdentity, Role
from forum.services.errors import Conflict, Forbidden, Invalid
from forum.services.people import identity
from forum.services.people.identity import ProviderClaims, SsoPolicy
from tests.factories import PASSWORD, make_user

ISSUER = "https://id.example.co.jp"


def claims(sub="s-1", email="person@example.co.jp", verified=True, groups=None, **more) -> ProviderClaims:
    return ProviderClaims(issuer=ISSUER, subject=sub, email=email, email_verified=verified, groups=groups, **more)


def test_claims_are_read_from_the_id_token_as_providers_send_them():
    parsed = ProviderClaims.from_claims(ISSUER, {"sub": 42, "email": " Ａｉ@Example.JP ", "email_verified": "true",
                                                "roles": "staff admins"}, role_claim="roles")
    assert (parsed.subject, parsed.email, parsed.email_verified, parsed.groups) == \
        ("42", "ai@example.jp", True, ("staff", "admins"))
    assert ProviderClaims.from_claims(ISSUER, {"sub": "x"}).groups is None  # no claim: roles left alone


def test_the_role_map_setting_is_parsed_and_checked():
    assert identity.parse_role_map(" support-staff = moderator , admins=admin ") == \
        {"support-staff": "moderator", "admins": "admin"}
    assert identity.parse_role_map("") == {}
    with pytest.raises(ValueError):
        identity.parse_role_map("staff=superuser")


def test_an_unverified_address_never_links_an_existing_account(db):
    make_user(email="person@example.co.jp")
    with pytest.raises(Forbidden):
        identity.sign_in_with_provider(claims(verified=False), SsoPolicy())
    assert db.session.scalars(select(ExternalIdentity)).all() == []


def test_an_unverified_address_with_no_clash_makes_an_unconfirmed_account(db):
    outcome = identity.sign_in_with_provider(claims(verified=False, preferred_username="newbie"), SsoPolicy())
    assert outcome.created and outcome.user.username == "newbie" and not outcome.user.email_verified
    assert not identity.has_password(outcome.user)


def test_a_linked_subject_wins_over_a_changed_address(db):
    first = identity.sign_in_with_provider(claims(preferred_username="kaito"), SsoPolicy()).user
    again = identity.sign_in_with_provider(claims(email="kaito.new@example.co.jp"), SsoPolicy())
    assert again.user.id == first.id and not again.created and not again.linked


def test_usernames_are_derived_and_made_unique(db):
    make_user(username="Taro")
    make_user(username="taro-2")
    assert identity.unique_username("taro") == "taro-3"
    assert identity.unique_username("山田 太郎") == "山田_太郎"
    assert identity.unique_username(None, "", "ab", "x" * 40) == "x" * 30
    assert identity.unique_username("!!") == "member"
    make_user(username="y" * 30)
    assert identity.unique_username("Y" * 30) == "Y" * 28 + "-2"  # case kept; compared without it


def test_no_address_means_no_new_account(db):
    with pytest.raises(Invalid):
        identity.sign_in_with_provider(claims(email=None), SsoPolicy())


def test_a_deleted_account_is_refused(db):
    user = identity.sign_in_with_provider(claims(), SsoPolicy()).user
    user.deleted_at = user.created_at
    with pytest.raises(Forbidden):
        identity.sign_in_with_provider(claims(), SsoPolicy())


def test_role_changes_follow_the_map_and_are_audit_logged(db):
    policy = SsoPolicy(role_map={"staff": Role.MODERATOR, "it": Role.ADMIN})
    user = identity.sign_in_with_provider(claims(groups=("staff",)), policy).user
    assert user.role == Role.MODERATOR
    identity.sign_in_with_provider(claims(groups=("staff", "it")), policy)
    assert user.role == Role.ADMIN
    identity.sign_in_with_provider(claims(groups=()), policy)
    assert user.role == Role.MEMBER
    identity.sign_in_with_provider(claims(groups=None), policy)  # claim absent: no change
    assert user.role == Role.MEMBER
    actions = db.session.scalars(select(AuditLogEntry.action).where(AuditLogEntry.action == "user.role_sso")).all()
    assert len(actions) == 3


def test_without_downgrades_roles_are_only_given(db):
    policy = SsoPolicy(role_map={"staff": Role.MODERATOR}, downgrade=False)
    user = identity.sign_in_with_provider(claims(groups=("staff",)), policy).user
    identity.sign_in_with_provider(claims(groups=()), policy)
    assert user.role == Role.MODERATOR


def test_one_provider_account_links_to_one_member(db):
    first, second = make_user(), make_user()
    identity.link_identity(first, claims())
    assert identity.link_identity(first, claims()).user_id == first.id  # again: nothing to do
    with pytest.raises(Conflict):
        identity.link_identity(second, claims())
    with pytest.raises(Conflict):
        identity.link_identity(first, claims(sub="s-2"))  # one account per provider


def test_unlinking_keeps_a_way_in(db):
    member = make_user(password=PASSWORD)
    identity.link_identity(member, claims())
    with pytest.raises(Forbidden):
        identity.unlink_identity(member, ISSUER, SsoPolicy(sso_only=True))
    identity.unlink_identity(member, ISSUER, SsoPolicy())
    assert identity.identities_of(member) == []
    sso_member = identity.sign_in_with_provider(claims(sub="s-9", email="x@example.co.jp"), SsoPolicy()).user
    with pytest.raises(Conflict):
        identity.unlink_identity(sso_member, ISSUER, SsoPolicy())


def test_a_member_without_a_password_follows_the_providers_verified_address(db):
    member = identity.sign_in_with_provider(claims(preferred_username="kaito"), SsoPolicy()).user
    identity.sign_in_with_provider(claims(email="kaito@new.example.co.jp"), SsoPolicy())
    assert member.email == "kaito@new.example.co.jp" and member.email_verified
    assert db.session.scalar(select(AuditLogEntry).where(AuditLogEntry.action == "account.email_change"))
    identity.sign_in_with_provider(claims(email="unconfirmed@example.co.jp", verified=False), SsoPolicy())
    make_user(email="taken@example.co.jp")
    identity.sign_in_with_provider(claims(email="taken@example.co.jp"), SsoPolicy())
    assert member.email == "kaito@new.example.co.jp"  # an unverified or taken address changes nothing


def test_a_member_with_a_password_keeps_their_own_address(db):
    member = make_user(email="own@example.co.jp")
    identity.sign_in_with_provider(claims(email="own@example.co.jp"), SsoPolicy())  # links by address
    identity.sign_in_with_provider(claims(email="elsewhere@example.co.jp"), SsoPolicy())
    assert member.email == "own@example.co.jp"


def test_a_member_without_a_password_deletes_the_account_by_typing_the_username(db, app):
    from forum.services.people import deletion

    member = identity.sign_in_with_provider(claims(preferred_username="kaito"), SsoPolicy()).user
    rules = app.config["REPUTATION"]
    with pytest.raises(Invalid):
        deletion.delete_own_account(member, "", rules, typed_username="kait")
    deletion.delete_own_account(member, "", rules, typed_username="kaito")
    assert member.is_deleted
