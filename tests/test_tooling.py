"""Tests of the project tooling itself (scripts/, odoo.conf), without Odoo."""

import configparser
import importlib.util
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "scripts"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render_odoo_conf = _load("render_odoo_conf")
list_addons = _load("list_addons")
junit_summary = _load("junit_summary")


def _template_options():
    parser = configparser.RawConfigParser()
    parser.read(REPO / "odoo.conf")
    return parser["options"]


# ------------------------------------------------------------- odoo.conf


def test_template_settings():
    opts = _template_options()
    assert opts["http_interface"] == "127.0.0.1"
    assert opts["http_port"] == "8069"
    assert opts["list_db"] == "False"
    assert opts["workers"] == "0"
    assert int(opts["limit_time_real"]) > 0
    assert opts["without_demo"] == "False"
    assert opts["db_host"] == ""
    assert "admin_passwd" not in opts, "never commit the master password"


def test_template_addons_path_is_relative():
    entries = [e.strip() for e in _template_options()["addons_path"].split(",")]
    assert entries[0] == "addons"
    assert "$ODOO_HOME/odoo/addons" in entries
    assert not any(e.startswith("/") for e in entries)


# ------------------------------------------------------------- rendering


@pytest.fixture
def fake_tree(tmp_path):
    repo = tmp_path / "repo"
    (repo / "addons").mkdir(parents=True)
    odoo_home = tmp_path / "odoo"
    (odoo_home / "odoo" / "addons").mkdir(parents=True)
    return repo, odoo_home


def _render(fake_tree, monkeypatch, passwd_file=None, overrides=()):
    repo, odoo_home = fake_tree
    monkeypatch.delenv("ODOO_ADMIN_PASSWD", raising=False)
    parser = render_odoo_conf.render(
        str(REPO / "odoo.conf"), str(repo), str(odoo_home), passwd_file, overrides
    )
    return parser["options"]


def test_render_makes_paths_absolute(fake_tree, monkeypatch):
    repo, odoo_home = fake_tree
    opts = _render(fake_tree, monkeypatch)
    # $ODOO_HOME/addons does not exist in the fake tree: dropped
    assert opts["addons_path"].split(",") == [
        os.path.realpath(repo / "addons"),
        os.path.realpath(odoo_home / "odoo" / "addons"),
    ]
    assert opts["data_dir"] == os.path.realpath(repo / ".run" / "data")
    assert os.path.isabs(opts["screenshots"])


def test_render_keeps_git_checkout_addons(fake_tree, monkeypatch):
    _, odoo_home = fake_tree
    (odoo_home / "addons").mkdir()
    opts = _render(fake_tree, monkeypatch)
    assert opts["addons_path"].split(",")[-1] == os.path.realpath(odoo_home / "addons")


def test_render_drops_empty_values(fake_tree, monkeypatch):
    opts = _render(fake_tree, monkeypatch)
    for key in ("db_host", "db_port", "db_user", "db_password"):
        assert key not in opts
    assert opts["http_interface"] == "127.0.0.1"


def test_render_fails_without_odoo_addons(tmp_path, monkeypatch):
    (tmp_path / "repo" / "addons").mkdir(parents=True)
    with pytest.raises(SystemExit):
        render_odoo_conf.render(
            str(REPO / "odoo.conf"), str(tmp_path / "repo"), str(tmp_path / "none")
        )


def test_render_generates_private_admin_password(fake_tree, monkeypatch, tmp_path):
    passwd_file = tmp_path / "run" / "admin_passwd"
    first = _render(fake_tree, monkeypatch, str(passwd_file))["admin_passwd"]
    assert len(first) >= 24
    assert stat.S_IMODE(passwd_file.stat().st_mode) == 0o600
    second = _render(fake_tree, monkeypatch, str(passwd_file))["admin_passwd"]
    assert second == first, "the generated password is kept across runs"


def test_render_admin_password_from_environment(fake_tree, monkeypatch, tmp_path):
    repo, odoo_home = fake_tree
    monkeypatch.setenv("ODOO_ADMIN_PASSWD", "from-env")
    passwd_file = tmp_path / "admin_passwd"
    parser = render_odoo_conf.render(
        str(REPO / "odoo.conf"), str(repo), str(odoo_home), str(passwd_file)
    )
    assert parser["options"]["admin_passwd"] == "from-env"
    assert not passwd_file.exists()


