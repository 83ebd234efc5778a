"""The words the corpus is made of: policy topics and their facts, products, offices, teams,
headline and sentence templates."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    """A number a policy sets: "The nightly hotel limit is $220."."""

    label: str  # "nightly hotel limit"
    unit: str  # "$", "%", or a word after the number ("days")
    low: int
    high: int
    step: int = 1

    def draw(self, rng: random.Random) -> int:
        return rng.randrange(self.low, self.high + 1, self.step)

    def value(self, n: int) -> str:
        """`n` as the page writes it: "$1,200", "15%", "30 days"."""
        if self.unit == "$":
            return f"${n:,}"
        if self.unit == "%":
            return f"{n}%"
        return f"{n} {self.unit}"

    def sentence(self, n: int) -> str:
        return f"The {self.label} is {self.value(n)}."


def slug(text: str) -> str:
    """A path segment for a title.

    >>> slug("Travel & expenses – 2024")
    'travel-expenses-2024'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _policy(topic: str, *facts: Fact) -> tuple[str, tuple[Fact, ...]]:
    return topic, facts


# The policies of the generated intranet.
POLICIES = (
    _policy("Travel", Fact("nightly hotel limit", "$", 150, 320, 10),
            Fact("deadline for filing receipts", "days", 14, 60)),
    _policy("Expenses", Fact("approval limit for a single expense", "$", 200, 2000, 50),
            Fact("reimbursement time", "days", 5, 30)),
    _policy("Remote work", Fact("number of remote days per week", "days", 1, 4),
            Fact("home office stipend", "$", 300, 1200, 50)),
    _policy("Parental leave", Fact("paid parental leave", "weeks", 12, 26),
            Fact("notice period before leave", "weeks", 4, 12)),
    _policy("Password", Fact("minimum password length", "characters", 10, 16),
            Fact("password rotation period", "days", 90, 365, 15)),
    _policy("Data retention", Fact("retention period for customer records", "months", 12, 84, 6),
            Fact("retention period for chat logs", "months", 3, 24, 3)),
    _policy("Equipment", Fact("laptop refresh cycle", "months", 24, 48, 6),
            Fact("monitor allowance", "$", 150, 600, 50)),
    _policy("Gifts and hospitality", Fact("gift value limit", "$", 25, 150, 5),
            Fact("hospitality reporting threshold", "$", 100, 500, 25)),
    _policy("Conference attendance", Fact("conference budget per person", "$", 800, 4000, 100),
            Fact("approval lead time", "days", 14, 60)),
    _policy("Training", Fact("annual training budget", "$", 500, 3000, 100),
            Fact("paid study days per year", "days", 2, 10)),
    _policy("On-call", Fact("on-call allowance per week", "$", 100, 600, 25),
            Fact("maximum on-call shifts per month", "shifts", 2, 8)),
    _policy("Overtime", Fact("overtime pay rate", "%", 125, 200, 5),
            Fact("overtime cap per month", "hours", 10, 40)),
    _policy("Sick leave", Fact("paid sick days per year", "days", 5, 20),
            Fact("days before a doctor's note is needed", "days", 2, 5)),
    _policy("Vacation", Fact("annual vacation allowance", "days", 20, 30),
            Fact("carry-over limit", "days", 3, 10)),
    _policy("Mileage", Fact("mileage rate per kilometre in cents", "cents", 25, 45),
            Fact("monthly mileage cap", "kilometres", 500, 2000, 100)),
    _policy("Meal allowance", Fact("daily meal allowance", "$", 30, 90, 5),
            Fact("team dinner limit per person", "$", 40, 120, 5)),
    _policy("Mobile phone", Fact("monthly phone allowance", "$", 20, 80, 5),
            Fact("device replacement cycle", "months", 18, 36, 6)),
    _policy("Relocation", Fact("relocation budget", "$", 3000, 15000, 500),
            Fact("temporary housing period", "days", 14, 60)),
    _policy("Visitor", Fact("visitor badge validity", "hours", 4, 12),
            Fact("advance registration time", "hours", 12, 72, 12)),
    _policy("Open source contribution", Fact("review time for a contribution", "days", 2, 10),
            Fact("maximum contributions per quarter without approval", "contributions", 3, 12)),
    _policy("Procurement", Fact("purchase order threshold", "$", 1000, 10000, 500),
            Fact("number of quotes required above the threshold", "quotes", 2, 4)),
    _policy("Incident response", Fact("time to acknowledge a severe incident", "minutes", 5, 30, 5),
            Fact("post-incident review deadline", "days", 3, 14)),
    _policy("Social media", Fact("review time for company posts", "hours", 24, 72, 12),
            Fact("approval lead time for press quotes", "days", 1, 5)),
    _policy("Bereavement", Fact("paid bereavement leave", "days", 3, 10),
            Fact("extended unpaid leave", "weeks", 2, 8)),
)  # fmt: skip
# Policy topics the corpus never has: templates plant them (their pages and look-alikes).
TASK_POLICIES = (
    _policy("Bicycle commuting", Fact("annual bicycle allowance", "$", 200, 900, 25)),
    _policy("Coworking space", Fact("monthly coworking allowance", "$", 100, 450, 10)),
    _policy("Hardware return", Fact("return deadline after leaving", "days", 5, 30)),
    _policy("Language course", Fact("annual language course budget", "$", 300, 1500, 50)),
    _policy("Childcare support", Fact("monthly childcare subsidy", "$", 150, 700, 10)),
    _policy("Sabbatical", Fact("sabbatical length", "weeks", 4, 12)),
    _policy("Wellness", Fact("annual wellness budget", "$", 200, 800, 20)),
    _policy("Car sharing", Fact("monthly car sharing allowance", "$", 50, 300, 10)),
    _policy("Home internet", Fact("monthly internet allowance", "$", 20, 90, 5)),
    _policy("Volunteering", Fact("paid volunteering days per year", "days", 1, 6)),
    _policy("Ergonomic equipment", Fact("ergonomic chair allowance", "$", 200, 900, 25)),
    _policy("Book", Fact("annual book allowance", "$", 50, 400, 10)),
)  # fmt: skip
PRODUCTS = (
    "Atlas", "Beacon", "Comet", "Delta", "Harbor", "Juniper", "Orion", "Maple", "Lumen",
    "Quarry", "Tidewater", "Ember",
)  # fmt: skip
# Product names the corpus never has: templates plant their release notes and panels.
TASK_PRODUCTS = (
    "Kestrel", "Marigold", "Nimbus", "Pelican", "Sequoia", "Saffron", "Talon", "Vireo",
    "Willow", "Zircon", "Falcon", "Larkspur",
)  # fmt: skip
OFFICES = ("Berlin", "Lisbon", "Toronto", "Singapore", "Austin", "Dublin")
# Team -> the directory titles (`officegym.tasks.apps.people.TITLES`) that belong to it.
TEAMS = {
    "Finance": ("Finance Manager", "Analyst"),
    "Product": ("Product Lead", "Designer"),
    "Sales": ("Sales Director", "Account Executive"),
    "Engineering": ("Engineer",),
    "People": ("Recruiter", "Office Manager"),
    "Legal": ("Legal Counsel",),
}
FEATURES = (
    "export a report", "reset your password", "invite a teammate", "set up single sign-on",
    "connect a data source", "schedule a sync", "create a dashboard", "share a workspace",
    "change your billing plan", "download an invoice", "set up two-factor authentication",
    "import contacts", "archive a project", "restore a deleted item", "add a custom field",
    "set notification preferences", "use keyboard shortcuts", "filter a list", "set up webhooks",
    "manage user roles", "change the workspace language", "connect the calendar",
    "embed a chart", "bulk edit records", "audit account activity", "merge duplicates",
    "set a retention rule", "configure alerts", "transfer ownership", "close your account",
    "build an automation", "request a data export", "rename a workspace", "pin a report",
    "compare two periods", "create an API token", "set a budget alert", "print a summary",
)  # fmt: skip
STEPS = (
    "Open {product} and choose Settings in the top right corner.",
    "Select the workspace you want to change; only administrators see every workspace.",
    "Click the three-dot menu next to the item and pick the action from the list.",
    "Confirm the change in the dialog. {product} saves it at once and tells your teammates.",
    "If the option is greyed out, ask a workspace administrator for the editor role.",
    "Changes can take up to five minutes to reach the mobile app.",
    "Use the search box at the top to find the item by its name or owner.",
    "Export the result as CSV or PDF from the Share menu.",
    "To undo, open the history panel and restore the previous version.",
    "Large workspaces may need a second try if the request times out.",
)  # fmt: skip
RELEASE_LINES = (
    "Dashboards load up to twice as fast on large workspaces.",
    "A new export format lets you download reports as spreadsheets.",
    "Fixed a bug where {product} lost filters after a reload.",
    "Single sign-on now supports more identity providers.",
    "The mobile app gets offline mode for recent items.",
    "Administrators can now audit who changed a setting and when.",
    "Notifications can be muted per project.",
    "Improved accessibility: every chart now has a text summary.",
    "Search in {product} understands quoted phrases.",
    "Deprecated: the legacy API v1 stops working in six months.",
)  # fmt: skip
HEADLINES = (
    "{product} reaches {n} thousand customers",
    "{office} office opens a new floor",
    "{team} team wins the quarterly award",
    "{person} joins the leadership team",
    "Town hall recap: priorities for {product}",
    "{office} hosts the regional customer summit",
    "How the {team} team cut costs by {n} percent",
    "{product} outage postmortem published",
    "Volunteering day in {office} raises funds for local schools",
    "{person} on building the {product} roadmap",
    "New partnership brings {product} to {n} more countries",
    "{team} team shares lessons from the {product} launch",
    "Security reminder: phishing attempts rise before the holidays",
    "{office} office switches to renewable energy",
    "Hackathon winners build tools for {product}",
    "{office} office newsletter – {month}", "{product} monthly update – {month}",
)  # fmt: skip
NEWS_LINES = (
    "{person} said the results were better than planned.",
    "The {team} team will share details at the next town hall.",
    "Customers in {office} were the first to see the change.",
    "{product} usage grew for the {n}th month in a row.",
    "Employees can send questions to the internal communications team.",
    "The project took {n} weeks from the first idea to the launch.",
    "More updates follow in the monthly newsletter.",
    "Leadership thanked everyone who worked late to make it happen.",
    "The change applies to all offices from next month.",
    "A recording of the session is on the intranet.",
    "{person} will lead the next phase with the {team} team.",
    "Feedback from the pilot in {office} shaped the final version.",
)  # fmt: skip
WIKI_LINES = (
    "Owner: {person}. Update this page when the process changes.",
    "Check the {product} status dashboard before you start.",
    "Escalate to the {team} on-call engineer if the step fails twice.",
    "Action items are tracked in the {team} board.",
    "Decisions: keep the {product} release train weekly; revisit in a month.",
    "Never run the cleanup script against production without a backup.",
    "The glossary below explains the terms used by the {product} team.",
    "Attendees: {person} and the {team} team.",
    "Known issue: the nightly job can overlap with backups on Sundays.",
    "Links to dashboards and alerts are in the See also section.",
)  # fmt: skip
JOB_ROLES = (
    "Senior Software Engineer", "Product Designer", "Data Analyst", "Account Executive",
    "Technical Writer", "Site Reliability Engineer", "Recruiting Coordinator",
    "Finance Business Partner", "Customer Success Manager", "Security Engineer",
    "Product Manager", "Office Coordinator", "Legal Counsel", "Marketing Manager",
)  # fmt: skip
