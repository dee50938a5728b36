"""Single sign-on rules: which member a provider account signs in as, linking, new accounts and mapped roles.

The views hand over what the provider said, already verified (ID token signature, `state`, `nonce`, PKCE: see
forum/sso.py), as `ProviderClaims`; nothing here reads the request.
"""
import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import ExternalIdentity, Role, User, username_key, utcnow
from ..audit_log import log_action
from ..errors import Conflict, Forbidden, Invalid
from . import sessions
from .accounts import normalize_email

# Accounts made by a first sign-in have no password; no hash method matches this, so no password ever does.
NO_PASSWORD = "!sso"
ROLE_RANK = {Role.MEMBER: 0, Role.MODERATOR: 1, Role.ADMIN: 2}
_NOT_NAME_CHARS = re.compile(r"[^\w.\-]+", re.UNICODE)


@dataclass(frozen=True)
class ProviderClaims:
    """What the provider says about the person signing in (ID token merged with userinfo)."""
    issuer: str
    subject: str
    email: str | None = None
    email_verified: bool = False
    preferred_username: str | None = None
    name: str | None = None
    groups: tuple[str, ...] | None = None  # None: the role claim was absent, so roles are left alone

    @classmethod
    def from_claims(cls, issuer: str, claims: dict, role_claim: str = "groups") -> "ProviderClaims":
        raw_groups = claims.get(role_claim) if role_claim else None
        if isinstance(raw_groups, str):
            raw_groups = raw_groups.split()
        return cls(
            issuer=issuer, subject=str(claims["sub"]),
            email=normalize_email(claims["email"]) if claims.get("email") else None,
            email_verified=claims.get("email_verified") in (True, "true"),  # some providers send a string
            preferred_username=claims.get("preferred_username"), name=claims.get("name"),
            groups=tuple(str(group) for group in raw_groups) if isinstance(raw_groups, (list, tuple)) else None,
        )


@dataclass(frozen=True)
class SsoPolicy:
    """The site's choices (from the OIDC_* settings)."""
    create_accounts: bool = True
    sso_only: bool = False
    role_map: dict[str, str] = field(default_factory=dict)
    downgrade: bool = True

    @classmethod
    def from_config(cls, config) -> "SsoPolicy":
        return cls(create_accounts=bool(config.get("OIDC_CREATE_ACCOUNTS", True)),
                   sso_only=bool(config.get("OIDC_SSO_ONLY", False)),
                   role_map=parse_role_map(config.get("OIDC_ROLE_MAP", "")),
                   downgrade=bool(config.get("OIDC_ROLE_DOWNGRADE", True)))


@dataclass
class SignInOutcome:
    user: User
    created: bool = False
    linked: bool = False
    role_change: tuple[str, str] | None = None  # (old, new)


def parse_role_map(text: str | dict) -> dict[str, str]:
    """"support-staff=moderator, admins=admin" -> {"support-staff": "moderator", "admins": "admin"}."""
    if isinstance(text, dict):
        pairs = text.items()
    else:
        pairs = (item.split("=", 1) for item in (text or "").split(",") if item.strip())
    mapping = {}
    for group, role in pairs:
        role = role.strip()
        if role not in ROLE_RANK:
            raise ValueError(f"OIDC_ROLE_MAP: unknown role {role!r} (use member, moderator or admin)")
        mapping[group.strip()] = role
    return mapping


def has_password(user: User) -> bool:
    """False for accounts that only ever signed in through the provider (and deleted ones)."""
    return not (user.password_hash or "!").startswith("!")


def identities_of(user: User) -> list[ExternalIdentity]:
    return list(db.session.scalars(select(ExternalIdentity).where(ExternalIdentity.user_id == user.id)
                                   .order_by(ExternalIdentity.id)))


def sign_in_with_provider(claims: ProviderClaims, policy: SsoPolicy) -> SignInOutcome:
    """The member these claims sign in as: the linked one, else the account with the same verified address
    (now linked), else a new account. Raises Forbidden when none may be used."""
    identity = _find_identity(claims.issuer, claims.subject)
    if identity is not None:
        outcome = SignInOutcome(identity.user)
    else:
        outcome = _link_by_email(claims) or _create_account(claims, policy)
        identity = _find_identity(claims.issuer, claims.subject)
    user = outcome.user
    if user.is_deleted:
        raise Forbidden(_l("This account has been deleted."))
    identity.last_used_at = utcnow()
    if claims.email:
        identity.email = claims.email
        _follow_provider_address(user, claims)
    outcome.role_change = apply_role_map(user, claims.groups, policy)
    db.session.flush()
    return outcome


def _follow_provider_address(user: User, claims: ProviderClaims) -> None:
    """A member without a password has only the provider's word for their address: a new verified address there
    becomes theirs here, unless another account already uses it (then the old one stays, and nothing is lost)."""
    if has_password(user) or not claims.email_verified or claims.email == user.email:
        return
    if db.session.scalar(select(User.id).where(User.email == claims.email, User.id != user.id)) is not None:
        return
    previous, user.email, user.email_verified_at = user.email, claims.email, utcnow()
    log_action(user, "account.email_change", user, by="sso", previous_domain=(previous or "").rpartition("@")[2])


