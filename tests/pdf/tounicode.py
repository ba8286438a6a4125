#!/usr/bin/env python3
"""Every glyph code a page shows has a ToUnicode entry (PDF/UA-1 7.21.7),
reading two-byte codes for Identity-H fonts and one-byte codes otherwise.
A glyph that is one of several in a cluster (a Nastaliq word, a Bengali
conjunct) must be mapped too, even though /ActualText carries its text.
usage: tounicode.py FILE.pdf...   exit 1 naming the codes that are not."""
import collections
import re
import sys

import pikepdf


def unmapped(path):
    miss = collections.Counter()
    with pikepdf.open(path) as pdf:
        for n, page in enumerate(pdf.pages, 1):
            fonts = {}
            for name, font in page.Resources.get('/Font', {}).items():
                enc = font.get('/Encoding')
                two = isinstance(enc, pikepdf.Name) and enc == pikepdf.Name('/Identity-H')
                cmap = font.ToUnicode.read_bytes().decode('latin1') if '/ToUnicode' in font else ''
                codes = {int(a, 16) for a, _ in re.findall(r'<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>', cmap)}
                fonts[str(name)] = (two, codes)
            cur = None
            for operands, op in pikepdf.parse_content_stream(page):
                op = str(op)
                if op == 'Tf':
                    cur = str(operands[0])
                elif op in ('Tj', 'TJ') and cur in fonts:
                    two, codes = fonts[cur]
                    strs = [x for x in operands[0] if isinstance(x, pikepdf.String)] if op == 'TJ' else [operands[0]]
                    for s in strs:
                        b = bytes(s)
                        shown = [b[i] << 8 | b[i + 1] for i in range(0, len(b) - 1, 2)] if two else list(b)
                        for c in shown:
                            if c not in codes:
                                miss[(n, cur, c)] += 1
    return miss


bad = 0
for path in sys.argv[1:]:
    m = unmapped(path)
    if m:
        bad = 1
        print(f'{path}: {sum(m.values())} glyphs shown with no ToUnicode entry, e.g. '
              + ', '.join(f'page {p} {f} code {c}' for p, f, c in list(m)[:5]))
sys.exit(bad)
