"""Settings kept in the store (`settings` table), with their defaults."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import duckdb

from relay import attribution, clock, identity, sql, store, summaries
from relay.identity import Role

DEFAULTS = {
    "fiscal_year_start_month": "1",
    "currency": "USD",
    "sla_hours": "24",
    "is_demo": "false",
    "lookback_quarters": "4",
    "app_url": "",
    "store_id": "store",
    "forecast_cutoff_week": "8",
    "fx_rates": "",
    "smtp_host": "",
    "smtp_port": "587",
    "smtp_starttls": "true",
    "smtp_user": "",
    "digest_from": "",
    "attribution_model": attribution.DEFAULT_MODEL,
    "attribution_half_life_days": str(attribution.DEFAULT_HALF_LIFE_DAYS),
}
# Where links point when app_url is not set and nothing says where the app is served (the
# command line): Streamlit's own default address.
FALLBACK_APP_URL = "http://localhost:8501"


@dataclass(frozen=True)
class Settings:
    fiscal_year_start_month: int
    currency: str
    sla_hours: float
    is_demo: bool
    lookback_quarters: int  # closed quarters that calibrate win rates and conversion
    # Where people open the dashboard: links in calendar files and digests point there.
    # Empty: the address the running app is served at (base_url).
    app_url: str
    store_id: str  # set when the store is created; tells stores apart in calendar files
    forecast_cutoff_week: int  # the week of a quarter whose calls are judged for accuracy
    # "EUR=1.08, GBP=1.27": what one unit of each currency is in the store's currency; an
    # import of costs in another currency converts by it (and is refused without it).
    fx_rates: str = ""
    # The weekly digest's mail server (the password is a secret: RELAY_SMTP_PASSWORD or
    # [smtp] password in .streamlit/secrets.toml, never a setting).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_user: str = ""
    digest_from: str = ""
    # The company's attribution model (the campaign page's default) and time decay's
    # half-life in days (relay.attribution).
    attribution_model: str = attribution.DEFAULT_MODEL
    attribution_half_life_days: float = attribution.DEFAULT_HALF_LIFE_DAYS


def base_url(config: Settings, served_at: str | None = None) -> tuple[str, str | None]:
    """(the address links point to, a note when it is only a guess): the app_url setting,
    else the address the app is served at (`served_at`, from the running app), else
    Streamlit's default address, said plainly."""
    if config.app_url:
        return config.app_url.rstrip("/"), None
    if served_at and re.match(r"https?://", served_at):
        return served_at.rstrip("/"), None
    return FALLBACK_APP_URL, (f"Links point to {FALLBACK_APP_URL}: the app_url setting is not "
                              "set (python -m relay setting app_url https://…).")


def load(cursor: duckdb.DuckDBPyConnection) -> Settings:
    stored = dict(sql.frame(cursor, "settings").itertuples(index=False, name=None))
    values = {**DEFAULTS, **stored}
    month = int(values["fiscal_year_start_month"])
    if not 1 <= month <= 12:
        raise ValueError(
            f"setting fiscal_year_start_month is {month}; it must be a month number, 1 to 12"
        )
    return Settings(
        fiscal_year_start_month=month,
        currency=values["currency"],
        sla_hours=float(values["sla_hours"]),
        is_demo=values["is_demo"] == "true",
        lookback_quarters=int(values["lookback_quarters"]),
        app_url=values["app_url"],
        store_id=values["store_id"],
        forecast_cutoff_week=int(values["forecast_cutoff_week"]),
        fx_rates=values["fx_rates"],
        smtp_host=values["smtp_host"],
        smtp_port=int(values["smtp_port"]),
        smtp_starttls=values["smtp_starttls"] == "true",
        smtp_user=values["smtp_user"],
        digest_from=values["digest_from"],
        attribution_model=_model(values["attribution_model"]),
        attribution_half_life_days=float(_half_life(values["attribution_half_life_days"])),
    )


def _month(text: str) -> str:
    if not text.isdigit() or not 1 <= int(text) <= 12:
        raise ValueError(
            f"fiscal_year_start_month must be a month number from 1 to 12, not {text!r}")
    return str(int(text))


