"""Sign-in and roles: who gets which role from an ID token's claims, every write function
refusing a role below its own (and writing nothing), the role matrix of the pages with
AppTest (`at.user`), the bad-input cases, local mode, and no cached result that depends on
who is looking."""

from __future__ import annotations

import ast
import datetime as dt
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_app import PLAN_RATES, Q3_FILTERS

from conftest import AS_OF
from relay import (
    PROJECT_ROOT,
    campaigns,
    forecasting,
    goals,
    identity,
    importing,
    layouts,
    settings,
    store,
)
from relay.fiscal import Quarter
from relay.identity import Actor, ActorKind, Role
from relay.ui import data, signin

# Goal writes refuse closed quarters by today's date: today is the fixture's AS_OF.
pytestmark = pytest.mark.usefixtures("fixture_today")

TIMEOUT = 60
PAGES = ["app_pages/overview.py", "app_pages/forecast.py", "app_pages/goals.py",
         "app_pages/funnel.py", "app_pages/sla.py", "app_pages/campaigns.py",
         "app_pages/calendar.py", "app_pages/planner.py", "app_pages/data.py"]
# Shaped like a real provider's section; nothing is fetched from it in AppTest.
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-only, but as long as a real one must be",
        "client_id": "relay", "client_secret": "test-only",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
ROLES = {
    "groups_claim": "groups",
    "emails": {"mia@example.com": "planner", "root@example.com": "admin",
               "demoted@example.com": "viewer"},
    "domains": {"example.com": "rep"},
    "groups": {"board": "viewer", "RevOps": "admin"},
}
SECRETS = {"auth": AUTH, "roles": ROLES}
NOW = 1_800_000_000.0
# One person per role, as the fixture store knows them (Ann Rep is P2, Mia Manager P1).
PEOPLE = {
    Role.VIEWER: {"email": "eve@board.org", "name": "Eve Board", "groups": ["board"]},
    Role.REP: {"email": "ann@example.com", "name": "Ann Rep"},
    Role.PLANNER: {"email": "mia@example.com", "name": "Mia Manager"},
    Role.ADMIN: {"email": "root@example.com", "name": "Rita Root"},
}


def claims(iat: float = NOW, **given) -> dict:
    return {"is_logged_in": True, "iat": iat, "email_verified": True, **given}


def rules(**roles) -> identity.AccessRules:
    return identity.rules_from({"auth": AUTH, "roles": {**ROLES, **roles}})


# -- Who gets which role ---------------------------------------------------------------------

@pytest.mark.parametrize("given, role", [
    ({"email": "ann@example.com"}, Role.REP),  # by domain
    ({"email": "Mia@Example.com"}, Role.PLANNER),  # by email, any case
    ({"email": "root@example.com"}, Role.ADMIN),
    ({"email": "demoted@example.com"}, Role.VIEWER),  # an email rule may lower the domain's
    ({"email": "ops@partner.org", "groups": ["revops"]}, Role.ADMIN),  # by group
    ({"email": "ann@example.com", "groups": ["RevOps"]}, Role.ADMIN),  # the highest match
    ({"email": "eve@board.org", "groups": "board"}, Role.VIEWER),  # a claim of one string
])
def test_roles_come_from_emails_domains_and_groups(given, role):
    actor = identity.signed_in(claims(**given), rules(), NOW)
    assert (actor.role, actor.how, actor.problem) == (role, ActorKind.SIGNED_IN, None)
    assert actor.audit_name == given["email"]


def test_the_groups_claim_is_configurable():
    user = claims(email="kim@partner.org", roles=["revops"])
    assert identity.signed_in(user, rules(), NOW).role == Role.VIEWER  # default, unlisted
    assert identity.signed_in(user, rules(groups_claim="roles"), NOW).role == Role.ADMIN


@pytest.mark.parametrize("default, role", [("viewer", Role.VIEWER), ("none", None)])
def test_someone_no_rule_names_gets_the_default_and_is_told(default, role):
    actor = identity.signed_in(claims(email="stranger@else.org"), rules(default=default), NOW)
    assert actor.role == role
    assert "No role is given to stranger@else.org" in actor.problem


