#!/usr/bin/python3
"""shared.py PRINT.pdf RECIPIENTS.csv PAGES - a print file's pages share what
its letters have in common and keep each letter's own part apart, checked
with pikepdf (Debian python3-pikepdf) and poppler's pdftotext:

  - after the first letter (which has nothing to compare with), the first
    page of every letter draws the same shared content stream objects, and
    one stream of its own that no other letter draws (a copy of a letter,
    `copies` > 1, draws its original's); every later page is one stream,
    the same object in every letter
  - read alone, the shared streams hold the letter's words but none of the
    recipient's address, and the letter's own streams hold its whole
    address and none of the letter's words (pdftotext of the page with
    only those streams in /Contents)
  - marked-content ids are unique on each page across its streams, and each
    has an element in the page's /StructParents entry

PAGES is the letter's page count (every letter the same).  Prints what
failed and exits 1, else one line.
"""
import csv
import re
import subprocess
import sys
import tempfile

import pikepdf


def refs(page):
    c = page.obj.get("/Contents")
    if c is None:
        return []
    return [s.objgen for s in (c if isinstance(c, pikepdf.Array) else [c])]


def page_texts(path):
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, check=True)
    return [" ".join(t.split()) for t in out.stdout.decode("utf-8").split("\f")]


def with_contents(pdf, keep, path):
    """Saves pdf with each page's /Contents cut to the streams keep(i, objgen) says."""
    for i, page in enumerate(pdf.pages):
        c = page.obj.get("/Contents")
        if c is None:
            continue
        streams = [s for s in (c if isinstance(c, pikepdf.Array) else [c]) if keep(i, s.objgen)]
        page.obj.Contents = pikepdf.Array(streams)
    pdf.save(path)


def mcids(data):
    return [int(m) for m in re.findall(rb"/MCID (\d+)", data)]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    path, rows_path, per = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rows = []
    for r in csv.DictReader(open(rows_path, newline="", encoding="utf-8")):
        rows += [r] * int(r.get("copies") or 1)
    msgs = []
    pdf = pikepdf.open(path)
    pages = pdf.pages
    if len(pages) != per * len(rows):
        sys.exit("FAIL: %d pages, want %d letters of %d" % (len(pages), len(rows), per))
    first = [refs(pages[k * per]) for k in range(len(rows))]
    if len({id(r) for r in rows[1:]}) < 2:
        sys.exit("FAIL: give at least three recipients")
    shared = set(first[1])
    for r in first[2:]:
        shared &= set(r)
    own = {}
    for k in range(1, len(rows)):
        r = first[k]
        mine = [g for g in r if g not in shared]
        if len(r) < 2 or set(r) - set(mine) != shared:
            msgs.append("letter %d page 1 draws %s, not the shared %s and its own" % (k + 1, r, sorted(shared)))
        if len(mine) != 1:
            msgs.append("letter %d page 1 has %d streams of its own" % (k + 1, len(mine)))
            continue
        same = rows[k] is rows[k - 1]
        if mine[0] in own and not (same and own.get(mine[0]) == k - 1):
            msgs.append("letter %d draws letter %d's own stream" % (k + 1, own[mine[0]] + 1))
        if same and mine != [g for g in first[k - 1] if g not in shared]:
            msgs.append("letter %d, a copy, has a stream of its own" % (k + 1))
        own[mine[0]] = k
    for j in range(1, per):
        later = {tuple(refs(pages[k * per + j])) for k in range(len(rows))}
        if len(later) != 1 or len(next(iter(later))) != 1:
            msgs.append("page %d of the letters is not one shared stream: %s" % (j + 1, sorted(later)))

    with tempfile.TemporaryDirectory() as tmp:
        first_pages = {k * per for k in range(1, len(rows))}
        with_contents(pikepdf.open(path), lambda i, g: i not in first_pages or g in shared, tmp + "/s.pdf")
        with_contents(pikepdf.open(path), lambda i, g: i not in first_pages or g not in shared, tmp + "/o.pdf")
        ts, to = page_texts(tmp + "/s.pdf"), page_texts(tmp + "/o.pdf")
    for k in range(1, len(rows)):
        i = k * per
        address = [rows[k][c] for c in rows[k] if c.startswith("address_line_") or c == "postcode"]
        address = [a for a in address if a and a != "The Headteacher"]
        for a in address:
            if a in ts[i]:
                msgs.append("letter %d: '%s' is in a shared stream" % (k + 1, a))
            if a not in to[i]:
                msgs.append("letter %d: '%s' is not in its own stream" % (k + 1, a))
        if "Dear Parent/Carer" not in ts[i] or "Dear" in to[i]:
            msgs.append("letter %d: the letter's words are not all in the shared streams" % (k + 1))

    for i, page in enumerate(pages):
        ids = []
        for g in refs(page):
            ids += mcids(pdf.get_object(g).read_bytes())
        if len(ids) != len(set(ids)):
            msgs.append("page %d: a marked-content id is used twice" % (i + 1))
        sp = page.obj.get("/StructParents")
        if ids and sp is None:
            msgs.append("page %d: marked content but no /StructParents" % (i + 1))
            continue
        if ids:
            tree = pdf.Root.StructTreeRoot.ParentTree
            entry = None
            stack = [tree]
            while stack and entry is None:
                node = stack.pop()
                nums = node.get("/Nums", [])
                for n in range(0, len(nums), 2):
                    if int(nums[n]) == int(sp):
                        entry = nums[n + 1]
                stack.extend(node.get("/Kids", []))
            if entry is None or max(ids) >= len(entry):
                msgs.append("page %d: marked-content id %d has no element" % (i + 1, max(ids)))

    for m in msgs:
        print("FAIL:", m)
    if msgs:
        sys.exit(1)
    print("%s: ok (%d letters, %d shared streams, %d of their own)" % (path, len(rows), len(shared), len(own)))


if __name__ == "__main__":
    main()
