"""Who is acting and what they may do: the one place that answers both.

In the dashboard it is the person signed in through OpenID Connect (`st.user`), with a role
from the `[roles]` rules in .streamlit/secrets.toml; without an `[auth]` section there, it is
the single local user, with the role of `[local]`. On the command line it is the
operating-system user with every right: whoever can run commands against the store file can
change it anyway. Which session a dashboard call runs in is Streamlit's to tell: relay.ui.signin
answers it, registered through `find_dashboard_actor`, so nothing here imports Streamlit.

Every write function in relay/ calls `require()`, so a page that forgot to hide a button
still cannot write, and the audit log names whoever `require()` returned, never a name a
caller passed in.
"""

from __future__ import annotations

import enum
import getpass
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

SECRETS_FILE = ".streamlit/secrets.toml"
DEFAULT_SESSION_HOURS = 12.0


class Role(enum.IntEnum):
    """Each role may do everything the ones below it may."""

    VIEWER = 1
    REP = 2
    PLANNER = 3
    ADMIN = 4

    def __str__(self) -> str:
        return self.name.lower()


# What each role adds to the one below: for messages, the sidebar and the README.
ADDS = {
    Role.VIEWER: "reads everything shared",
    Role.REP: "also submits their own forecast, sees their own leads and breaches",
    Role.PLANNER: "also edits goals, campaigns and the SLA, signs plans off",
    Role.ADMIN: "also imports data, edits mappings and settings",
}
NO_ACCESS = "none"


class AccessConfigError(ValueError):
    """The sign-in or role settings cannot be used, with where and what to fix."""


class Refused(PermissionError):
    """The acting person's role may not do this; nothing was written."""


class ActorKind(enum.Enum):
    """How the acting person came to act; the value is how it is said in words."""

    SIGNED_IN = "signed in"  # through the identity provider, with a role from the rules
    LOCAL = "local"  # the dashboard without sign-in: the single local user
    COMMAND_LINE = "command line"  # the operating-system user, with every right
    SIGNED_OUT = "signed out"  # nobody yet: the sign-in screen
    EXPIRED = "expired"  # a sign-in older than the session allows
    NO_SESSION = "no session"  # a dashboard thread that no session runs: acts for nobody

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role | None  # None: no access at all
    email: str | None = None
    how: ActorKind = ActorKind.COMMAND_LINE
    problem: str | None = None  # why access is less than it might be: said on every page

    @property
    def audit_name(self) -> str:
        """How the audit log and sign-offs name this person: the email once signed in."""
        return self.email or self.name

    def may(self, role: Role) -> bool:
        return self.role is not None and self.role >= role

    def is_person(self, name: object, email: object) -> bool:
        """Whether a person of the store is this actor. Signed in: by email only (names are
        neither unique nor verified); locally and on the command line, by the name or email
        configured."""
        if self.how is ActorKind.SIGNED_IN:
            mine, theirs = {self.email}, {email}
        else:
            mine, theirs = {self.email, self.name}, {name, email}
        return bool(_folded(mine) & _folded(theirs))


def _folded(texts: set) -> set[str]:
    return {text.strip().casefold() for text in texts if isinstance(text, str) and text.strip()}


@dataclass(frozen=True)
class AccessRules:
    """Sign-in and roles as configured in secrets.toml."""

    sign_in: bool = False
    providers: tuple[str, ...] = ()  # named [auth.NAME] providers; empty: the [auth] one
    emails: Mapping[str, Role] = field(default_factory=dict)
    domains: Mapping[str, Role] = field(default_factory=dict)
    groups: Mapping[str, Role] = field(default_factory=dict)
    default: Role | None = Role.VIEWER
    groups_claim: str = "groups"
    # Entra ID sends no email_verified claim at all; its email is then trusted only if told.
    accept_email_without_verified_claim: bool = False
    session_hours: float = DEFAULT_SESSION_HOURS
    local_role: Role = Role.PLANNER
    local_name: str | None = None


def _role(text: object, where: str) -> Role:
    try:
        return Role[str(text).strip().upper()]
    except KeyError:
        raise AccessConfigError(
            f"{SECRETS_FILE} {where}: {text!r} is not a role; use viewer, rep, planner or "
            "admin.") from None


def _rule_table(section: Mapping, name: str) -> dict[str, Role]:
    table = section.get(name, {})
    if not isinstance(table, Mapping):
        raise AccessConfigError(f"{SECRETS_FILE} [roles.{name}] must be a table of "
                                f"\"{name[:-1]}\" = \"role\" lines.")
    return {str(key).strip().casefold(): _role(value, f"[roles.{name}] {key!r}")
            for key, value in table.items()}


