"""The ``onewindow`` command line, run as a user would run it: in a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args, home, env_extra=None):
    env = {**os.environ, "ONEWINDOW_HOME": str(home), "ONEWINDOW_AUDIT_KEY": "cli-test-key",
           "ONEWINDOW_SECRET_KEY": "cli-test-secret"}
    if "ONEWINDOW_TEST_DATABASE_URL" in os.environ:
        env["ONEWINDOW_DATABASE_URL"] = os.environ["ONEWINDOW_TEST_DATABASE_URL"]
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "onewindow.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def home(tmp_path, onewindow_unmigrated_settings):  # a test PostgreSQL without tables
    return tmp_path


def test_plugins_lists_the_enterprise_plugin(home):
    result = run("plugins", home=home)
    assert result.returncode == 0
    assert any(line.split("\t")[:2] == ["enterprise", "onewindow-enterprise"]
               for line in result.stdout.splitlines())


def test_catalogue_check_and_export(home):
    check = run("catalogue", "check", home=home)
    assert check.returncode == 0 and check.stdout.startswith("catalogue ok:")
    export = run("catalogue", "export", "--format", "json", home=home)
    data = json.loads(export.stdout)
    enterprise = next(s for s in data["sections"] if s["code"] == "enterprise")
    assert enterprise["plugin"] == "enterprise" and len(enterprise["items"]) >= 3
    item = enterprise["items"][0]
    assert item["materials"][0]["review_points"] and item["legal_basis"]
    assert any(n["network"] == "credit-registry" for n in data["networks"])


def test_catalogue_docs_writes_the_reference(home, tmp_path):
    output = tmp_path / "catalogue.md"
    result = run("catalogue", "docs", "-o", str(output), home=home)
    assert result.returncode == 0, result.stderr
    assert output.read_text(encoding="utf-8") == (ROOT / "docs" / "catalogue.md").read_text(
        encoding="utf-8")


def test_db_upgrade_demo_load_and_audit_verify(home):
    first = run("db", "upgrade", home=home)
    assert first.returncode == 0 and "m0001_initial" in first.stdout
    assert "up to date" in run("db", "upgrade", home=home).stdout
    demo = run("demo", "load", home=home)
    assert demo.returncode == 0, demo.stderr
    assert "staff window1 created" in demo.stdout
    again = run("demo", "load", home=home)
    assert again.returncode == 0 and "staff window1 created" not in again.stdout
    verify = run("audit", "verify", home=home)
    assert verify.returncode == 0 and "intact" in verify.stdout
    tampered = run("audit", "verify", home=home, env_extra={"ONEWINDOW_AUDIT_KEY": "wrong"})
    assert tampered.returncode == 1
    assert tampered.stderr.startswith("onewindow: error: audit row seq 1")


def test_errors_are_one_line_and_non_zero(home):
    result = run("audit", "verify", home=home,
                 env_extra={"ONEWINDOW_DATABASE_URL": "mysql://nowhere/x"})
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("onewindow: error:")
    unmigrated = run("audit", "verify", home=home)
    assert unmigrated.returncode == 1 and unmigrated.stderr.count("\n") == 1
    assert "onewindow db upgrade" in unmigrated.stderr
    usage = run("catalogue", "frobnicate", home=home)
    assert usage.returncode == 2


def install_broken_section(tmp_path, *replacements):
    """The sample catalogue with ``replacements``, installed as a real distribution with an
    entry point (``brokensection``); returns the PYTHONPATH entry that installs it."""
    site = tmp_path / "site"
    package = site / "onewindow_brokensection"
    package.mkdir(parents=True)
    text = (ROOT / "tests" / "data" / "sample_catalogue.toml").read_text(encoding="utf-8")
    for old, new in (('code = "sample"', 'code = "broken"'), *replacements):
        assert old in text, old
        text = text.replace(old, new, 1)
    (package / "catalogue.toml").write_text(text, encoding="utf-8")
    (package / "__init__.py").write_text(
        "from pathlib import Path\n"
        "from onewindow import hookimpl\n"
        "from onewindow.catalogue_file import load_catalogue_file\n\n"
        "@hookimpl\n"
        "def onewindow_approval_items():\n"
        "    return load_catalogue_file(Path(__file__).parent / 'catalogue.toml').items\n",
        encoding="utf-8")
    dist = site / "onewindow_brokensection-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: onewindow-brokensection\n"
                                   "Version: 0.1\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[onewindow]\nbrokensection = onewindow_brokensection\n",
                                           encoding="utf-8")
    return str(site)


@pytest.mark.parametrize(("replacement", "fault"), [
    (('seal_rule = "head_office"', 'seal_rule = "branch_office"'),
     "item sample-permit: materials[application].seal_rule: 'branch_office'"),
    (('{ code = "valid", text = "身份证在有效期内", requirement = "hard" }',
      '{ code = "valid", text = "身份证在有效期内", requirement = "advice" }'),
     "item sample-permit: materials[id-copy].review_points: a required material needs at least "
     "one hard review point"),
    (("copies = 2", 'copies = "2"'),
     "item sample-simple: materials[form].copies: must be a whole number, got the text '2'"),
])
def test_catalogue_check_names_a_broken_installed_plugin(home, tmp_path, replacement, fault):
    site = install_broken_section(tmp_path, replacement)
    result = run("catalogue", "check", home=home, env_extra={"PYTHONPATH": site})
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    message = result.stderr
    assert message.startswith("onewindow: error: plugin 'brokensection':")
    assert str(tmp_path / "site" / "onewindow_brokensection" / "catalogue.toml") in message
    assert fault in message
