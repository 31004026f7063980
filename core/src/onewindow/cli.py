"""The ``onewindow`` command: plugins, catalogue, database, demo data, audit, serve.

Every failure prints one line to stderr, ``onewindow: error: ...``, and exits non-zero.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import peewee

from .errors import OnewindowError


def _cmd_plugins(args) -> int:
    from .plugins import get_plugin_manager, plugin_versions

    pm = get_plugin_manager()
    rows = plugin_versions(pm)
    if not rows:
        print("no onewindow plugins installed")
    for name, dist, version in rows:
        print(f"{name}\t{dist}\t{version}")
    return 0


def _cmd_catalogue_check(args) -> int:
    from .plugins import load_registry

    registry = load_registry()
    catalogue = registry.catalogue
    print(f"catalogue ok: {len(catalogue.sections)} sections, {len(catalogue.items)} items, "
          f"{len(registry.lookups)} look-ups, {len(registry.checks)} automatic checks")
    return 0


def _cmd_catalogue_export(args) -> int:
    from .catalogue_file import unstructure
    from .plugins import load_registry

    registry = load_registry()
    catalogue = registry.catalogue
    data = {
        "sections": [
            {**unstructure(section),
             "plugin": registry.owners["section:" + section.code],
             "items": [unstructure(item) for item in catalogue.items_of(section.code)]}
            for section in catalogue.sections.values()
        ],
        "networks": [
            {"network": lookup.network, "title": lookup.title,
             "params": [unstructure(p) for p in lookup.params],
             "plugin": registry.owners["network:" + lookup.network]}
            for lookup in registry.lookups.values()
        ],
    }
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    else:
        print(text)
    return 0


def _cmd_catalogue_docs(args) -> int:
    from .catalogue_docs import render

    text = render()
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        print(text, end="")
    return 0


def _open_db():
    from .config import load_settings
    from .storage.db import open_database

    settings = load_settings()
    return settings, open_database(settings.database_url)


def _cmd_db_upgrade(args) -> int:
    from .storage import migrate

    settings, db = _open_db()
    applied = migrate.upgrade(db)
    if applied:
        print(f"applied {', '.join(applied)} to {settings.database_url}")
    else:
        print(f"database is up to date: {settings.database_url}")
    return 0


def _cmd_demo_load(args) -> int:
    from .demo import demo_accounts, load_demo
    from .services import open_hall

    hall = open_hall(upgrade=True)
    for line in load_demo(hall, args.fixtures):
        print(line)
    print("demo accounts (username, password, role):")
    for line in demo_accounts(hall, args.fixtures):
        print(line)
    return 0


def _cmd_audit_verify(args) -> int:
    from . import audit
    from .storage import migrate

    settings, db = _open_db()
    if migrate.pending(db):
        raise OnewindowError(f"database {settings.database_url} has pending migrations: "
                             "run `onewindow db upgrade`")
    result = audit.verify(settings.audit_key)
    if not result.ok:
        raise OnewindowError(result.message)
    print(result.message)
    return 0


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _cmd_backup(args) -> int:
    from . import backup
    from .config import load_settings

    settings = load_settings()
    print(backup.backup(settings.database_url, args.path, overwrite=args.force,
                        progress=None if args.quiet else _progress))
    return 0


def _cmd_restore(args) -> int:
    from . import backup
    from .config import load_settings

    settings = load_settings()
    restored = backup.restore(settings.database_url, args.path, settings.audit_key,
                              force=args.force, progress=None if args.quiet else _progress)
    if not restored.audit_ok:
        raise OnewindowError(restored.message)
    print(restored.message)
    return 0


def _cmd_serve(args) -> int:
    try:
        from onewindow_web.server import serve
    except ImportError:
        raise OnewindowError("onewindow-web is not installed: pip install onewindow-web") from None
    serve(host=args.host, port=args.port)
    return 0


def _cmd_sandbox(args) -> int:
    from .sandbox import serve_sandbox

    serve_sandbox(args.fixtures, host=args.host, port=args.port)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="onewindow", description=(
        "onewindow: front desk takes in, back office approves by section, one window issues."))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("plugins", help="list loaded plugins and their versions"
                   ).set_defaults(func=_cmd_plugins)

    catalogue = sub.add_parser("catalogue", help="check, export or document the approval catalogue")
    catalogue_sub = catalogue.add_subparsers(dest="catalogue_command", required=True,
                                             metavar="ACTION")
    catalogue_sub.add_parser("check", help="load every plugin's catalogue and check it"
                             ).set_defaults(func=_cmd_catalogue_check)
    export = catalogue_sub.add_parser("export", help="write the whole catalogue")
    export.add_argument("--format", choices=["json"], default="json")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    export.set_defaults(func=_cmd_catalogue_export)
    docs = catalogue_sub.add_parser("docs", help="write the catalogue file reference "
                                    "(docs/catalogue.md) from the models")
    docs.add_argument("--output", "-o", help="file to write (default: standard output)")
    docs.set_defaults(func=_cmd_catalogue_docs)

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="apply pending numbered migrations"
                      ).set_defaults(func=_cmd_db_upgrade)

    demo = sub.add_parser("demo", help="demo data")
    demo_sub = demo.add_subparsers(dest="demo_command", required=True, metavar="ACTION")
    load = demo_sub.add_parser("load", help="create demo staff and sample cases")
    load.add_argument("--fixtures", default="fixtures", help="fixtures folder")
    load.set_defaults(func=_cmd_demo_load)

    audit = sub.add_parser("audit", help="audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    audit_sub.add_parser("verify", help="check the HMAC chain of the audit trail"
                         ).set_defaults(func=_cmd_audit_verify)

    backup = sub.add_parser("backup", help="write a backup of the database to PATH (online)")
    backup.add_argument("path", metavar="PATH", help="file to write; it must not exist yet")
    backup.add_argument("--force", action="store_true", help="replace PATH if it exists")
    backup.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
    backup.set_defaults(func=_cmd_backup)

    restore = sub.add_parser("restore", help="restore the database from the backup at PATH, "
                             "then verify its audit trail")
    restore.add_argument("path", metavar="PATH", help="a file written by `onewindow backup`")
    restore.add_argument("--force", action="store_true",
                         help="replace a database that holds data")
    restore.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
    restore.set_defaults(func=_cmd_restore)

    serve = sub.add_parser("serve", help="run the web front end")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=_cmd_serve)

    sandbox = sub.add_parser("sandbox", help="serve sandbox dedicated-network registries")
    sandbox.add_argument("--fixtures", default="fixtures/sandbox")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8001)
    sandbox.set_defaults(func=_cmd_sandbox)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from .privacy import install_log_filter

    install_log_filter()  # no log line of any command carries a whole ID number
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (OnewindowError, RuntimeError, OSError, ValueError, peewee.PeeweeException) as exc:
        message = " ".join(str(exc).split())
        cause = getattr(exc, "cause", "")  # Busy: the driver's words, which an operator needs
        if cause:
            message += f": {' '.join(cause.split())}"
        print(f"onewindow: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - an unexpected fault is still one line
        print(f"onewindow: error: {type(exc).__name__}: {' '.join(str(exc).split())}",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