# What st.login needs, from [auth] or from each [auth.NAME] provider table.
AUTH_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
# The cookie secret signs the sign-in cookie: whoever knows it can sign in as anyone. The
# example file's placeholder is public, and a short one can be guessed.
EXAMPLE_COOKIE_SECRET = "replace-with-a-long-random-string"
MIN_COOKIE_SECRET = 32
MAKE_A_SECRET = 'python -c "import secrets; print(secrets.token_hex(32))"'


def _providers(auth: Mapping) -> tuple[str, ...]:
    """The named [auth.NAME] providers; empty when [auth] itself is the one provider.
    Other tables under [auth] (client_kwargs) are a provider's settings, not providers."""
    return tuple(name for name, value in auth.items()
                 if isinstance(value, Mapping) and "client_id" in value)


def _auth_section(auth: object) -> Mapping | None:
    """[auth] if sign-in is configured; AccessConfigError if it is there but unusable, so
    that a slip in the file never turns sign-in off."""
    if auth is None:
        return None
    if not isinstance(auth, Mapping):
        raise AccessConfigError(f"{SECRETS_FILE}: auth must be a table, [auth].")
    missing = [key for key in AUTH_KEYS if not auth.get(key)]
    named = _providers(auth)
    for name in named or (None,):
        section = auth[name] if name else auth
        missing += [f"[auth.{name}] {key}" if name else key for key in PROVIDER_KEYS
                    if not section.get(key)]
    if missing:
        raise AccessConfigError(
            f"{SECRETS_FILE} [auth] is missing {', '.join(missing)}: sign-in needs them (see "
            "secrets.toml.example)." + (f" Make a cookie_secret with: {MAKE_A_SECRET}"
                                        if "cookie_secret" in missing else ""))
    _check_cookie_secret(auth["cookie_secret"])
    return auth


def _check_cookie_secret(secret: object) -> None:
    """AccessConfigError unless the cookie secret is the administrator's own and long."""
    text = secret.strip() if isinstance(secret, str) else None
    if text is None:
        problem = "is not text"
    elif text == EXAMPLE_COOKIE_SECRET:
        problem = "is the example file's, which anyone can read"
    elif len(text) < MIN_COOKIE_SECRET:
        problem = f"has {len(text)} characters" if text else "is empty"
    else:
        return
    raise AccessConfigError(
        f"{SECRETS_FILE} [auth] cookie_secret {problem}: it signs the sign-in cookie, so "
        f"whoever knows it can sign in as anyone. Use a random one of at least "
        f"{MIN_COOKIE_SECRET} characters, made with: {MAKE_A_SECRET}")


def rules_from(secrets: Mapping) -> AccessRules:
    """The access rules from secrets.toml's contents; AccessConfigError says what is wrong."""
    auth = _auth_section(secrets.get("auth"))
    roles = secrets.get("roles", {})
    local = secrets.get("local", {})
    for name, section in (("roles", roles), ("local", local)):
        if not isinstance(section, Mapping):
            raise AccessConfigError(f"{SECRETS_FILE}: [{name}] must be a table.")
    default_text = str(roles.get("default", "viewer")).strip().lower()
    # Someone no rule names gets no more than viewer: who may change the shared numbers is
    # written down, never assumed.
    if default_text not in ("viewer", NO_ACCESS):
        raise AccessConfigError(
            f"{SECRETS_FILE} [roles] default = {default_text!r}: it can be \"viewer\" or "
            "\"none\". Give more to people by email, domain or group.")
    hours = roles.get("session_hours", DEFAULT_SESSION_HOURS)
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0.1 <= hours <= 720:
        raise AccessConfigError(f"{SECRETS_FILE} [roles] session_hours = {hours!r}: use a "
                                "number of hours from 0.1 to 720.")
    accept_unverified = roles.get("accept_email_without_verified_claim", False)
    if not isinstance(accept_unverified, bool):
        raise AccessConfigError(f"{SECRETS_FILE} [roles] accept_email_without_verified_claim "
                                f"= {accept_unverified!r}: use true or false.")
    return AccessRules(
        sign_in=auth is not None,
        providers=_providers(auth or {}),
        emails=_rule_table(roles, "emails"),
        domains={domain.lstrip("@"): role
                 for domain, role in _rule_table(roles, "domains").items()},
        groups=_rule_table(roles, "groups"),
        default=None if default_text == NO_ACCESS else Role.VIEWER,
        groups_claim=str(roles.get("groups_claim", "groups")),
        accept_email_without_verified_claim=accept_unverified,
        session_hours=float(hours),
        local_role=_role(local.get("role", "planner"), "[local] role"),
        local_name=str(local["name"]).strip() if local.get("name") else None,
    )


def _os_user() -> str:
    named = os.environ.get("RELAY_USER", "").strip()
    if named:
        return named
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid, e.g. in some containers
        return f"uid {os.getuid()}"


def command_line(name: str | None = None) -> Actor:
    return Actor(name or _os_user(), Role.ADMIN, how=ActorKind.COMMAND_LINE)


