"""Who is acting, for the audit log: the one place that answers it.

Until sign-in exists this is $RELAY_USER, or the operating-system user.
"""

from __future__ import annotations

import getpass
import os


def acting_user() -> str:
    named = os.environ.get("RELAY_USER", "").strip()
    if named:
        return named
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid, e.g. in some containers
        return f"uid {os.getuid()}"
