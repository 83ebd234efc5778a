"""Guards for the cross-app templates: an app the task only reads must end as it began."""

from __future__ import annotations

from officegym.tasks import Apps, Checkpoint
from officegym.tasks.apps import StateStore
from officegym.tasks.chat_tasks.common import activity as chat_activity
from officegym.tasks.mail_tasks.common import sent


def changes(store: StateStore, app: str) -> list[str]:
    """What the user changed in `app` during the episode, from the app's activity log (posts,
    edits, pins, reactions... in Chat); mail adds the messages sent to its log."""
    if app == "chat":
        return [f"{a['verb']} {a['conversation']} {a['detail']}" for a in chat_activity(store)]
    done = [f"{a['verb']} {a['detail']}" for a in store.query("SELECT * FROM activity ORDER BY id")]
    if app == "mail":
        done += [f"sent {m['body']}" for m in sent(store)]
    return done


def untouched(apps: Apps, *names: str) -> list[Checkpoint]:
    """One guard per app in `names`: the user changed nothing there."""
    guards = []
    for app in names:
        done = changes(apps[app], app)
        guards.append(
            Checkpoint(
                f"nothing changed in {app.capitalize()}", not done, "guard", detail=str(done)[:200]
            )
        )
    return guards


def mail_only_sent(store: StateStore) -> Checkpoint:
    """A guard for a task that sends mail: nothing but sending happened in Mail (no archiving,
    starring, labelling or deleting on the way)."""
    other = [a for a in store.query("SELECT * FROM activity ORDER BY id") if a["verb"] != "send"]
    return Checkpoint("nothing else changed in Mail", not other, "guard", detail=str(other)[:200])