def local(rules: AccessRules) -> Actor:
    return Actor(rules.local_name or _os_user(), rules.local_role, how=ActorKind.LOCAL)


def _groups(user: Mapping, claim: str) -> set[str]:
    value = user.get(claim)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return set()
    return {str(group).strip().casefold() for group in value}


def signed_in(user: Mapping, rules: AccessRules, now: float) -> Actor:
    """The actor for an ID token's claims (`st.user`) under the rules, at `now` (epoch
    seconds)."""
    if not user.get("is_logged_in"):
        return Actor("", None, how=ActorKind.SIGNED_OUT)
    raw_email = user.get("email")
    email = raw_email.strip() if isinstance(raw_email, str) and "@" in raw_email else None
    name = str(user.get("name") or email or user.get("sub") or "unknown")
    issued = user.get("iat")
    if not isinstance(issued, int | float) or now - issued > rules.session_hours * 3600:
        return Actor(name, None, email, how=ActorKind.EXPIRED, problem=(
            f"Your sign-in has expired (sign-ins last {rules.session_hours:g} hours). Sign in "
            "again to go on."))
    limited = ("you can read the shared numbers but not change them" if rules.default
               else "you have no access")
    verified = user.get("email_verified")
    if email and verified is None and not rules.accept_email_without_verified_claim:
        return Actor(name, rules.default, None, how=ActorKind.SIGNED_IN, problem=(
            f"Your identity provider did not say whether {email} is verified, so Revenue "
            f"Relay cannot tell it is yours: {limited}. For a provider that never says (Entra "
            "ID), an admin sets accept_email_without_verified_claim = true under [roles]."))
    if email and verified not in (True, "true", None):
        return Actor(name, rules.default, None, how=ActorKind.SIGNED_IN, problem=(
            f"Your identity provider has not verified {email}, so Revenue Relay cannot tell "
            f"it is yours: {limited}."))
    if email is None:
        return Actor(name, rules.default, None, how=ActorKind.SIGNED_IN, problem=(
            "Your sign-in carried no email address, so a change could not be recorded in "
            f"your name: {limited}. An admin can add the email scope or claim at the "
            "identity provider."))
    key = email.casefold()
    if key in rules.emails:
        return Actor(name, rules.emails[key], email, how=ActorKind.SIGNED_IN)
    matched = [rules.domains[domain] for domain in (key.rsplit("@", 1)[1],)
               if domain in rules.domains]
    matched += [rules.groups[group] for group in _groups(user, rules.groups_claim)
                if group in rules.groups]
    if matched:
        return Actor(name, max(matched), email, how=ActorKind.SIGNED_IN)
    return Actor(name, rules.default, email, how=ActorKind.SIGNED_IN, problem=(
        f"No role is given to {email}: {limited}. An admin adds people under [roles] in "
        f"{SECRETS_FILE}."))


# Who acts where no dashboard session tells: the command line's worker thread acting for the
# command that handed it a job, or a test.
_acting: ContextVar[Actor | None] = ContextVar("relay_acting", default=None)


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _acting.set(actor)
    try:
        yield actor
    finally:
        _acting.reset(token)


# How a dashboard session tells who acts: relay.ui registers it when the dashboard loads
# (it alone knows Streamlit); it answers None outside a session, as it does when unset.
def _no_dashboard() -> Actor | None:
    return None


_dashboard_actor: Callable[[], Actor | None] = _no_dashboard


def find_dashboard_actor(finder: Callable[[], Actor | None]) -> None:
    global _dashboard_actor
    _dashboard_actor = finder


def _thread_without_session() -> Actor | None:
    """In a process where Streamlit runs, a thread no session runs (a download, a worker), or
    any thread before relay.ui has said how to find a session, acts for nobody unless
    acting_as says for whom, never as the command line's admin. None elsewhere."""
    runtime = sys.modules.get("streamlit.runtime")
    if runtime is not None and runtime.exists():
        return Actor("a dashboard thread", None, how=ActorKind.NO_SESSION)
    return None


def current() -> Actor:
    """Who is acting now: set by `acting_as`, else the dashboard's session, else nobody in a
    dashboard thread without one, else the command line."""
    acting = _acting.get()
    if acting is not None:
        return acting
    in_session = _dashboard_actor()
    if in_session is not None:
        return in_session
    without_session = _thread_without_session()
    return without_session if without_session is not None else command_line()


def require(role: Role, action: str) -> Actor:
    """The acting person, if they may do what needs `role`; Refused (a PermissionError) if
    not."""
    actor = current()
    if not actor.may(role):
        held = f"the {actor.role} role" if actor.role else "no access"
        raise Refused(f"{action[0].upper()}{action[1:]} needs the {role} role; "
                      f"{actor.audit_name or 'you'} has {held}.")
    return actor


def acting_user() -> str:
    """How whoever acts now is named on screen: as the audit log will name them."""
    return current().audit_name