@pytest.mark.parametrize("given, says", [
    ({"name": "No Mail", "groups": ["revops"]}, "carried no email address"),
    ({"email": "", "sub": "abc"}, "carried no email address"),
    ({"email": "root@example.com", "email_verified": False}, "has not verified"),
    ({"email": "root@example.com", "email_verified": "false"}, "has not verified"),
    ({"email": "root@example.com", "email_verified": None}, "did not say whether"),
])
def test_without_a_verified_email_nobody_gets_more_than_viewer(given, says):
    actor = identity.signed_in({**claims(), **given}, rules(), NOW)
    assert actor.role == Role.VIEWER and actor.email is None and says in actor.problem
    assert identity.signed_in({**claims(), **given}, rules(default="none"), NOW).role is None


@pytest.mark.parametrize("hours_ago, session_hours, how", [
    (11.9, 12, ActorKind.SIGNED_IN),
    (12.1, 12, ActorKind.EXPIRED),
    (12.1, 24, ActorKind.SIGNED_IN),
    (None, 12, ActorKind.EXPIRED),  # an ID token always says when it was issued
])
def test_a_sign_in_expires_after_the_session_hours(hours_ago, session_hours, how):
    iat = None if hours_ago is None else NOW - hours_ago * 3600
    actor = identity.signed_in(claims(iat=iat, email="ann@example.com"),
                               rules(session_hours=session_hours), NOW)
    assert actor.how is how
    assert actor.role == (None if how is ActorKind.EXPIRED else Role.REP)


def test_an_email_without_a_verified_claim_counts_only_when_the_admin_says_so():
    entra = {"is_logged_in": True, "iat": NOW, "email": "root@example.com"}  # no such claim
    assert identity.signed_in(entra, rules(), NOW).role == Role.VIEWER
    trusting = rules(accept_email_without_verified_claim=True)
    assert identity.signed_in(entra, trusting, NOW).role == Role.ADMIN
    refused = {**entra, "email_verified": False}  # an explicit no is never trusted
    assert identity.signed_in(refused, trusting, NOW).role == Role.VIEWER


def test_signed_out():
    assert identity.signed_in({"is_logged_in": False}, rules(), NOW).how is ActorKind.SIGNED_OUT


@pytest.mark.parametrize("secrets, says", [
    ({"roles": {"default": "planner"}}, 'default = \'planner\': it can be "viewer" or "none"'),
    ({"roles": {"emails": {"a@b.c": "boss"}}}, "[roles.emails] 'a@b.c': 'boss' is not a role"),
    ({"roles": {"emails": ["a@b.c"]}}, "[roles.emails] must be a table"),
    ({"roles": {"session_hours": "soon"}}, "session_hours = 'soon'"),
    ({"local": {"role": "owner"}}, "[local] role: 'owner' is not a role"),
    ({"roles": {"session_hours": True}}, "session_hours = True"),
    ({"roles": {"accept_email_without_verified_claim": "yes"}}, "use true or false"),
    # An [auth] there but unusable never means "no sign-in".
    ({"auth": {}}, "[auth] is missing redirect_uri, cookie_secret, client_id"),
    ({"auth": "google"}, "auth must be a table"),
    ({"auth": {**AUTH, "client_id": ""}}, "[auth] is missing client_id"),
    ({"auth": {"redirect_uri": "x", "cookie_secret": "y", "okta": {"client_id": "a"}}},
     "missing [auth.okta] client_secret, [auth.okta] server_metadata_url"),
])
def test_a_broken_configuration_says_what_and_where(secrets, says):
    with pytest.raises(identity.AccessConfigError, match="secrets.toml") as refused:
        identity.rules_from(secrets)
    assert says in str(refused.value)


@pytest.mark.parametrize("secret, says", [
    (identity.EXAMPLE_COOKIE_SECRET, "[auth] cookie_secret is the example file's"),
    (f"  {identity.EXAMPLE_COOKIE_SECRET} ", "[auth] cookie_secret is the example file's"),
    ("", "[auth] is missing cookie_secret"),
    ("   ", "[auth] cookie_secret is empty"),
    ("a" * 31, "[auth] cookie_secret has 31 characters"),
    (" " + "a" * 31 + " ", "[auth] cookie_secret has 31 characters"),
    (12345678901234567890123456789012345, "[auth] cookie_secret is not text"),
])
def test_the_cookie_secret_must_be_ones_own_and_at_least_32_characters(secret, says):
    with pytest.raises(identity.AccessConfigError) as refused:
        identity.rules_from({"auth": {**AUTH, "cookie_secret": secret}})
    message = str(refused.value)
    assert message.startswith(f"{identity.SECRETS_FILE} {says}")
    assert identity.MAKE_A_SECRET in message
    if "missing" not in says:
        assert "at least 32 characters" in message
    assert identity.rules_from({"auth": {**AUTH, "cookie_secret": "a" * 32}}).sign_in


