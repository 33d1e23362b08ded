#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The security ledger names real tests.

Every `test-NAME:function` in docs/security.md must be a test function of
that executable: defined in tests/test_NAME.c (test-fw-NAME:
firmware-patches/tests/test_NAME.c) with its name at the start of a line
(the return type stands on the line before) and registered, i.e. named at
least once more in the file. Every table row under a mode's heading names
at least one test. Exit 0 when all hold, 1 with one line per problem.
"""
import os
import re
import sys

REF = re.compile(r'`(test-[a-z0-9-]+):([A-Za-z0-9_]+)`')


def source_of(exe, top):
    if exe.startswith('test-fw-'):
        return os.path.join(top, 'firmware-patches', 'tests',
                            'test_' + exe[len('test-fw-'):].replace('-', '_') + '.c')
    return os.path.join(top, 'tests',
                        'test_' + exe[len('test-'):].replace('-', '_') + '.c')


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ledger = os.path.join(top, 'docs', 'security.md')
    with open(ledger, encoding='utf-8') as f:
        lines = f.read().splitlines()
    problems, refs, cache = [], 0, {}
    for n, line in enumerate(lines, 1):
        row = line.startswith('| ') and not line.startswith('|---')
        found = REF.findall(line)
        if row and ' test |' not in line and ' adversary |' not in line \
                and '| **' not in line and not found:
            problems.append('docs/security.md:%d: a guarantee without a test' % n)
        for exe, fn in found:
            refs += 1
            src = source_of(exe, top)
            if src not in cache:
                try:
                    with open(src, encoding='utf-8') as f:
                        cache[src] = f.read()
                except OSError:
                    cache[src] = None
            text = cache[src]
            if text is None:
                problems.append('docs/security.md:%d: %s: no source %s' %
                                (n, exe, os.path.relpath(src, top)))
                continue
            if not re.search(r'^%s\(' % re.escape(fn), text, re.M):
                problems.append('docs/security.md:%d: %s has no test %s()' %
                                (n, exe, fn))
            elif len(re.findall(r'\b%s\b' % re.escape(fn), text)) < 2:
                problems.append('docs/security.md:%d: %s: %s() is never registered' %
                                (n, exe, fn))
    for p in problems:
        print(p)
    if refs == 0:
        print('docs/security.md names no test')
        return 1
    print('security ledger: %d test references, %d problems' % (refs, len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
