#!/usr/bin/env python3
"""Count the results of a pytest JUnit XML report.

Prints one line ``passed=N failed=N errors=N skipped=N`` and, on stderr, one
line per skipped test with its reason.  Only the standard library is used.
"""

import sys
import xml.etree.ElementTree as ET


def summarize(path):
    counts = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    skipped = []
    root = ET.parse(path).getroot()
    for case in root.iter("testcase"):
        name = f"{case.get('classname', '')}::{case.get('name', '')}"
        if case.find("failure") is not None:
            counts["failed"] += 1
        elif case.find("error") is not None:
            counts["errors"] += 1
        elif case.find("skipped") is not None:
            counts["skipped"] += 1
            node = case.find("skipped")
            skipped.append((name, node.get("message", "")))
        else:
            counts["passed"] += 1
    return counts, skipped


def main(argv):
    if len(argv) != 2:
        print("usage: junit_summary.py REPORT.xml", file=sys.stderr)
        return 2
    counts, skipped = summarize(argv[1])
    for name, reason in skipped:
        print(f"SKIPPED {name}: {reason}", file=sys.stderr)
    print(" ".join(f"{k}={v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
