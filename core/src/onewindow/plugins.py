"""Load plugins and assemble what they supply into one checked :class:`Registry`.

There is no import-time global plugin manager: callers build one with
:func:`get_plugin_manager` (entry points + built-ins) and a :class:`Registry` from it, so tests
and other bureaus can load exactly the plugins they want.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from importlib import metadata
from typing import Any

import pluggy
from attrs import frozen

from . import hookspecs
from .catalogue import ApprovalItem, Catalogue, Section
from .catalogue_file import item_problems, source_of
from .checks import MaterialCheck
from .errors import CatalogueError, PluginError
from .lookups import Lookup

ENTRY_POINT_GROUP = "onewindow"
log = logging.getLogger(__name__)


def get_plugin_manager(plugins: Iterable[Any] = (), *, load_entry_points: bool = True
                       ) -> pluggy.PluginManager:
    """A plugin manager with every installed ``onewindow`` entry point and ``plugins``.

    ``check_pending()`` runs before returning, so a misspelled hook implementation fails here
    with the plugin's name.
    """
    pm = pluggy.PluginManager("onewindow")
    pm.add_hookspecs(hookspecs)
    if load_entry_points:
        try:
            pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        except pluggy.PluginValidationError as exc:
            raise PluginError(str(exc)) from exc  # pluggy's message names the plugin
        except Exception as exc:  # noqa: BLE001
            raise PluginError(f"plugin {_failing_entry_point()!r} failed to import: {exc!r}"
                              ) from exc
    try:
        for plugin in plugins:
            pm.register(plugin)
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) or getattr(exc.plugin, "__name__", repr(exc.plugin))
        raise PluginError(f"plugin {name!r}: {exc}") from exc
    return pm


def plugin_versions(pm: pluggy.PluginManager) -> list[tuple[str, str, str]]:
    """(plugin name, distribution name, version) for every registered plugin."""
    rows = []
    dists = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        dist = dists.get(id(plugin))
        if dist is not None:
            rows.append((name, dist.project_name, dist.version))
        else:
            rows.append((name, "(not installed)", "-"))
    return sorted(rows)


def _answers(pm: pluggy.PluginManager, hook_name: str, **kwargs) -> list[tuple[str, Any]]:
    """Call each implementation of a hook on its own, so every answer carries its plugin's name.

    Any exception is re-raised as :class:`PluginError` naming the plugin.
    """
    results = []
    hook = getattr(pm.hook, hook_name)
    for impl in hook.get_hookimpls():  # registration order: the first supplier wins
        name = pm.get_name(impl.plugin) or repr(impl.plugin)
        try:
            result = impl.function(**{k: kwargs[k] for k in impl.argnames})
        except CatalogueError as exc:
            raise PluginError(f"plugin {name!r}: {exc}") from exc
        except Exception as exc:  # noqa: BLE001
            raise PluginError(f"plugin {name!r}: {hook_name} failed: {exc!r}") from exc
        if result is not None:
            results.append((name, result))
    return results


def _sequence(name: str, hook_name: str, value: Any, kind: type) -> Sequence[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise PluginError(f"plugin {name!r}: {hook_name} must return a list, got {value!r}")
    values = list(value)
    for v in values:
        if kind is Lookup:
            if not isinstance(v, Lookup):
                raise PluginError(f"plugin {name!r}: {hook_name} returned {v!r}, which has no "
                                  "network, title, params and query()")
        elif not isinstance(v, kind):
            raise PluginError(f"plugin {name!r}: {hook_name} returned {v!r}, "
                              f"not a {kind.__name__}")
    return values


@frozen
class Registry:
    """Everything the loaded plugins supply, checked for consistency.

    ``owners`` maps a section, item, or network code to the plugin that supplied it.
    """

    pm: pluggy.PluginManager
    catalogue: Catalogue
    lookups: dict[str, Lookup]
    checks: tuple[MaterialCheck, ...]
    owners: dict[str, str]

    def notify(self, event, case) -> None:
        """Tell every plugin of an event; a failing plugin is logged, not fatal."""
        for impl in self.pm.hook.onewindow_case_event.get_hookimpls():
            try:
                impl.function(**{k: {"event": event, "case": case}[k] for k in impl.argnames})
            except Exception:  # noqa: BLE001
                log.exception("plugin %r failed in onewindow_case_event for case %s",
                              self.pm.get_name(impl.plugin), case.number)


def _where(name: str, supplied: Any) -> str:
    """``plugin 'x'``, followed by the catalogue file when ``supplied`` was loaded from one."""
    source = source_of(supplied)
    return f"plugin {name!r}: {source}" if source else f"plugin {name!r}"


def build_registry(pm: pluggy.PluginManager) -> Registry:
    """Gather sections, items, look-ups and checks; refuse duplicates and dangling references.

    Plugins are asked in registration order; on a clash, the error starts with the plugin that
    came second and names the first. Each error names the catalogue file an item came from.
    """
    owners: dict[str, str] = {}
    sections: dict[str, Section] = {}
    for name, section in _answers(pm, "onewindow_section"):
        if not isinstance(section, Section):
            raise PluginError(f"plugin {name!r}: onewindow_section returned {section!r}, "
                              "not a Section")
        key = "section:" + section.code
        if key in owners:
            raise PluginError(f"{_where(name, section)}: section {section.code!r} is already "
                              f"supplied by plugin {owners[key]!r}; section codes must be "
                              "unique across plugins")
        owners[key] = name
        sections[section.code] = section

    lookups: dict[str, Lookup] = {}
    for name, answer in _answers(pm, "onewindow_lookups"):
        for lookup in _sequence(name, "onewindow_lookups", answer, Lookup):
            key = "network:" + lookup.network
            if key in owners:
                raise PluginError(f"{_where(name, lookup)}: look-up network {lookup.network!r} "
                                  f"is already supplied by plugin {owners[key]!r}, which came "
                                  "first; network codes must be unique across plugins")
            owners[key] = name
            lookups[lookup.network] = lookup

    items: dict[str, ApprovalItem] = {}
    for name, answer in _answers(pm, "onewindow_approval_items"):
        for item in _sequence(name, "onewindow_approval_items", answer, ApprovalItem):
            key = "item:" + item.code
            where = f"{_where(name, item)}: item {item.code}"
            if key in owners:
                raise PluginError(f"{where}: duplicate item code {item.code!r}, already "
                                  f"supplied by plugin {owners[key]!r}")
            problems = [f"{where}: {line}" for line in item_problems(item)]
            if item.section not in sections:
                problems.append(f"{where}: section: no plugin supplies section {item.section!r}")
            problems.extend(
                f"{where}: lookups[{use.network}].network: no plugin supplies network "
                f"{use.network!r}" for use in item.lookups if use.network not in lookups)
            if problems:
                raise PluginError("; ".join(problems))
            owners[key] = name
            items[item.code] = item

    checks: list[MaterialCheck] = []
    for name, answer in _answers(pm, "onewindow_material_checks"):
        for check in _sequence(name, "onewindow_material_checks", answer, MaterialCheck):
            item = items.get(check.item)
            if item is None:
                raise PluginError(f"plugin {name!r}: material check names unknown item "
                                  f"{check.item!r}")
            try:
                material = item.material(check.material)
            except KeyError as exc:
                raise PluginError(f"plugin {name!r}: material check: {exc.args[0]}") from None
            if check.point not in {p.code for p in material.review_points}:
                source = source_of(item)
                raise PluginError(f"plugin {name!r}: material check: item {item.code} material "
                                  f"{material.code} has no review point {check.point!r}"
                                  + (f" in {source}" if source else ""))
            checks.append(check)

    return Registry(pm=pm, catalogue=Catalogue(sections=sections, items=items),
                    lookups=lookups, checks=tuple(checks), owners=owners)


def load_registry(plugins: Iterable[Any] = (), *, load_entry_points: bool = True) -> Registry:
    """The usual start-up: plugin manager, then the checked registry."""
    return build_registry(get_plugin_manager(plugins, load_entry_points=load_entry_points))


def _failing_entry_point() -> str:
    """The name of the first ``onewindow`` entry point that does not import."""
    for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            entry_point.load()
        except Exception:  # noqa: BLE001
            return entry_point.name
    return "(unknown)"
