"""Network: a LinkedIn-like app. A feed (posts, reactions, comments, reposts), people search with
filters and pages, profiles (experience, education, skills and endorsements), invitations,
messaging, jobs (saved jobs, a three-step application), notification settings."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route

# `{x:id}` (an id of at most 9 digits) is the convertor `_web` registers; the modules below
# import `_web`, so it is registered before the routes are compiled.
from officegym.tasks.apps.network import _inbox, _jobs, _profile, _social

GET_POST = ["GET", "POST"]

app = Starlette(
    routes=[
        Route("/", _social.feed),
        Route("/posts", _social.new_post, methods=["POST"]),
        Route("/posts/{post:id}/react", _social.react, methods=["POST"]),
        Route("/posts/{post:id}/comment", _social.comment, methods=["POST"]),
        Route("/posts/{post:id}/repost", _social.repost, methods=GET_POST),
        Route("/search/people", _social.people_search),
        Route("/in/{pid:id}", _social.profile),
        Route("/in/{pid:id}/invite", _social.invite, methods=GET_POST),
        Route("/mynetwork", _social.invitations),
        Route("/mynetwork/sent", _social.invitations),
        Route("/mynetwork/connections", _social.connections),
        Route("/connections/{pid:id}/remove", _social.remove_connection, methods=["POST"]),
        Route("/invitations/{iid:id}/{verb}", _social.answer_invitation, methods=["POST"]),
        Route("/skills/{sid:id}/{verb}", _social.endorse, methods=["POST"]),
        Route("/messaging", _inbox.inbox),
        Route("/messaging/{tid:id}", _inbox.thread),
        Route("/messaging/{tid:id}/send", _inbox.send, methods=["POST"]),
        Route("/messaging/new/{pid:id}", _inbox.compose, methods=GET_POST),
        Route("/jobs", _jobs.jobs),
        Route("/jobs/{jid:id}", _jobs.job),
        Route("/jobs/{jid:id}/apply", _jobs.apply),
        Route("/jobs/{jid:id}/apply", _jobs.apply_step, methods=["POST"]),
        Route("/jobs/{jid:id}/{verb}", _jobs.save_job, methods=["POST"]),
        Route("/settings", _profile.settings, methods=GET_POST),
        Route("/profile/{what}/new", _profile.profile_add, methods=GET_POST),
    ]
)
