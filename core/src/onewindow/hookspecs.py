"""The onewindow plugin API: every hook a plugin may implement.

A section plugin is a Python distribution with an entry point in the group ``onewindow``. It
implements some of the hooks below with ``@onewindow.hookimpl``. The hook reference in
``docs/hooks.md`` documents each; a test fails when a hook is added here without being
documented there or tested.

All hooks are called with keyword arguments. None of them is ``firstresult``: the core calls
every implementation and gathers the answers, so two sections can never shadow each other.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("onewindow")
hookimpl = pluggy.HookimplMarker("onewindow")


@hookspec
def onewindow_section():
    """Supply the approval section (审批业务科) this plugin speaks for.

    Called once when the plugin manager assembles the catalogue, at start-up.

    Return a :class:`onewindow.catalogue.Section`, or ``None`` for a plugin that is not a
    section (an audit exporter, say). Two plugins returning the same section code is a
    start-up error naming both plugins.
    """


@hookspec
def onewindow_approval_items():
    """Supply this plugin's approval items (审批事项) with their materials, review points,
    deferrals, forms and the dedicated networks they need.

    Called once at start-up, after ``onewindow_section``.

    Return a sequence of :class:`onewindow.catalogue.ApprovalItem`, normally loaded from the
    plugin's own data file with :func:`onewindow.catalogue_file.load_catalogue_file`. Each
    item's ``section`` must be a section some plugin supplies. An item code already supplied
    by another plugin is a start-up error naming both plugins. Raising
    :class:`onewindow.errors.CatalogueError` (as the loader does for a bad file) stops start-up
    with the plugin's name, the file, the item and the field. Items built in code are held to
    the file's rules across fields (:func:`onewindow.catalogue_file.item_problems`).
    """


@hookspec
def onewindow_lookups():
    """Supply dedicated-network look-ups (业务专网查询) the window can run.

    Called once at start-up.

    Return a sequence of objects that satisfy :class:`onewindow.lookups.Lookup` (usually
    :class:`onewindow.lookups.HttpJsonLookup`). Each has a unique ``network`` code; items name
    that code in their ``lookups``. A code another plugin already supplied is a start-up error
    naming this plugin (the second) and the first. A look-up must never raise for a network fault: it
    returns a result with status ``unavailable`` and a message for the clerk.
    """


@hookspec
def onewindow_material_checks():
    """Supply automatic checks of review points that code can decide (e.g. the name on the
    application matches the credit registry).

    Called once at start-up.

    Return a sequence of :class:`onewindow.checks.MaterialCheck`, each naming an item, one of
    its materials and one of that material's review points; a check naming anything unknown is
    a start-up error. Checks advise the clerk; they never mark a point passed on their own.
    """


@hookspec
def onewindow_case_event(event, case):
    """Be told of a case event after it has been stored and chained into the audit trail.

    Called for every event: intake, one-time notice, acceptance, return, decision, issuance,
    supplements, look-ups, halts. ``event`` is the :class:`onewindow.case.CaseEvent` just
    recorded; ``case`` is the :class:`onewindow.case.Case` as it is after the event.

    The return value is ignored. An exception raised here is logged with the plugin's name
    and does not undo the event: the event has already happened in the hall.
    """