def _currency(text: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise ValueError(f"currency must be a three-letter ISO code such as USD, not {text!r}")
    return text


def _hours(text: str) -> str:
    try:
        hours = float(text)
    except ValueError:
        hours = -1
    if not 0 < hours <= 24 * 14:
        raise ValueError(
            f"sla_hours must be a number of hours above 0 and at most 336, not {text!r}")
    return f"{hours:g}"


def _quarters(text: str) -> str:
    if not text.isdigit() or not 1 <= int(text) <= 12:
        raise ValueError(f"lookback_quarters must be a whole number of quarters from 1 to 12, "
                         f"not {text!r}")
    return str(int(text))


def _url(text: str) -> str:
    if not text:  # the address the app is served at
        return text
    if not re.fullmatch(r"https?://[^\s]+", text):
        raise ValueError(f"app_url must be the address people open the dashboard at, "
                         f"starting with http:// or https://, not {text!r}")
    return text


def cutoff_week(text: str) -> int:
    """A week of the quarter, 1 to 13 (13: the last, to the quarter's end)."""
    if not text.strip().isdigit() or not 1 <= int(text) <= 13:
        raise ValueError(f"{text!r} is not a week of the quarter: give 1 to 13 (13 = the "
                         "last week)")
    return int(text)


def parse_rates(text: str) -> dict[str, float]:
    """{"EUR": 1.08, ...} from "EUR=1.08, GBP=1.27" (ValueError when it is not that)."""
    rates = {}
    for part in filter(None, (part.strip() for part in text.replace(";", ",").split(","))):
        code, _, rate = part.partition("=")
        code = code.strip().upper()
        try:
            value = float(rate)
        except ValueError:
            value = 0.0
        if len(code) != 3 or not code.isalpha() or not value > 0:
            raise ValueError(f"fx_rates: {part!r} is not CODE=RATE, e.g. EUR=1.08 (one EUR "
                             "in the store's currency)")
        rates[code] = value
    return rates


def _rates(text: str) -> str:
    return ", ".join(f"{code}={rate:g}" for code, rate in parse_rates(text).items())


def _host(text: str) -> str:
    if text and not re.fullmatch(r"[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\]", text):
        raise ValueError(f"smtp_host must be a host name or address, not {text!r}")
    return text


def _port(text: str) -> str:
    if not text.strip().isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(f"smtp_port must be a port number from 1 to 65535, not {text!r}")
    return str(int(text))


def _yes_no(text: str) -> str:
    if text.strip().lower() not in ("true", "false"):
        raise ValueError(f"smtp_starttls must be true or false, not {text!r}")
    return text.strip().lower()


def _address(text: str) -> str:
    if text and not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", text):
        raise ValueError(f"digest_from must be an email address, not {text!r}")
    return text


def _user(text: str) -> str:
    if re.search(r"\s", text):
        raise ValueError("smtp_user must not contain spaces")
    return text


def _week(text: str) -> str:
    return str(cutoff_week(text))


def _model(text: str) -> str:
    return attribution.model_name(text)


def _half_life(text: str) -> str:
    try:
        days = float(text)
    except ValueError:
        days = 0
    if not 0 < days <= 3650:
        raise ValueError("attribution_half_life_days must be a number of days above 0 and at "
                         f"most 3650, not {text!r}")
    return f"{days:g}"


# The SLA is agreed between marketing and sales in the planning meeting; the rest shape
# every figure (fiscal year, currency, look-back) and are the admin's.
PLANNER_SETTINGS = {"sla_hours"}
EDITABLE = {"fiscal_year_start_month": _month, "currency": _currency, "sla_hours": _hours,
            "lookback_quarters": _quarters, "app_url": _url,
            "forecast_cutoff_week": _week, "fx_rates": _rates, "smtp_host": _host,
            "smtp_port": _port, "smtp_starttls": _yes_no, "smtp_user": _user,
            "digest_from": _address, "attribution_model": _model,
            "attribution_half_life_days": _half_life}


def as_texts(config: Settings) -> dict[str, str]:
    """The editable settings as they are stored: what a form starts from."""
    return {key: validate(str(getattr(config, key))) for key, validate in EDITABLE.items()}


def change(connection: duckdb.DuckDBPyConnection, key: str, text: str) -> str:
    """Validate and store one setting in one audited transaction; returns the stored value."""
    return change_many(connection, {key: text})[key]


def change_many(connection: duckdb.DuckDBPyConnection, texts: dict[str, str]) -> dict[str, str]:
    """Validate and store settings in one audited transaction, all or none (ValueError names
    every bad one); returns the stored values."""
    unknown = [key for key in texts if key not in EDITABLE]
    if unknown:
        raise ValueError(f"{', '.join(map(repr, unknown))} is not a setting you can change "
                         f"(settings: {', '.join(EDITABLE)})")
    needed = Role.PLANNER if set(texts) <= PLANNER_SETTINGS else Role.ADMIN
    actor = identity.require(needed, f"changing {', '.join(texts)}").audit_name
    values, problems = {}, []
    for key, text in texts.items():
        try:
            values[key] = EDITABLE[key](text.strip())
        except ValueError as error:
            problems.append(str(error))
    if problems:
        raise ValueError("; ".join(problems))

    def work(cursor):
        before = dict(sql.frame(cursor, "settings").itertuples(index=False, name=None))
        for key, value in values.items():
            sql.execute(cursor, "upsert_setting", key=key, value=value)
            sql.execute(cursor, "insert_audit", at=clock.now(), actor=actor,
                        action="setting.change", entity="settings", entity_id=key,
                        before=None if before.get(key) is None else json.dumps(before[key]),
                        after=json.dumps(value))
        if "attribution_half_life_days" in values:  # time decay's credits follow it
            summaries.refresh(cursor, ["settings"])

    store.write(connection, work)
    return values
