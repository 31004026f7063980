"""The core distribution installs and works on its own, without a web framework.

Another bureau would ``pip install onewindow`` and drive it from its own code: this builds a
clean virtual environment with only ``core/`` installed, checks Litestar is absent, and runs a
case from opening to issuance on SQLite through the public API.
"""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent("""
    import datetime as dt, importlib.util, sys, types
    from pathlib import Path
    assert importlib.util.find_spec("litestar") is None, "litestar must not come with the core"
    assert importlib.util.find_spec("onewindow_web") is None
    from onewindow import hookimpl
    from onewindow.catalogue_file import load_catalogue_file
    from onewindow.config import Settings
    from onewindow.case import Actor, Role
    from onewindow.lookups import HttpJsonLookup, LookupParam
    from onewindow.plugins import load_registry
    from onewindow.services import open_hall
    from onewindow import audit

    data = load_catalogue_file(sys.argv[1])
    plugin = types.SimpleNamespace(__name__="bureau_plugin")
    plugin.onewindow_section = hookimpl(lambda: data.section)
    plugin.onewindow_section.__name__ = "onewindow_section"
    def onewindow_approval_items(): return data.items
    def onewindow_lookups():
        return [HttpJsonLookup("sample-registry", "样例", (LookupParam("q", "q"),))]
    plugin.onewindow_approval_items = hookimpl(onewindow_approval_items)
    plugin.onewindow_lookups = hookimpl(onewindow_lookups)
    registry = load_registry([plugin], load_entry_points=False)
    home = Path(sys.argv[2])
    hall = open_hall(Settings(home, f"sqlite:///{home / 'bureau.db'}", b"k", b"s" * 32),
                     registry, upgrade=True)
    clerk, approver = Actor("w", Role.WINDOW_STAFF), Actor("a", Role.APPROVER, "sample")
    issuer = Actor("i", Role.ISSUANCE)
    case = hall.open_case(clerk, "sample-simple", {"kind": "person", "name": "王芳",
        "phone": "13904120000", "id_number": "11010519491231002X"})
    hall.review(clerk, case.number, [("form", "signed", "passed", "")])
    for actor, action in [(clerk, "take_in"), (approver, "accept"), (approver, "approve"),
                          (issuer, "issue")]:
        case = hall.act(actor, case.number, action)
    assert case.state.value == "issued", case.state
    assert audit.verify(b"k").ok
    print("core alone: ok", case.number)
""")


def test_core_installs_and_runs_without_the_web(tmp_path):
    venv = tmp_path / "venv"
    uv = shutil.which("uv") or str(ROOT / ".uv-bootstrap" / "bin" / "uv")
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    if Path(uv).exists():
        subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True,
                       env=env)
        subprocess.run([uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"),
                        str(ROOT / "core")], check=True, env=env, timeout=600)
    else:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(ROOT / "core")],
                       check=True, timeout=600)
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", SCRIPT,
         str(ROOT / "tests" / "data" / "sample_catalogue.toml"), str(tmp_path)],
        capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert "core alone: ok" in result.stdout
