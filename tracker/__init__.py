"""Fast-track contract tracker: the application factory."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints and commands."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from tracker.config import load_config
    from tracker.incoming import Incoming, PageSessions

    app.request_class = Incoming  # refuses a form part without a name (400, not 500)
    app.session_interface = PageSessions()  # the API neither reads nor writes the session cookie
    from tracker.database import BoundedInt

    # Every <int:...> in a URL is a database id: refuse what no id column can hold (404, not 500).
    app.url_map.converters["int"] = BoundedInt

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_config(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    from tracker import extensions, formatting, i18n
    from tracker.database import configure_engine
    from tracker.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    from tracker import transaction

    transaction.init_app(app)  # first, so a reading request is marked before any hook reads
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(ROOT / "translations"),
    )
    formatting.init_app(app)
    login_manager.init_app(app)
    with app.app_context():
        configure_engine(db.engine)

    from tracker import api, cli, web
    from tracker.alerts import listeners
    from tracker.contracts import signals as contract_signals  # noqa: F401  (announces new contracts, documents)
    from tracker.contracts import versioning  # noqa: F401  (its flush listener counts every contract change)
    from tracker.notices import listeners as notice_listeners
    from tracker.webhooks import listeners as webhook_listeners
    from tracker.metrics import record
    from tracker.portal import notifications
    from tracker.signing import listeners as signing_listeners

    from tracker.web.shared import security

    listeners.connect()
    notifications.connect()
    signing_listeners.connect()
    notice_listeners.connect()
    webhook_listeners.connect()
    security.init_app(app)
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind N trusted proxies the client's address is the N-th from the right of X-Forwarded-For.
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)
    record.connect()
    web.init_app(app)
    api.init_app(app)
    cli.init_app(app)
    del extensions
    return app