def test_client_kwargs_are_settings_of_the_provider_not_a_provider():
    auth = {**AUTH, "client_kwargs": {"prompt": "login"}}
    assert identity.rules_from({"auth": auth}).providers == ()
    named = {**AUTH, "okta": {k: AUTH[k] for k in identity.PROVIDER_KEYS}}
    assert identity.rules_from({"auth": named}).providers == ("okta",)


def test_a_secrets_file_that_does_not_parse_stops_rather_than_turning_sign_in_off(
        tmp_path, monkeypatch):
    import streamlit as st
    from streamlit.runtime.secrets import Secrets
    from streamlit.testing.v1.util import patch_config_options

    broken = tmp_path / "secrets.toml"
    broken.write_text('[auth]\nredirect_uri = "http://localhost:8501/oauth2callback\n')
    with patch_config_options({"secrets.files": [str(broken)]}):
        monkeypatch.setattr(st, "secrets", Secrets())
        with pytest.raises(identity.AccessConfigError, match="secrets.toml cannot be read"):
            signin.dashboard_rules()
    with patch_config_options({"secrets.files": [str(tmp_path / "none.toml")]}):
        monkeypatch.setattr(st, "secrets", Secrets())
        assert signin.dashboard_rules() == identity.AccessRules()  # no file: local mode


def test_a_dashboard_thread_no_session_runs_acts_for_nobody(monkeypatch):
    from streamlit import runtime

    monkeypatch.setattr(runtime, "exists", lambda: True)
    assert identity.current().role is None
    with identity.acting_as(identity.command_line("ops.cron")):  # the inbox worker's job
        assert identity.current().role == Role.ADMIN


def test_a_dashboard_thread_acts_for_nobody_before_the_ui_says_how_to_tell(monkeypatch):
    # Unregistered (relay.ui not loaded yet), a Streamlit process must not fall back to the
    # command line's admin.
    from streamlit import runtime

    monkeypatch.setattr(runtime, "exists", lambda: True)
    monkeypatch.setattr(identity, "_dashboard_actor", identity._no_dashboard)
    assert identity.current() == Actor("a dashboard thread", None, how=ActorKind.NO_SESSION)
    monkeypatch.setattr(runtime, "exists", lambda: False)
    assert identity.current().how is ActorKind.COMMAND_LINE


def test_without_auth_it_is_local_mode_as_a_planner_by_default():
    assert identity.rules_from({}) == identity.AccessRules()
    assert identity.rules_from({}).local_role == Role.PLANNER
    local = identity.local(identity.rules_from({"local": {"role": "rep", "name": "Ann Rep"}}))
    assert (local.role, local.how, local.audit_name) == (Role.REP, ActorKind.LOCAL, "Ann Rep")


def test_outside_the_dashboard_the_command_line_acts_with_every_right(monkeypatch):
    monkeypatch.setenv("RELAY_USER", "ops.cron")
    assert identity.current() == Actor("ops.cron", Role.ADMIN, how=ActorKind.COMMAND_LINE)
    with identity.acting_as(Actor("Ann Rep", Role.REP, "ann@example.com", ActorKind.SIGNED_IN)):
        assert identity.acting_user() == "ann@example.com"
    assert identity.acting_user() == "ops.cron"


# -- Every write function checks the role itself -------------------------------------------

def _goal(connection) -> tuple[int, int]:
    return connection.execute("select goal_id, version from goals where quarter = '2026-Q3'"
                              " and metric = 'revenue' and region is null").fetchall()[0]


CAMPAIGN = {"name": "Autumn push", "channel": "Webinar", "status": "planned", "region": "NA",
            "segment": "SMB", "start_date": dt.date(2026, 9, 1),
            "end_date": dt.date(2026, 9, 30), "budget": "1000", "expected_leads": "10",
            "actual_cost": "", "owner_id": "P4", "description": ""}
