#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check that every failure condition of ABI.md has its test, by name.

Condition n of command CMD (a numbered row of the table under the heading
that names CMD, or a row of the hooks table naming CMD) must have a test
function test_<cmd lower>_TC<n> registered in a tests/test_*.c file.
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else \
    pathlib.Path(__file__).resolve().parent.parent
abi = (root / "ABI.md").read_text()
code = "".join(p.read_text() for p in (root / "tests").glob("test_*.c"))

want = []
cmd = None
for line in abi.splitlines():
    h = re.match(r"^### [0-9.]+ ((?:RSI|RMI)_[A-Z_]+)", line)
    if h:
        cmd = h.group(1)
        continue
    if line.startswith("## "):
        cmd = None
    hook = re.match(r"^\| `((?:RMI|RSI)_[A-Z_]+)` \| (\d+) \|", line)
    if hook:
        want.append((hook.group(1), int(hook.group(2))))
        continue
    row = re.match(r"^\| (\d+)(?:[–-](\d+))? \| (?:\*\*)?[a-z_]", line)
    if cmd and row:
        lo = int(row.group(1))
        hi = int(row.group(2) or lo)
        want.extend((cmd, n) for n in range(lo, hi + 1))

missing = []
for c, n in want:
    name = f"test_{c.lower()}_TC{n}"
    # Defined and registered: at least two occurrences, one a call site.
    if len(re.findall(rf"\b{name}\b", code)) < 2:
        missing.append(name)

print(f"{len(want)} ABI.md failure conditions, {len(want) - len(missing)} "
      f"with their test")
for m in missing:
    print(f"missing: {m}")
print(f"{len(want) - len(missing)} passed, {len(missing)} failed")
sys.exit(1 if missing else 0)
