"""Tín nhiệm: votes of confidence (lấy phiếu tín nhiệm) under Quy định 96-QĐ/TW.

The factory only configures and registers: nothing touches the database here, so gunicorn
may fork after loading the app.
"""
import logging
import os

from flask import Flask


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("INSTANCE_PATH") or None,
                instance_relative_config=True)
    from tinnhiem.platform.config import load_config, settle_keys

    app.config.update(load_config(app.instance_path))
    app.config.update(overrides or {})
    app.config.update(settle_keys(app.config, app.instance_path))
    from tinnhiem.platform.limit_storage import storage_settings

    app.config.update(storage_settings(app.config))
    _configure_logging(app)
    if app.config["BEHIND_PROXY"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # nginx sets X-Forwarded-For; the rate limits key on the real client address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

    from tinnhiem.platform import web
    from tinnhiem.platform.auth import login
    from tinnhiem.platform.auth.access import enforce_password_change
    from tinnhiem.platform import db as database
    from tinnhiem.platform import db_failures
    from tinnhiem.platform.db import db
    from tinnhiem.platform.extensions import csrf, limiter, migrate
    from tinnhiem.platform import jobs

    web.init_app(app)  # first: its input checks run before anything parses the form
    database.init_app(app)
    db_failures.init_app(app)  # timeouts on every request's transactions; 503 when busy
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path),
                                                      "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login.init_app(app)
    jobs.init_app(app)  # the background job queue; nothing is opened until it is used

    from tinnhiem.tenants import request as tenant_request

    tenant_request.init_app(app)
    app.before_request(enforce_password_change)
    _register_blueprints(app)
    from tinnhiem.conferences import templating
    from tinnhiem.platform import formats

    templating.init_app(app)
    formats.init_app(app)  # numbers and dates in the reader's language
    _register_observability(app)
    _register_cli(app)
    return app


def _configure_logging(app: Flask) -> None:
    if app.testing:  # pytest captures the records; its own handlers stay in place
        logging.basicConfig(level=app.config["LOG_LEVEL"])
        logging.getLogger("tinnhiem").setLevel(app.config["TINNHIEM_LOG_LEVEL"])
        return
    from tinnhiem.platform import logging_setup

    logging_setup.configure(app.config)


def _register_observability(app: Flask) -> None:
    """Each puts its hook before all the others (web.run_first): a probe or a scrape is
    answered before any account, scope, rate limit or database is touched."""
    from tinnhiem.platform import health, metrics, request_log

    request_log.init_app(app)
    metrics.init_app(app)
    health.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from tinnhiem.cadre_registry import api as cadre_registry_api
    from tinnhiem.cadre_registry import views as cadre_registry_views
    from tinnhiem.conferences import api as conferences_api
    from tinnhiem.conferences import round_views as round_page
    from tinnhiem.conferences import views as conference_views
    from tinnhiem.platform import api
    from tinnhiem.platform.audit import views as audit_views
    from tinnhiem.platform.auth import api as auth_api
    from tinnhiem.platform.auth import views as auth_views
    from tinnhiem.tenants import account_views
    from tinnhiem.tenants import api as tenants_api
    from tinnhiem.tenants import audit_names  # noqa: F401 - registers the audit page's names
    from tinnhiem.rounds import api as rounds_api
    from tinnhiem.rounds import registry_api
    from tinnhiem.rounds import registry_views
    from tinnhiem.rounds import views as round_views
    from tinnhiem.tenants import views as tenant_views
    from tinnhiem.counting import api as counting_api
    from tinnhiem.counting import public_views as public_results
    from tinnhiem.counting import views as counting_views
    from tinnhiem.cadres import api as cadres_api
    from tinnhiem.cadres import views as cadres_views
    from tinnhiem.followup import api as followup_api
    from tinnhiem.followup import views as followup_views
    from tinnhiem.rollup import api as rollup_api
    from tinnhiem.rollup import history_api
    from tinnhiem.rollup import history_views
    from tinnhiem.rollup import views as rollup_views
    # Both add their routes to the roll-up's blueprints.
    from tinnhiem.rollup import report_upward_api, report_upward_views  # noqa: F401
    # Both add their routes to the scans' one blueprint.
    from tinnhiem.scanning import board_views, views as scanning_views  # noqa: F401
    from tinnhiem.scanning import api as scanning_api
    from tinnhiem.scanning.blueprint import bp as scanning_bp
    from tinnhiem.voting import api as voting_api
    from tinnhiem.voting import views as voting_views
    from tinnhiem.voting import vote_views

    app.add_url_rule("/", "home", tenant_views.home)
    for blueprint in (auth_views.bp, tenant_views.bp, account_views.bp, audit_views.bp,
                      round_views.bp, round_page.bp, registry_views.bp, conference_views.bp,
                      voting_views.bp, vote_views.bp, counting_views.bp, public_results.bp,
                      rollup_views.bp, history_views.bp, scanning_bp, cadre_registry_views.bp,
                      cadre_registry_views.rounds_bp, followup_views.bp,
                      cadres_views.bp):
        app.register_blueprint(blueprint)
    api.register(app, auth_api.blp, tenants_api.unit_types_blp, tenants_api.units_blp,
                 tenants_api.accounts_blp, rounds_api.blp, registry_api.blp, conferences_api.blp,
                 voting_api.blp, voting_api.polls_blp, scanning_api.blp, counting_api.blp,
                 counting_api.public_blp, rollup_api.blp, history_api.blp,
                 cadre_registry_api.blp, cadre_registry_api.rounds_blp, followup_api.blp,
                 cadres_api.blp)


def _register_cli(app: Flask) -> None:
    from tinnhiem import demo
    from tinnhiem.platform import jobs_cli, scope_key_cli
    from tinnhiem.platform.audit import cli as audit_cli
    from tinnhiem.backup import cli as backup_cli
    from tinnhiem.scanning import cli as scans_cli

    app.register_blueprint(audit_cli.bp)
    app.register_blueprint(scope_key_cli.bp)
    app.register_blueprint(jobs_cli.bp)
    app.register_blueprint(backup_cli.bp)
    app.register_blueprint(scans_cli.bp)
    app.register_blueprint(demo.bp)
