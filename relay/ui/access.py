"""Sign-in in the dashboard: who is here and with what role, and the screens for someone
the dashboard cannot be shown to yet."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlparse

import streamlit as st
from streamlit import config

from relay import identity
from relay.identity import ADDS, SECRETS_FILE, Actor, ActorKind, Role
from relay.ui import signin
from relay.ui.widgets import plain


def gate() -> Actor:
    """Who is acting, with their identity drawn in the sidebar. Stops the script with the
    sign-in screen, or with why not, when there is nobody the dashboard may be shown to."""
    try:
        actor = identity.current()
    except identity.AccessConfigError as error:
        st.error(plain(error), icon=":material/error:")
        st.stop()
    _refuse_role_from_address(actor)
    if actor.how in (ActorKind.SIGNED_OUT, ActorKind.EXPIRED):
        # current() has read these rules already without complaint.
        _sign_in_screen(actor, signin.dashboard_rules())
        st.stop()
    if actor.role is None:
        st.title("Revenue Relay")
        st.error(plain(actor.problem or "You have no access."), icon=":material/block:")
        _sign_out_button()
        st.stop()
    if actor.problem:
        st.warning(plain(actor.problem), icon=":material/person_alert:")
    if actor.how is ActorKind.LOCAL:
        _warn_when_exposed(actor)
    _sidebar(actor)
    return actor


def _refuse_role_from_address(actor: Actor) -> None:
    """A role in the page address is never used: say so, and take it out of the address."""
    asked = st.query_params.get("role")
    if asked is None:
        return
    held = f"the {actor.role} role" if actor.role else "no access"
    st.warning(plain(f"The address asks for the role {asked!r}, which is ignored: a role "
                     f"comes from sign-in, never from the address. You have {held}."),
               icon=":material/gpp_bad:")
    del st.query_params["role"]


def _sign_in_screen(actor: Actor, rules: identity.AccessRules) -> None:
    st.title("Revenue Relay")
    if actor.problem:
        st.warning(plain(actor.problem), icon=":material/timer_off:")
    st.markdown("The shared revenue plan of marketing and sales: goals, campaigns, the "
                "funnel and the forecast. Sign in with your company account.")
    for provider in rules.providers or (None,):
        label = f"Sign in with {provider.capitalize()}" if provider else "Sign in"
        if st.button(label, type="primary", icon=":material/login:",
                     key=f"sign_in_{provider or 'default'}"):
            st.login(provider)


def _sign_out_button() -> None:
    if st.button("Sign out", icon=":material/logout:", key="sign_out"):
        st.logout()


def _sidebar(actor: Actor) -> None:
    with st.sidebar:
        if actor.how is ActorKind.LOCAL:
            st.badge("Local mode — no sign-in", icon=":material/lock_open:", color="orange")
            st.caption(plain(f"Acting as {actor.name}, {actor.role}: {ADDS[actor.role]}.")
                       + f" Sign-in and roles are set in `{SECRETS_FILE}` (see the README).")
            return
        who = plain(actor.name) + (f" ({plain(actor.email)})" if actor.email
                                   and actor.email != actor.name else "")
        st.markdown(f":material/account_circle: {who}  \n**{actor.role}** · "
                    f"{plain(ADDS[actor.role])}")
        _sign_out_button()


def _is_loopback(host: str) -> bool:
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _warn_when_exposed(actor: Actor) -> None:
    """Without sign-in, whoever reaches the address acts as the local user: warn when that
    can be someone on the network."""
    address = config.get_option("server.address") or ""
    reached_as = urlparse(st.context.url or "").hostname or ""
    exposed = [name for name in (address or "every network interface", reached_as)
               if name and not _is_loopback(name)]
    if not exposed:
        return
    rights = "change the shared numbers" if actor.may(Role.REP) else "read everything"
    st.warning(plain(
        f"Served on {exposed[0]} without sign-in: anyone who can reach this address can "
        f"{rights} as {actor.name}. Set up sign-in ([auth] in {SECRETS_FILE}, see the README), "
        "or serve on 127.0.0.1 only."), icon=":material/public:")