def link_identity(user: User, claims: ProviderClaims) -> ExternalIdentity:
    """Link the provider account to a signed-in member (from the account settings)."""
    identity = _find_identity(claims.issuer, claims.subject)
    if identity is not None:
        if identity.user_id == user.id:
            return identity
        raise Conflict(_l("That account at the identity provider is already linked to another member."))
    if db.session.scalar(select(ExternalIdentity.id).where(ExternalIdentity.user_id == user.id,
                                                            ExternalIdentity.issuer == claims.issuer)):
        raise Conflict(_l("Your account is already linked to another account at this identity provider. "
                          "Unlink it first."))
    identity = _add_identity(user, claims)
    log_action(user, "account.sso_link", user, issuer=claims.issuer, subject=claims.subject)
    return identity


def unlink_identity(user: User, issuer: str, policy: SsoPolicy) -> None:
    """Remove the link, unless it is the only way left into the account."""
    identity = db.session.scalar(select(ExternalIdentity).where(ExternalIdentity.user_id == user.id,
                                                                ExternalIdentity.issuer == issuer))
    if identity is None:
        raise Invalid(_l("Your account is not linked to this identity provider."))
    if policy.sso_only:
        raise Forbidden(_l("On this site everyone signs in through the identity provider: the link cannot be "
                           "removed."))
    if not has_password(user):
        raise Conflict(_l("Your account has no password yet, so this link is your only way in. Set a password "
                          "first (\"Forgot your password?\" on the login page)."))
    db.session.delete(identity)
    log_action(user, "account.sso_unlink", user, issuer=issuer, subject=identity.subject)
    db.session.flush()


def apply_role_map(user: User, groups: tuple[str, ...] | None, policy: SsoPolicy) -> tuple[str, str] | None:
    """Give the highest role the member's groups map to; take back mapped roles the groups no longer give
    (when `policy.downgrade`). Roles the map does not name are never touched. Returns (old, new) on a change."""
    if not policy.role_map or groups is None:
        return None
    granted = max((policy.role_map[group] for group in groups if group in policy.role_map),
                  key=ROLE_RANK.__getitem__, default=Role.MEMBER)
    old = user.role
    if ROLE_RANK[granted] > ROLE_RANK[old]:
        new = granted
    elif policy.downgrade and old in policy.role_map.values() and granted != old:
        new = granted
    else:
        return None
    user.role = new
    log_action(user, "user.role_sso", user, old=old, new=new, groups=sorted(groups))
    return old, new


def unique_username(*candidates: str | None) -> str:
    """A free username from the first usable candidate (unusable characters become '_'), then -2, -3... if taken."""
    base = "member"
    for candidate in candidates:
        cleaned = _NOT_NAME_CHARS.sub("_", unicodedata.normalize("NFKC", candidate or "").strip()).strip("_.-")
        if len(cleaned) >= 3:
            base = cleaned[:30]
            break
    name, n = base, 1
    while db.session.scalar(select(User.id).where(User.username_key == username_key(name))):
        n += 1
        suffix = f"-{n}"
        name = base[:30 - len(suffix)] + suffix
    return name


def _find_identity(issuer: str, subject: str) -> ExternalIdentity | None:
    return db.session.scalar(select(ExternalIdentity).where(ExternalIdentity.issuer == issuer,
                                                            ExternalIdentity.subject == subject))


def _add_identity(user: User, claims: ProviderClaims) -> ExternalIdentity:
    identity = ExternalIdentity(user_id=user.id, issuer=claims.issuer, subject=claims.subject, email=claims.email)
    db.session.add(identity)
    db.session.flush()
    return identity


def _link_by_email(claims: ProviderClaims) -> SignInOutcome | None:
    """Link to the account using the same address, only if the provider vouches for that address."""
    if not claims.email:
        return None
    user = db.session.scalar(select(User).where(User.email == claims.email))
    if user is None:
        return None
    if not claims.email_verified:
        raise Forbidden(_l("An account here already uses %(address)s, but the identity provider has not confirmed "
                           "that this address is yours, so the accounts were not linked. Log in with your password "
                           "and link the provider from your account settings.", address=claims.email))
    if user.is_deleted:
        raise Forbidden(_l("This account has been deleted."))
    if not user.email_verified:
        # Someone may have signed up with this address before its owner: the owner (proved by the provider)
        # takes the account over, and the unproved password and sessions go.
        user.password_hash = NO_PASSWORD
        sessions.end_all_sessions(user)
        user.email_verified_at = utcnow()
    _add_identity(user, claims)
    log_action(user, "account.sso_link", user, issuer=claims.issuer, subject=claims.subject, by="email")
    return SignInOutcome(user, linked=True)


def _create_account(claims: ProviderClaims, policy: SsoPolicy) -> SignInOutcome:
    if not policy.create_accounts:
        raise Forbidden(_l("There is no account here for you yet. Ask an administrator to create one."))
    if not claims.email:
        raise Invalid(_l("The identity provider did not share your e-mail address, which an account here needs."))
    local_part = claims.email.split("@", 1)[0]
    username = unique_username(claims.preferred_username, claims.name, local_part)
    user = User(username=username, username_key=username_key(username), email=claims.email,
                password_hash=NO_PASSWORD, role=Role.MEMBER,
                email_verified_at=utcnow() if claims.email_verified else None)
    db.session.add(user)
    db.session.flush()
    _add_identity(user, claims)
    return SignInOutcome(user, created=True)