WRITES = {
    "goals.save_targets": (Role.PLANNER, lambda c: goals.save_targets(
        c, [goals.TargetEdit(*_goal(c), 250_000)])),
    "goals.add_goal": (Role.PLANNER, lambda c: goals.add_goal(
        c, "2026-Q3", "pipeline", "EMEA", None, 90_000, "shared")),
    "goals.copy_from_previous": (Role.PLANNER, lambda c: goals.copy_from_previous(
        c, "2026-Q4", 10)),
    "goals.save_plan": (Role.PLANNER, lambda c: goals.save_plan(
        c, "2026-Q3", None, None, {"revenue": 300_000}, {"revenue": _goal(c)[1]})),
    "goals.sign_off": (Role.PLANNER, lambda c: goals.sign_off(
        c, "2026-Q3", "sales", goals.revision(c.cursor(), "2026-Q3"))),
    "campaigns.create": (Role.PLANNER, lambda c: campaigns.create(c, CAMPAIGN)),
    "campaigns.update": (Role.PLANNER, lambda c: campaigns.update(
        c, "C2", 1, {**CAMPAIGN, "name": "EMEA event, renamed"})),
    "settings.change sla_hours": (Role.PLANNER, lambda c: settings.change(c, "sla_hours", "12")),
    "settings.change currency": (Role.ADMIN, lambda c: settings.change(c, "currency", "EUR")),
    "forecasting.submit": (Role.REP, lambda c: forecasting.submit(
        c, Quarter(2026, 3), "P2", 40_000, 50_000, 1)),
    "importing.run": (Role.ADMIN, lambda c: importing.run(
        c, PROJECT_ROOT / "data" / "samples" / "hubspot-deals.csv", "deals")),
    "layouts.save_mapping": (Role.ADMIN, lambda c: layouts.save_mapping(
        c, "pipedrive", "deals", {"deal_id": "Deal ID"}, "iso")),
    "layouts.save_stage_mapping": (Role.ADMIN, lambda c: layouts.save_stage_mapping(
        c, layouts.stage_mapping(c.cursor()), layouts.stage_mapping(c.cursor()))),
}


def _audit(connection) -> list[tuple]:
    return connection.execute('select actor, action from audit_log order by "at"').fetchall()


@pytest.mark.parametrize("name", list(WRITES))
def test_every_write_function_refuses_a_role_below_its_own(fixture_path, monkeypatch, name):
    monkeypatch.setenv("RELAY_TODAY", AS_OF.isoformat())
    needed, write = WRITES[name]
    connection = store.open_store(fixture_path)
    tables = ["goals", "campaigns", "settings", "forecast_submissions", "deals",
              "import_mappings", "stage_mappings", "audit_log", "plan_signoffs", "import_runs"]

    def contents():
        return {table: connection.execute(f"select * from {table} order by all").fetchall()
                for table in tables}

    before = contents()
    for role in Role:
        person = PEOPLE[role]
        actor = Actor(person["name"], role, person["email"], ActorKind.SIGNED_IN)
        if role < needed:
            with identity.acting_as(actor), pytest.raises(PermissionError) as refused:
                write(connection)
            assert f"needs the {needed} role" in str(refused.value)
            assert f"{person['email']} has the {role} role" in str(refused.value)
            assert contents() == before, f"{name} wrote something for a {role}"
    lowest = PEOPLE[needed]
    with identity.acting_as(Actor(lowest["name"], needed, lowest["email"], ActorKind.SIGNED_IN)):
        write(connection)
    after = contents()
    assert after != before and lowest["email"] in str(after)  # written, in their name
    connection.close()


def test_nobody_without_access_writes(fixture_path):
    connection = store.open_store(fixture_path)
    with identity.acting_as(Actor("Stranger", None, "s@else.org", ActorKind.SIGNED_IN)):
        with pytest.raises(PermissionError, match="s@else.org has no access"):
            goals.add_goal(connection, "2026-Q3", "pipeline", None, None, 1, "shared")
    assert _audit(connection) == []
    connection.close()


def test_a_rep_submits_only_their_own_forecast(fixture_path, monkeypatch):
    monkeypatch.setenv("RELAY_TODAY", AS_OF.isoformat())
    connection = store.open_store(fixture_path)
    ann = Actor("Ann Rep", Role.REP, "ann@example.com", ActorKind.SIGNED_IN)
    with identity.acting_as(ann), pytest.raises(PermissionError, match="not Bob Rep's"):
        forecasting.submit(connection, Quarter(2026, 3), "P3", 1, 2, 1)
    with identity.acting_as(ann):
        forecasting.submit(connection, Quarter(2026, 3), "P2", 1, 2, 1)
    # A planner enters a call phoned in by a rep; the audit log says who typed it.
    mia = Actor("Mia Manager", Role.PLANNER, "mia@example.com", ActorKind.SIGNED_IN)
    with identity.acting_as(mia):
        forecasting.submit(connection, Quarter(2026, 3), "P3", 3, 4, 1)
    assert connection.execute(
        "select actor, entity_id from audit_log where action = 'forecast.submit' order by \"at\""
    ).fetchall() == [("ann@example.com", "2026-Q3/P2"), ("mia@example.com", "2026-Q3/P3")]
    connection.close()


