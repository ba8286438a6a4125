#!/usr/bin/python3
"""Linear-time budget for the inputs that once took quadratic time (issue 11, item 14).

usage: budget.py LETTERMERGE AREA_DIR

For each case a small input (n) and a large one (ratio x n) are run through
the real binary; start-up time (an empty letter) is taken off both.  The case
fails when the large one takes more than ten times what linear growth from the
small one allows.  Prints one line a case and exits 1 when any failed.
"""
import os
import subprocess
import sys
import tempfile
import time

BIN, AREA = sys.argv[1], sys.argv[2]
RATIO = 64


def letter(body, fm=''):
    return '---\ntitle: t\n' + fm + '---\n' + body + '\n'


CASES = [
    # many {{tags}} on one line: every tag's column was counted from the line start
    ('tags on one line', lambda n: letter('{{area.name}} ' * n), 2500, ['check'], 0),
    # a section's output on one long line, escaped for Markdown: the line was rescanned per value
    ('section output on one line', lambda n: letter('{{#area.name}}{{area.name}} {{/area.name}}' * n), 1000, ['check'], 0),
    # many front matter keys: each was looked up among all before it
    # (they are unknown keys: check says so, after reading them all)
    ('front matter keys', lambda n: letter('x', ''.join('k%d: v\n' % i for i in range(n))), 1000, ['check'], 1),
    # deeply nested lists in check --structure: each element's children were searched among all
    ('nested lists, --structure', lambda n: letter('- ' * n + 'x'), 1250, ['check', '--structure'], 0),
]


def run(path, extra, want):
    args = [BIN, extra[0], path, '--area', AREA, '-q', '-d', '2015-03-17', '--stale-after', '36500'] + extra[1:]
    t = time.monotonic()
    p = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)
    t = time.monotonic() - t
    # a run stopped early by another limit measures nothing
    if p.returncode != want:
        raise RuntimeError('exit %d, wanted %d: %s' % (p.returncode, want, p.stderr[:300]))
    return t


def main():
    failed = 0
    with tempfile.TemporaryDirectory() as d:
        def timed(text, extra, want, reps):
            p = os.path.join(d, 'l.md')
            with open(p, 'w') as f:
                f.write(text)
            return min(run(p, extra, want) for _ in range(reps))
        for name, make, n, extra, want in CASES:
            t0 = timed(letter('x'), extra, 0, 3)
            small = max(timed(make(n), extra, want, 3) - t0, 0.01)
            try:
                large = timed(make(n * RATIO), extra, want, 1) - t0
            except subprocess.TimeoutExpired:
                large = float('inf')
            allowed = 10 * small * RATIO
            ok = large <= allowed
            failed += not ok
            print('%s %s: n=%d %.3f s, %dn %.3f s (linear budget x10: %.3f s)' %
                  ('ok' if ok else 'FAIL', name, n, small, RATIO, large, allowed))
    print('budget: %d passed, %d failed' % (len(CASES) - failed, failed))
    return 1 if failed else 0


sys.exit(main())
