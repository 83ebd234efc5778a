"""Network, a LinkedIn-like app: profiles, connections and invitations, messaging, a feed, people
search with filters, jobs with a multi-step application, endorsements, notification settings.

The helpers here add to a world's Network state (tasks of any app use them: a cross-app task
adds a recruiter and a job, then asks for a mail about it).
"""

from officegym.tasks.apps import AppSpec
from officegym.tasks.apps.network._app import app
from officegym.tasks.apps.network._common import headline, snippet
from officegym.tasks.apps.network._data import (
    DEGREE_LABELS,
    ME_ID,
    NOTIFICATION_SETTINGS,
    PAGE_SIZE,
    PROFILE_FORMS,
    RESUMES,
    activity,
    add_experience,
    add_invitation,
    add_job,
    add_message,
    add_person,
    add_post,
    add_resume,
    add_skill,
    add_thread,
    email_of,
    find_person,
    populate,
    sent_messages,
    stamp,
)
from officegym.tasks.apps.network._names import (
    COMPANIES,
    LOCATIONS,
    OUTSIDE_TITLES,
    REACTIONS,
    RECRUITER_TITLES,
    SCHOOLS,
)

__all__ = [
    "APP",
    "COMPANIES",
    "DEGREE_LABELS",
    "LOCATIONS",
    "ME_ID",
    "NOTIFICATION_SETTINGS",
    "OUTSIDE_TITLES",
    "PAGE_SIZE",
    "PROFILE_FORMS",
    "REACTIONS",
    "RECRUITER_TITLES",
    "RESUMES",
    "SCHOOLS",
    "activity",
    "add_experience",
    "add_invitation",
    "add_job",
    "add_message",
    "add_person",
    "add_post",
    "add_resume",
    "add_skill",
    "add_thread",
    "email_of",
    "find_person",
    "headline",
    "sent_messages",
    "snippet",
    "stamp",
]

APP = AppSpec(
    name="network",
    asgi=app,
    populate=populate,
    pages=(
        "/",
        "/search/people?company=Contoso&page=2",
        "/in/2",
        "/mynetwork",
        "/mynetwork/sent",
        "/messaging",
        "/messaging/1",
        "/jobs",
        "/jobs/1",
        "/jobs/1/apply?step=resume",
        "/settings",
        "/profile/experience/new",
        "/mynetwork/connections",
        "/?page=2",
    ),
)
