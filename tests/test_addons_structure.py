"""Odoo-free checks of every addon under addons/.

They catch at test time, in seconds, the mistakes that otherwise only show up
when Odoo installs the addon (or silently never loads a file): a manifest
that does not parse, a data/demo file that is listed but missing or present
but not listed, XML that is not well-formed, a duplicated XML id, a Python
module that no ``__init__.py`` imports.
"""

import ast
import csv
import glob
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ADDONS_DIR = REPO / "addons"

# folders whose .xml/.csv files are Odoo data files (loaded through the
# manifest); static/ (QWeb templates of the web client) is not among them
DATA_FOLDERS = ("data", "demo", "security", "views", "reports", "report", "wizards")
# Python sub-packages whose modules must all be imported by their __init__.py
PY_PACKAGES = ("models", "wizards", "wizard", "reports", "report", "controllers")
XML_ID_TAGS = ("record", "template", "menuitem", "act_window", "report")


def _addons():
    if not ADDONS_DIR.is_dir():
        return []
    return sorted(
        p.name for p in ADDONS_DIR.iterdir() if (p / "__manifest__.py").is_file()
    )


ADDONS = _addons()


def _manifest(addon):
    return ast.literal_eval((ADDONS_DIR / addon / "__manifest__.py").read_text())


def _data_files(addon, keys=("data", "demo")):
    manifest = _manifest(addon)
    return [f for key in keys for f in manifest.get(key, [])]


def _imported_modules(init_file):
    """Names imported relatively (``from . import x, y``) by an __init__."""
    tree = ast.parse(init_file.read_text(), filename=str(init_file))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                names.add(node.module.split(".")[0])
            else:
                names.update(alias.name for alias in node.names)
    return names


def test_there_are_addons():
    assert ADDONS, f"no addon (folder with __manifest__.py) under {ADDONS_DIR}"


@pytest.mark.parametrize("addon", ADDONS)
def test_manifest_keys(addon):
    manifest = _manifest(addon)
    assert isinstance(manifest, dict)
    for key in ("name", "version", "license", "depends"):
        assert key in manifest, f"{addon}: manifest has no {key!r}"
    assert re.fullmatch(r"18\.0\.\d+\.\d+\.\d+", manifest["version"]), (
        f"{addon}: version {manifest['version']!r} is not 18.0.x.y.z"
    )
    assert isinstance(manifest["depends"], list)
    for key in ("data", "demo"):
        assert isinstance(manifest.get(key, []), list), f"{addon}: {key} not a list"


@pytest.mark.parametrize("addon", ADDONS)
def test_manifest_dependencies_exist(addon):
    """Every dependency is an addon of this repo or a known external one."""
    local = set(ADDONS)
    for dep in _manifest(addon)["depends"]:
        assert dep != addon, f"{addon} depends on itself"
        assert re.fullmatch(r"[a-z0-9_]+", dep), f"{addon}: bad dependency {dep!r}"
        if dep.startswith("sales_backoffice"):
            assert dep in local, f"{addon}: depends on {dep}, not under addons/"


@pytest.mark.parametrize("addon", ADDONS)
def test_listed_data_files_exist(addon):
    root = ADDONS_DIR / addon
    missing = [f for f in _data_files(addon) if not (root / f).is_file()]
    assert not missing, f"{addon}: files listed in the manifest do not exist: {missing}"


@pytest.mark.parametrize("addon", ADDONS)
def test_data_files_listed_once(addon):
    files = _data_files(addon)
    dupes = sorted({f for f in files if files.count(f) > 1})
    assert not dupes, f"{addon}: listed more than once in data/demo: {dupes}"


@pytest.mark.parametrize("addon", ADDONS)
def test_data_folder_files_are_listed(addon):
    """No .xml/.csv in a data folder that the manifest forgets to load."""
    root = ADDONS_DIR / addon
    listed = {os.path.normpath(f) for f in _data_files(addon)}
    unused = []
    for folder in DATA_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".xml", ".csv"):
                rel = os.path.normpath(path.relative_to(root))
                if rel not in listed:
                    unused.append(rel)
    assert not unused, f"{addon}: data files not in the manifest: {unused}"