def test_render_overrides(fake_tree, monkeypatch):
    opts = _render(fake_tree, monkeypatch, overrides=["http_port=18069"])
    assert opts["http_port"] == "18069"
    with pytest.raises(SystemExit):
        _render(fake_tree, monkeypatch, overrides=["no-equal-sign"])


def test_render_cli_writes_private_file(fake_tree, tmp_path):
    repo, odoo_home = fake_tree
    out = tmp_path / "out" / "odoo.conf"
    env = dict(os.environ, ODOO_ADMIN_PASSWD="x")
    subprocess.run(
        [
            sys.executable,
            str(SCRIPTS / "render_odoo_conf.py"),
            str(REPO / "odoo.conf"),
            str(out),
            "--repo",
            str(repo),
            "--odoo-home",
            str(odoo_home),
        ],
        check=True,
        env=env,
    )
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    parser = configparser.RawConfigParser()
    parser.read(out)
    assert parser["options"]["admin_passwd"] == "x"
    assert parser["options"]["list_db"] == "False"


# ------------------------------------------------------------- list_addons


def test_list_addons_skips_non_installable(tmp_path):
    for name, installable in (("b_addon", True), ("a_addon", None), ("c_old", False)):
        (tmp_path / name).mkdir()
        manifest = {"name": name}
        if installable is not None:
            manifest["installable"] = installable
        (tmp_path / name / "__manifest__.py").write_text(repr(manifest))
    (tmp_path / "not_an_addon").mkdir()
    assert list_addons.installable_addons(str(tmp_path)) == ["a_addon", "b_addon"]


def test_list_addons_of_this_repo():
    names = list_addons.installable_addons(str(REPO / "addons"))
    assert "sales_backoffice" in names


# ------------------------------------------------------------- junit_summary


def test_junit_summary_counts(tmp_path):
    report = tmp_path / "r.xml"
    report.write_text(
        """<?xml version="1.0"?>
<testsuites><testsuite name="pytest" tests="5">
  <testcase classname="a" name="ok1"/>
  <testcase classname="a" name="ok2"/>
  <testcase classname="a" name="bad"><failure message="boom"/></testcase>
  <testcase classname="a" name="err"><error message="setup"/></testcase>
  <testcase classname="b" name="skip"><skipped message="no chrome"/></testcase>
</testsuite></testsuites>"""
    )
    counts, skipped = junit_summary.summarize(str(report))
    assert counts == {"passed": 2, "failed": 1, "errors": 1, "skipped": 1}
    assert skipped == [("b::skip", "no chrome")]


# ------------------------------------------------------------- shell scripts


@pytest.mark.parametrize(
    "script", ["odoo_env.sh", "run.sh", "test.sh", "tpch.sh", "bench.sh"]
)
def test_shell_scripts_parse(script):
    path = SCRIPTS / script
    assert path.is_file()
    subprocess.run(["bash", "-n", str(path)], check=True)


def test_ci_run_calls_make_test():
    text = (REPO / ".ci" / "run").read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert "make test" in text


def test_odoo_env_reports_missing_odoo(tmp_path):
    """A missing Odoo tree gives one clear message and exit status 1."""
    env = dict(os.environ, ODOO_HOME=str(tmp_path / "no-odoo"))
    env["ODOO_PYTHON"] = sys.executable
    proc = subprocess.run(
        ["bash", "-c", f"source {SCRIPTS / 'odoo_env.sh'}; echo reached"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "reached" not in proc.stdout
    assert proc.stderr.count("ERROR:") == 1
    assert "Odoo 18.0 not found" in proc.stderr
    assert "ODOO_HOME" in proc.stderr and "README" in proc.stderr


def test_committed_files_name_no_machine_paths():
    """Only the two documented defaults may appear as absolute paths."""
    allowed = ("/opt/odoo", "/opt/odoo-venv/bin/python", "/usr/bin/env")
    files = [
        REPO / "odoo.conf",
        REPO / "Makefile",
        REPO / ".ci" / "run",
        *sorted(SCRIPTS.glob("*.sh")),
    ]
    for path in files:
        for word in path.read_text().split():
            word = word.strip("\"'(){}[];,=:")
            for prefix in ("/work/", "/root/", "/home/", "/tmp/"):
                assert prefix not in word or word.startswith(allowed), (
                    f"{path.name}: machine path {word}"
                )
