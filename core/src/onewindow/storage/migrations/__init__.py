"""Numbered schema migrations: ``mNNNN_name.py`` modules, each with ``upgrade(db, migrator)``.

Applied in number order by :func:`onewindow.storage.migrate.upgrade`, each in its own
transaction, and recorded in the ``schema_migration`` table.
"""