@pytest.mark.parametrize("addon", ADDONS)
def test_assets_globs_match(addon):
    """Asset globs pointing into this addon match at least one file."""
    for bundle, entries in _manifest(addon).get("assets", {}).items():
        for entry in entries:
            pattern = entry[-1] if isinstance(entry, list | tuple) else entry
            if not isinstance(pattern, str) or not pattern.startswith(addon + "/"):
                continue
            matches = glob.glob(str(ADDONS_DIR / pattern), recursive=True)
            assert matches, f"{addon}: asset {pattern!r} of {bundle} matches no file"


@pytest.mark.parametrize("addon", ADDONS)
def test_xml_files_parse(addon):
    root = ADDONS_DIR / addon
    errors = []
    for path in sorted(root.rglob("*.xml")):
        try:
            ET.parse(path)
        except ET.ParseError as exc:
            errors.append(f"{path.relative_to(root)}: {exc}")
    assert not errors, f"{addon}: XML not well-formed:\n" + "\n".join(errors)


@pytest.mark.parametrize("addon", ADDONS)
def test_no_duplicate_xml_ids(addon):
    root = ADDONS_DIR / addon
    seen = {}
    dupes = []
    for rel in _data_files(addon):
        path = root / rel
        if path.suffix != ".xml" or not path.is_file():
            continue
        for node in ET.parse(path).getroot().iter():
            if node.tag not in XML_ID_TAGS or not node.get("id"):
                continue
            xid = node.get("id")
            if "." not in xid:
                xid = f"{addon}.{xid}"
            if xid in seen:
                dupes.append(f"{xid} in {seen[xid]} and {rel}")
            seen.setdefault(xid, rel)
    assert not dupes, f"{addon}: duplicate XML ids: {dupes}"


@pytest.mark.parametrize("addon", ADDONS)
def test_csv_files(addon):
    """CSV data files have unique ids, and access rules the right columns."""
    root = ADDONS_DIR / addon
    for rel in _data_files(addon):
        path = root / rel
        if path.suffix != ".csv" or not path.is_file():
            continue
        with path.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert rows, f"{addon}: {rel} has no rows"
        ids = [row["id"] for row in rows]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        assert not dupes, f"{addon}: {rel}: duplicate ids {dupes}"
        if path.name == "ir.model.access.csv":
            required = {"id", "name", "model_id:id", "perm_read"}
            assert required <= set(rows[0]), f"{addon}: {rel}: missing columns"
            for row in rows:
                assert row["model_id:id"], f"{addon}: {rel}: {row['id']} has no model"


@pytest.mark.parametrize("addon", ADDONS)
def test_python_packages_are_imported(addon):
    """models/, wizards/, ... are imported by the addon, and each of their
    modules by the package's __init__.py (else Odoo never loads them)."""
    root = ADDONS_DIR / addon
    top = _imported_modules(root / "__init__.py")
    problems = []
    for pkg in PY_PACKAGES:
        pkg_dir = root / pkg
        py_files = sorted(pkg_dir.glob("*.py")) if pkg_dir.is_dir() else []
        modules = {p.stem for p in py_files if p.name != "__init__.py"}
        if not modules:
            continue
        if not (pkg_dir / "__init__.py").is_file():
            problems.append(f"{pkg}/ has Python modules but no __init__.py")
            continue
        if pkg not in top:
            problems.append(f"{pkg} is not imported by {addon}/__init__.py")
        missing = sorted(modules - _imported_modules(pkg_dir / "__init__.py"))
        if missing:
            problems.append(f"{pkg}/__init__.py does not import {missing}")
    assert not problems, f"{addon}: " + "; ".join(problems)


@pytest.mark.parametrize("addon", ADDONS)
def test_test_modules_are_imported(addon):
    """Odoo's own test runner only finds tests imported by tests/__init__.py."""
    tests_dir = ADDONS_DIR / addon / "tests"
    test_files = sorted(tests_dir.glob("test_*.py")) if tests_dir.is_dir() else []
    if not test_files:
        return  # nothing to import (the odoo tier fails when no addon has tests)
    assert (tests_dir / "__init__.py").is_file(), f"{addon}: tests/__init__.py missing"
    imported = _imported_modules(tests_dir / "__init__.py")
    missing = sorted(p.stem for p in test_files if p.stem not in imported)
    assert not missing, f"{addon}: tests/__init__.py does not import {missing}"


@pytest.mark.parametrize("addon", ADDONS)
def test_python_files_compile(addon):
    root = ADDONS_DIR / addon
    for path in sorted(root.rglob("*.py")):
        compile(path.read_text(), str(path), "exec")