# -- The pages, role by role ----------------------------------------------------------------

def signed_in_app(person: dict, page: str | None = None, query: dict | None = None,
                  secrets: dict | None = None, state: dict | None = None, **extra) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.secrets = secrets or SECRETS
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.user = {**claims(iat=time.time()), **person, **extra}
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(page).run() if page else at


def reachable(at: AppTest) -> list[str]:
    """The pages the navigation offers: AppTest switches only to registered ones, as a
    browser opens only those by address."""
    found = []
    for path in PAGES:
        try:
            at.switch_page(path)
        except ValueError:
            continue
        found.append(path)
    return found


def assert_no_page_runs(at: AppTest) -> None:
    """Opening any page by its address shows the same screen: no page runs before the gate
    lets someone in."""
    def screen():
        return (texts(at.title), labels(at), texts(at.warning), texts(at.error),
                len(at.metric), len(at.dataframe))

    shown = screen()
    for path in PAGES:
        at.switch_page(path).run()
        assert screen() == shown


def texts(elements) -> str:
    return " ".join(str(element.value).replace("\\", "") for element in elements)


def labels(at: AppTest) -> set[str]:
    return {button.label for button in at.button}


@pytest.mark.parametrize("role", list(Role))
def test_the_role_matrix_of_the_pages(app_env, handoff_path, role):
    app_env(handoff_path, AS_OF)
    person = PEOPLE[role]
    at = signed_in_app(person)
    assert not at.exception
    assert f"**{role}**" in texts(at.sidebar.markdown) and person["name"] in texts(
        at.sidebar.markdown)
    assert "Sign out" in labels(at)
    assert reachable(at) == (PAGES if role == Role.ADMIN else PAGES[:-1])

    goals_page = signed_in_app(person, "app_pages/goals.py", {"quarter": "2026-Q3"})
    planner = role >= Role.PLANNER
    assert not goals_page.exception
    assert ("Save changes" in labels(goals_page)) == planner
    assert ({"Sign off as marketing lead", "Sign off as sales lead"} <= labels(
        goals_page)) == planner
    assert ("Add to 2026-Q3" in labels(goals_page)) == planner
    if not planner:
        assert f"A planner edits goals and signs the plan off here; you have the {role} " \
               "role." in texts(goals_page.caption)
        shared = goals_page.dataframe[0].value.set_index("goal")["target"]
        assert shared["Closed-won revenue · company-wide"] == 200_000

    forecast_page = signed_in_app(person, "app_pages/forecast.py", {"quarter": "2026-Q3"})
    assert ("Submit a forecast" in [tab.label for tab in forecast_page.tabs]) == (
        role >= Role.REP)
    if role >= Role.REP:  # the form is drawn when its tab is open
        forecast_page = signed_in_app(person, "app_pages/forecast.py",
                                      {"quarter": "2026-Q3", "tab": "Submit a forecast"})
    if role == Role.REP:  # their own call only: the form offers nobody else
        assert [box.options for box in forecast_page.selectbox
                if box.label == "Forecast of"] == [["Ann Rep"]]
    if role == Role.PLANNER:
        assert [box.options for box in forecast_page.selectbox if box.label == "Forecast of"
                ] == [["Ann Rep", "Bob Rep", "Mia Manager (team call)"]]

    sla_page = signed_in_app(person, "app_pages/sla.py", {"quarter": "2026-Q3"})
    headings = texts(sla_page.subheader)
    if role == Role.VIEWER:
        assert "first touch (" not in headings and not any(
            "lead_id" in frame.value.columns for frame in sla_page.dataframe)
    elif role == Role.REP:  # Ann's own waiting MQL, L7, and no choice of rep
        assert "Your leads waiting for a first touch (1)" in headings
        assert sla_page.dataframe[0].value["lead_id"].tolist() == ["L7"]
        assert not [box for box in sla_page.selectbox if box.key == "rep"]
    else:
        assert "Waiting for a first touch (1)" in headings
        assert sla_page.selectbox(key="rep").options[0] == "All reps"
    assert ("Save the SLA" in labels(sla_page)) == planner
    assert next(card.value for card in sla_page.metric if card.label == "Open breaches") == "1"

    calendar_page = signed_in_app(person, "app_pages/calendar.py",
                                  {"from": "2026-07-01", "to": "2026-09-30"})
    assert ("Add campaign" in labels(calendar_page)) == planner
    plan_page = signed_in_app(person, "app_pages/planner.py", {"quarter": "2026-Q3"},
                              state={f"planner_overrides_{Q3_FILTERS}": PLAN_RATES})
    assert ("Save the plan as 2026-Q3 goals" in labels(plan_page)) == planner


