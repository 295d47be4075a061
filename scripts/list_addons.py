#!/usr/bin/env python3
"""Print the installable addons of a folder, comma-separated, sorted.

An addon is a sub-folder holding a ``__manifest__.py`` whose ``installable``
key is true (the default).  Only the standard library is used.
"""

import ast
import os
import sys


def installable_addons(addons_dir):
    names = []
    for name in sorted(os.listdir(addons_dir)):
        manifest = os.path.join(addons_dir, name, "__manifest__.py")
        if not os.path.isfile(manifest):
            continue
        with open(manifest) as fh:
            data = ast.literal_eval(fh.read())
        if data.get("installable", True):
            names.append(name)
    return names


def main(argv):
    addons_dir = argv[1] if len(argv) > 1 else "addons"
    print(",".join(installable_addons(addons_dir)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
