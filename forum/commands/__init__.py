"""Every `flask --app wsgi ...` command, one module per area, registered in one place.

`users` (accounts.py), `demo`, `reputation`, `badges` (content.py), `mail` (mail.py), `db copy` (database.py,
beside Flask-Migrate's `db upgrade`), `import` (imports.py), `search` (search.py), `webhooks`, `alerts`
(alerts.py) and `jobs` (jobs.py). Commands are thin: they parse options, call services inside a
`unit_of_work.transaction()` and print what happened.
"""
from flask import Flask
from flask_migrate.cli import db as migrate_cli

from .accounts import users_cli
from .alerts import alerts_cli, webhooks_cli
from .content import badges_cli, demo_cli, reputation_cli
from .database import copy_database
from .imports import import_cli
from .jobs import jobs_cli
from .mail import mail_cli
from .search import search_cli


def init_app(app: Flask) -> None:
    migrate_cli.add_command(copy_database)  # `flask db copy`, beside Flask-Migrate's own db commands
    for group in (users_cli, demo_cli, reputation_cli, badges_cli, mail_cli, import_cli, search_cli, webhooks_cli,
                  alerts_cli, jobs_cli):
        app.cli.add_command(group)
