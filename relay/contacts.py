"""A lead's contact as links a phone or a mail program opens: mailto: and tel:. The text
itself is data: it is quoted into the link, never read as markup."""

from __future__ import annotations

import re
from urllib.parse import quote

import pandas as pd

# Link columns show what follows the scheme (st.column_config.LinkColumn's display_text).
EMAIL_SHOWN = r"mailto:(.*)"
PHONE_SHOWN = r"tel:(.*)"


def email_link(email: object) -> str | None:
    """mailto: the address (quoted: no header or second recipient rides in on the text)."""
    if not isinstance(email, str) or "@" not in email.strip():
        return None
    return "mailto:" + quote(email.strip(), safe="@.+-_")


def phone_link(phone: object) -> str | None:
    """tel: the number's digits (and a leading +), as a phone dials it."""
    if not isinstance(phone, str):
        return None
    digits = re.sub(r"[^\d]", "", phone)
    if not digits:
        return None
    return ("tel:+" if phone.strip().startswith("+") else "tel:") + digits


def with_links(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with email_link and phone_link columns beside its email and phone."""
    linked = frame.copy()
    linked["email_link"] = [email_link(value) for value in linked["email"]]
    linked["phone_link"] = [phone_link(value) for value in linked["phone"]]
    return linked