def test_a_rep_the_store_does_not_know_sees_no_leads(app_env, handoff_path):
    app_env(handoff_path, AS_OF)
    at = signed_in_app({"email": "new.hire@example.com", "name": "New Hire"},
                       "app_pages/sla.py", {"quarter": "2026-Q3"})
    assert "Your leads waiting for a first touch (0)" in texts(at.subheader)
    assert "No MQL in the store is owned by you (new.hire@example.com)" in texts(at.caption)
    forecast_page = signed_in_app({"email": "new.hire@example.com", "name": "New Hire"},
                                  "app_pages/forecast.py",
                                  {"quarter": "2026-Q3", "tab": "Submit a forecast"})
    assert "No one who calls a forecast in the store is you (new.hire@example.com)" in texts(
        forecast_page.info)
    # Bob Rep is in the store and owns MQLs, but none waiting in 2026-Q3.
    bob = signed_in_app({"email": "bob@example.com", "name": "Bob Rep"}, "app_pages/sla.py",
                        {"quarter": "2026-Q3"})
    assert "Your leads waiting for a first touch (0)" in texts(bob.subheader)
    assert "No MQL in the store is owned by you" not in texts(bob.caption)


def test_a_planners_goal_edit_is_audited_in_their_email(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = signed_in_app(PEOPLE[Role.PLANNER], "app_pages/goals.py", {"quarter": "2026-Q3"})
    [box for box in at.selectbox if box.label == "Metric"][0].select("pipeline")
    [field for field in at.text_input if field.label == "Target"][0].input("90000")
    [button for button in at.button if button.label == "Add to 2026-Q3"][0].click().run()
    assert "Added the pipeline goal to 2026-Q3." in texts(at.success)
    at.button(key="goals_sign_sales").click().run()
    assert "agreed by mia@example.com" in texts(at.markdown)
    connection = store.open_store(fixture_path)
    assert _audit(connection) == [("mia@example.com", "goal.create"),
                                  ("mia@example.com", "plan.sign_off")]
    connection.close()


# -- Bad input --------------------------------------------------------------------------------

def _nothing_written(path: Path) -> None:
    connection = store.open_store(path)
    assert _audit(connection) == []
    connection.close()


def test_a_forged_role_in_the_address_is_refused(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = signed_in_app(PEOPLE[Role.REP], query={"role": "admin"})
    assert "The address asks for the role 'admin', which is ignored" in texts(at.warning)
    assert "You have the rep role." in texts(at.warning)
    assert "role" not in at.query_params
    assert "app_pages/data.py" not in reachable(at)
    _nothing_written(fixture_path)


def test_a_token_without_an_email_reads_only(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = signed_in_app({"name": "No Mail", "sub": "u-17", "groups": ["RevOps"]},
                       "app_pages/goals.py")
    assert "carried no email address" in texts(at.warning)
    assert "Save changes" not in labels(at) and "Add to 2026-Q3" not in labels(at)
    assert "**viewer**" in texts(at.sidebar.markdown)
    _nothing_written(fixture_path)


def test_a_user_in_no_role_is_shut_out_when_so_configured(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = signed_in_app({"email": "stranger@else.org", "name": "Stranger"},
                       secrets={"auth": AUTH, "roles": {**ROLES, "default": "none"}})
    assert "No role is given to stranger@else.org" in texts(at.error)
    assert [title.value for title in at.title] == ["Revenue Relay"]
    assert labels(at) == {"Sign out"} and not at.metric
    assert_no_page_runs(at)
    viewer = signed_in_app({"email": "stranger@else.org", "name": "Stranger"})
    assert "No role is given to stranger@else.org: you can read" in texts(viewer.warning)
    assert len(viewer.metric) > 0
    _nothing_written(fixture_path)


def test_an_expired_sign_in_must_sign_in_again(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = signed_in_app(PEOPLE[Role.ADMIN], iat=time.time() - 13 * 3600)
    assert "Your sign-in has expired (sign-ins last 12 hours)" in texts(at.warning)
    assert labels(at) == {"Sign in"} and not at.metric
    assert_no_page_runs(at)
    _nothing_written(fixture_path)


def test_signed_out_sees_only_the_sign_in(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.secrets = {"auth": {**AUTH, "google": {"client_id": "x", "client_secret": "y",
                                              "server_metadata_url": "http://127.0.0.1:9/"}},
                  "roles": ROLES}
    at.user = {"is_logged_in": False}
    at.run()
    assert labels(at) == {"Sign in with Google"} and not at.metric and not at.sidebar.markdown


def test_a_broken_role_configuration_stops_the_app_with_where(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = signed_in_app(PEOPLE[Role.ADMIN],
                       secrets={"auth": AUTH, "roles": {"emails": {"x@y.z": "boss"}}})
    assert "[roles.emails] 'x@y.z': 'boss' is not a role" in texts(at.error)
    assert not at.metric
    assert_no_page_runs(at)


# -- Local mode -------------------------------------------------------------------------------

def local_app(local: dict, page: str | None = None, **context) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.secrets = {"local": local}
    at.context = context
    at.run()
    return at.switch_page(page).run() if page else at


def test_local_mode_is_marked_and_acts_as_a_planner_by_default(app_env, fixture_path,
                                                               monkeypatch):
    app_env(fixture_path, AS_OF)
    monkeypatch.setenv("RELAY_USER", "pat.planner")
    at = local_app({}, "app_pages/goals.py")
    assert "Local mode — no sign-in" in texts(at.sidebar.markdown)
    assert "Acting as pat.planner, planner" in texts(at.sidebar.caption)
    assert "Save changes" in labels(at) and "Sign out" not in labels(at)
    assert "app_pages/data.py" not in reachable(at)
    # Served on loopback: no warning that the network reaches it (the page's own caveats
    # about its figures may still be there).
    assert "without sign-in" not in texts(at.warning)
    rep = local_app({"role": "rep", "name": "Ann Rep"}, "app_pages/goals.py")
    assert "Acting as Ann Rep, rep" in texts(rep.sidebar.caption)
    assert "Save changes" not in labels(rep)


def test_local_mode_warns_when_reached_from_the_network(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = local_app({}, url="http://10.20.30.40:8501/goals")
    assert "Served on 10.20.30.40 without sign-in: anyone who can reach this address can " \
           "change the shared numbers" in texts(at.warning)
    assert "without sign-in" not in texts(local_app({}, url="http://localhost:8501/").warning)


# -- Caches -----------------------------------------------------------------------------------

def test_no_cached_result_depends_on_who_is_looking():
    """st.cache_data shares a result with every session: a cached function must not ask who
    is acting, or one person's view would be served to another."""
    personal = {"identity", "me", "may", "user", "acting_user", "current", "needs_role"}
    offenders = []
    # rglob: a module moved into a sub-package (relay/ui/, relay/views/) is checked too.
    for path in [*(PROJECT_ROOT / "relay").rglob("*.py"), *(PROJECT_ROOT / "app_pages").rglob(
            "*.py")]:
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            cached = any("cache_data" in ast.unparse(decorator)
                         for decorator in function.decorator_list)
            named = {node.attr for node in ast.walk(function) if isinstance(node, ast.Attribute)}
            named |= {node.id for node in ast.walk(function) if isinstance(node, ast.Name)}
            if cached and named & personal:
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{function.name}")
    assert offenders == []


def test_the_example_secrets_are_what_the_readme_says():
    import tomllib

    example = tomllib.loads((PROJECT_ROOT / ".streamlit" / "secrets.toml.example").read_text())
    # Copied as it is, the example signs nobody in: its cookie secret is public.
    with pytest.raises(identity.AccessConfigError, match="cookie_secret is the example"):
        identity.rules_from(example)
    example["auth"]["cookie_secret"] = "0" * 64  # as the administrator's own would be
    assert identity.rules_from(example).sign_in
    example_rules = identity.rules_from(example)
    for email, groups, role in [("ana.ops@example.com", [], Role.ADMIN),
                                ("lee.cmo@example.com", [], Role.PLANNER),
                                ("sam@sales.example.com", [], Role.REP),
                                ("kim@example.com", ["revenue-planning"], Role.PLANNER),
                                ("guest@elsewhere.org", [], Role.VIEWER)]:
        user = claims(email=email, groups=groups)
        assert identity.signed_in(user, example_rules, NOW).role == role, email
    assert (PROJECT_ROOT / ".gitignore").read_text().count(".streamlit/secrets.toml\n") == 1


def test_the_server_configuration_keeps_its_protections():
    import tomllib

    server = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())["server"]
    assert server["enableXsrfProtection"] is True and server["enableCORS"] is True
    # Uploads: no larger than the largest file an import takes.
    assert server["maxUploadSize"] * 2**20 == importing.MAX_FILE_BYTES
    assert server["address"] == "127.0.0.1"  # local mode is for this machine only
    assert server["allowedHosts"] == ["localhost", "127.0.0.1", "::1"]


def test_local_mode_warns_when_served_on_every_interface(app_env, fixture_path):
    from streamlit.testing.v1.util import patch_config_options

    app_env(fixture_path, AS_OF)
    with patch_config_options({"server.address": "0.0.0.0"}):
        at = local_app({"role": "rep"})
    assert "Served on 0.0.0.0 without sign-in: anyone who can reach this address can change " \
           "the shared numbers as" in texts(at.warning)
    with patch_config_options({"server.address": ""}):  # Streamlit's default: all of them
        at = local_app({"role": "viewer"})
    assert "Served on every network interface without sign-in: anyone who can reach this " \
           "address can read everything" in texts(at.warning)


def test_an_admin_changes_settings_all_or_none(app_env, fixture_path):
    app_env(fixture_path, AS_OF)
    at = signed_in_app(PEOPLE[Role.ADMIN], "app_pages/data.py")
    assert set(data.SETTING_FIELDS) == set(settings.EDITABLE)
    at.text_input(key="data_setting_currency").input("euro")
    at.text_input(key="data_setting_fiscal_year_start_month").input("13")
    at.text_input(key="data_setting_lookback_quarters").input("3")
    at.button(key="FormSubmitter:data_settings-Save settings").click().run()
    refused = texts(at.error)
    assert "currency must be a three-letter ISO code" in refused
    assert "fiscal_year_start_month must be a month number from 1 to 12, not '13'" in refused
    _nothing_written(fixture_path)
    at.text_input(key="data_setting_currency").input("EUR")
    at.text_input(key="data_setting_fiscal_year_start_month").input("1")
    at.button(key="FormSubmitter:data_settings-Save settings").click().run()
    assert "Saved currency, lookback_quarters (recorded in the audit log)." in texts(at.success)
    connection = store.open_store(fixture_path)
    assert connection.execute(
        "select actor, entity_id, after from audit_log order by entity_id").fetchall() == [
        ("root@example.com", "currency", '"EUR"'), ("root@example.com", "lookback_quarters",
                                                    '"3"')]
    connection.close()


WRITING = ("store.write(", "_write(", "_change_quarter(", '"insert_', '"update_', '"upsert_',
           '"delete_', "begin transaction")
# Writers that no dashboard user reaches: the store's own upkeep and the demo builder, run
# from the command line (which acts with every right) or when the store is opened.
UPKEEP = {"store.py", "summaries.py", "demo.py", "cli.py"}


def test_every_public_write_function_in_relay_checks_the_role():
    """A new write function that forgets identity.require fails here, not in production."""
    unguarded = []
    for path in sorted((PROJECT_ROOT / "relay").rglob("*.py")):  # sub-packages too
        if path.parent.name == "relay" and path.name in UPKEEP:
            continue
        tree = ast.parse(path.read_text())
        for function in tree.body:
            if not isinstance(function, ast.FunctionDef) or function.name.startswith("_"):
                continue
            body = ast.unparse(function)
            guarded = "identity.require(" in body or "_planner(" in body
            delegated = any(f"{module}.{name}(" in body for module, name in (
                ("importing", "run"), ("settings", "change_many"), ("goals", "save_targets")))
            if any(marker in body for marker in WRITING) and not guarded and not delegated:
                unguarded.append(f"{path.relative_to(PROJECT_ROOT)}:{function.name}")
    assert unguarded == []


def test_one_reps_cached_lead_list_is_never_shown_to_another(app_env, handoff_path):
    app_env(handoff_path, AS_OF)
    query = {"quarter": "2026-Q3"}
    for person, leads in [(PEOPLE[Role.REP], ["L7"]),
                          ({"email": "bob@example.com", "name": "Bob Rep"}, []),
                          (PEOPLE[Role.REP], ["L7"])]:
        at = signed_in_app(person, "app_pages/sla.py", query)
        assert at.dataframe[0].value["lead_id"].tolist() == leads, person["email"]
