"""Kotae: a support-community Q&A platform. `create_app(config)` builds the application."""
from pathlib import Path

from flask import Flask

from . import routing

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: object) -> Flask:
    """Build the app from a config object (see config.py); FORUM_* environment variables override it."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
        instance_relative_config=False,
    )
    app.config.from_object(config)
    app.config.from_prefixed_env("FORUM")
    configure_domain(app)
    routing.init_app(app)
    configure_extensions(app)
    configure_blueprints(app)
    configure_hooks(app)
    configure_proxy(app)
    return app


def configure_proxy(app: Flask) -> None:
    """Trust exactly the configured number of proxies for the client's address and scheme (never more)."""
    hops_for, hops_proto = app.config.get("PROXY_FIX_X_FOR", 0), app.config.get("PROXY_FIX_X_PROTO", 0)
    if hops_for or hops_proto:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops_for, x_proto=hops_proto)


def configure_domain(app: Flask) -> None:
    """Turn configuration into the plain objects services take (privilege thresholds, reputation rules, badges)."""
    from .services.reputation import badges
    from .services.reputation.privileges import thresholds_from_config
    from .services.reputation.ledger import ReputationRules

    app.config["PRIVILEGES"] = thresholds_from_config(app.config)
    app.config["REPUTATION"] = ReputationRules.from_config(app.config)
    app.config["BADGES"] = badges.thresholds_from_config(app.config)
    app.config.setdefault("DAILY_VOTE_LIMIT", 40)


def configure_extensions(app: Flask) -> None:
    from . import (
        assets, commit_steps, database, i18n, page_cache, passwords, ratelimit_store, search, sso, storage, templating,
    )
    from .services.outreach import webhooks
    from .extensions import csrf, db, limiter, login_manager, migrate
    from .services.outreach import mail
    from .services import faq as faq_service

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = ratelimit_store.default_uri(app.config["SQLALCHEMY_DATABASE_URI"])
    limiter.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    assets.init_app(app)
    page_cache.init_app(app)
    passwords.configure(app.config.get("PASSWORD_HASH_METHOD"))
    login_manager.init_app(app)
    search.init_app(app)
    mail.init_app(app)
    webhooks.init_app(app)
    faq_service.init_app(app)
    sso.init_app(app)
    storage.init_app(app)
    commit_steps.init_app()


def configure_blueprints(app: Flask) -> None:
    from . import api, commands
    from .views import (
        admin, answers, auth, badges, brand, closing, comments, errors, faq, feedback, help, inbox, main, moderation,
        posts, privacy, questions, search, seo, sso, tags, tokens, uploads, users, votes,
    )

    for module in (
        main, auth, sso, questions, answers, posts, votes, comments, users, privacy, tokens, badges, tags, search,
        help, faq, feedback, moderation, closing, inbox, admin, seo, uploads, brand, errors,
    ):
        app.register_blueprint(module.bp)
    api.init_app(app)
    commands.init_app(app)


def configure_hooks(app: Flask) -> None:
    from . import jobs, security, unit_of_work

    unit_of_work.init_app(app)  # first registered, so it commits after every other after_request hook has run
    security.init_app(app)
    jobs.init_app(app)
