"""Who acts in a dashboard session: the person signed in (`st.user`) under the rules in
.streamlit/secrets.toml, or the local user. relay.identity holds the rules and the roles;
this is the part that needs Streamlit's runtime."""

from __future__ import annotations

import logging
import time

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from relay import identity
from relay.identity import SECRETS_FILE, AccessConfigError, AccessRules, Actor

LOG = logging.getLogger("relay")


def dashboard_rules() -> AccessRules:
    try:
        secrets = st.secrets.to_dict()
    except FileNotFoundError as error:
        # No secrets file at all means local mode; one that cannot be read must not.
        if getattr(error, "error_id", None) != "no-secrets-found":
            raise AccessConfigError(f"{SECRETS_FILE} cannot be read: {error}") from error
        secrets = {}
    return identity.rules_from(secrets)


def check_access_config() -> None:
    """Say in the server log, at start, when sign-in is configured so that every page will
    refuse to open (a public or short cookie secret, a missing setting): whoever starts the
    server reads it there without opening a page."""
    try:
        dashboard_rules()
    except AccessConfigError as error:
        LOG.error("Every page will refuse to open: %s", error)


def _in_session() -> Actor:
    rules = dashboard_rules()
    if not rules.sign_in:
        return identity.local(rules)
    return identity.signed_in(st.user.to_dict(), rules, time.time())


def session_actor() -> Actor | None:
    """Who acts in this dashboard session; None in a thread no session runs (identity says
    who acts there)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    return _in_session()
