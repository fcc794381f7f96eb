"""What the person acting may do, as the pages ask it: they offer only that. The write
functions below this layer check again (identity.require)."""

from __future__ import annotations

import streamlit as st

from relay import identity
from relay.identity import Role
from relay.ui.widgets import plain


def may(role: Role) -> bool:
    """Whether the person acting may do what needs `role`: pages offer only that. The write
    functions check again."""
    return identity.current().may(role)


def needs_role(role: Role, to_do: str) -> None:
    """Say, in place of a form, who may use it."""
    st.caption(plain(f"A {role} {to_do} here; you have the {identity.current().role} role."))
