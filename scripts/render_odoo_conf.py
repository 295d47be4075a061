#!/usr/bin/env python3
"""Render the effective Odoo configuration from the committed template.

Usage: render_odoo_conf.py TEMPLATE OUTPUT --repo DIR --odoo-home DIR
       [--admin-passwd-file FILE] [--set KEY=VALUE ...]

* ``addons_path``: ``$ODOO_HOME`` is expanded, relative entries are resolved
  against the repository root, missing folders are dropped (an error if
  Odoo's own ``$ODOO_HOME/odoo/addons`` is not left).
* ``data_dir`` / ``screenshots``: made absolute (relative to the repo).
* keys with an empty value are left out, so that Odoo's defaults apply.
* ``admin_passwd``: from ``$ODOO_ADMIN_PASSWD`` if set, else read from
  ``--admin-passwd-file``, which is created with a random password (mode 600)
  when it does not exist yet.

Only the standard library is used.
"""

import argparse
import configparser
import os
import secrets
import sys

PATH_KEYS = ("data_dir", "screenshots", "logfile", "pidfile")


def _admin_password(path):
    env = os.environ.get("ODOO_ADMIN_PASSWD")
    if env:
        return env
    if not path:
        return None
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(24) + "\n")
    with open(path) as fh:
        return fh.read().strip()


def _addons_path(value, repo, odoo_home):
    entries = []
    for raw in value.split(","):
        raw = raw.strip()
        if not raw:
            continue
        expanded = raw.replace("${ODOO_HOME}", odoo_home).replace(
            "$ODOO_HOME", odoo_home
        )
        expanded = os.path.expanduser(expanded)
        if not os.path.isabs(expanded):
            expanded = os.path.join(repo, expanded)
        expanded = os.path.realpath(expanded)
        if os.path.isdir(expanded) and expanded not in entries:
            entries.append(expanded)
    return entries


def render(template, repo, odoo_home, admin_passwd_file=None, overrides=()):
    parser = configparser.RawConfigParser()
    parser.optionxform = str  # keep key case
    with open(template) as fh:
        parser.read_file(fh)
    if not parser.has_section("options"):
        raise SystemExit(f"{template}: no [options] section")
    opts = parser["options"]
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--set expects KEY=VALUE, got {item!r}")
        opts[key.strip()] = value.strip()

    addons = _addons_path(opts.get("addons_path", "addons"), repo, odoo_home)
    odoo_addons = os.path.realpath(os.path.join(odoo_home, "odoo", "addons"))
    if odoo_addons not in addons:
        raise SystemExit(
            f"addons_path: Odoo's own addons folder {odoo_addons} is missing"
        )
    opts["addons_path"] = ",".join(addons)

    for key in PATH_KEYS:
        value = opts.get(key, "").strip()
        if value and value not in ("False", "None") and not os.path.isabs(value):
            opts[key] = os.path.realpath(os.path.join(repo, value))

    for key in [k for k, v in opts.items() if v.strip() == ""]:
        del opts[key]

    passwd = _admin_password(admin_passwd_file)
    if passwd:
        opts["admin_passwd"] = passwd
    return parser


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("template")
    ap.add_argument("output")
    ap.add_argument("--repo", required=True)
    ap.add_argument("--odoo-home", required=True)
    ap.add_argument("--admin-passwd-file")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args(argv)

    repo = os.path.realpath(args.repo)
    parser = render(
        args.template,
        repo,
        os.path.realpath(args.odoo_home),
        args.admin_passwd_file,
        args.set,
    )
    out_dir = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(out_dir, exist_ok=True)
    tmp = args.output + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(
            "; GENERATED from odoo.conf by scripts/render_odoo_conf.py -- "
            "do not edit, edit odoo.conf instead\n"
        )
        parser.write(fh)
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
