"""The dashboard's pages, in navigation order: what dashboard.py routes to and what the
benchmark visits, with the role each needs."""

from __future__ import annotations

from dataclasses import dataclass

from relay.identity import Role


@dataclass(frozen=True)
class Page:
    path: str  # relative to the project root, as st.Page and AppTest.switch_page take it
    title: str
    icon: str
    role: Role = Role.VIEWER  # the least role that may open it

    @property
    def name(self) -> str:
        """The short name: 'overview' for app_pages/overview.py."""
        return self.path.rsplit("/", 1)[-1].removesuffix(".py")


PAGES = (
    Page("app_pages/overview.py", "Executive overview", ":material/monitoring:"),
    Page("app_pages/week.py", "My week", ":material/event_upcoming:", Role.REP),
    Page("app_pages/forecast.py", "Forecast", ":material/query_stats:"),
    Page("app_pages/goals.py", "Joint goals", ":material/flag:"),
    Page("app_pages/funnel.py", "Demand funnel", ":material/filter_alt:"),
    Page("app_pages/sla.py", "Speed to lead", ":material/timer:"),
    Page("app_pages/campaigns.py", "Campaign performance", ":material/campaign:"),
    Page("app_pages/calendar.py", "Campaign calendar", ":material/calendar_month:"),
    Page("app_pages/planner.py", "Demand planner", ":material/account_tree:"),
    Page("app_pages/meeting.py", "Planning meeting", ":material/groups:"),
    Page("app_pages/data.py", "Data", ":material/database:", Role.ADMIN),
)


def open_to(role: Role | None) -> tuple[Page, ...]:
    """The pages someone with `role` may open: the others are left out of their navigation,
    so neither a link nor a typed address reaches them."""
    return tuple(page for page in PAGES if role is not None and role >= page.role)
