#!/usr/bin/python3
"""check.py [--big] FILE... - what independent readers cannot tell us about
a PDF lettermerge wrote, checked with pikepdf (Debian python3-pikepdf) and
the raw bytes:

  - every revision's cross-reference section is a stream: no classic
    table, so never a hybrid of both; every trailer has an /ID
  - no stream is empty and compressed (a filter over no bytes)
  - no object is unreferenced: every object of the file is reached from
    the trailer (object and cross-reference streams aside)
  - the structure tree walks: every element has a type and points back at
    its parent, every marked-content id has a page, every annotation and
    page that names a /StructParent(s) key is in the parent tree, whose
    nodes' /Limits hold their keys

--big (a print file of thousands of letters): the bytes, the page count
and the parent tree only, as walking millions of objects in Python takes
minutes.  Prints one line per file; exits 1 if any check failed.
"""
import re
import sys

import pikepdf


def fail(msgs, path, what):
    msgs.append("%s: %s" % (path, what))


def check_revisions(data, path, msgs):
    """Follows startxref and /Prev through every cross-reference section."""
    m = re.findall(rb"startxref\s+(\d+)\s+%%EOF", data)
    if not m:
        return fail(msgs, path, "no startxref")
    off, seen, kinds = int(m[-1]), set(), set()
    while off not in seen:
        seen.add(off)
        if data[off:off + 4] == b"xref":
            kinds.add("table")
            t = data.find(b"trailer", off)
            end = data.find(b"startxref", t)
            trailer = data[t:end]
        else:
            mo = re.match(rb"\d+\s+\d+\s+obj\s*<<", data[off:off + 64])
            if not mo:
                return fail(msgs, path, "no cross-reference section at offset %d" % off)
            kinds.add("stream")
            trailer = data[off:data.find(b"stream", off)]
            if b"/Type/XRef" not in trailer.replace(b" ", b""):
                fail(msgs, path, "the object at offset %d is not a cross-reference stream" % off)
        if b"/ID" not in trailer:
            fail(msgs, path, "a trailer without /ID (section at %d)" % off)
        p = re.search(rb"/Prev\s+(\d+)", trailer)
        if not p:
            break
        off = int(p.group(1))
    if "table" in kinds:
        fail(msgs, path, "a classic cross-reference table" + (" and a stream (hybrid)" if "stream" in kinds else ""))
    return len(seen)


def reach(pdf):
    """Object numbers reachable from the trailer."""
    seen = set()
    stack = [pdf.trailer]
    while stack:
        o = stack.pop()
        if isinstance(o, pikepdf.Object) and o.is_indirect:
            if o.objgen in seen:
                continue
            seen.add(o.objgen)
        if isinstance(o, (pikepdf.Dictionary, pikepdf.Stream)):
            stack.extend(o[k] for k in o.keys())
        elif isinstance(o, pikepdf.Array):
            stack.extend(o)
    return seen


def number_tree(node, lo=None, hi=None, out=None, depth=0, path="", msgs=None):
    """The keys of a number tree, checking each node's /Limits."""
    if out is None:
        out = {}
    if depth > 32:
        fail(msgs, path, "the parent tree is deeper than 32")
        return out
    if "/Limits" in node:
        a, b = int(node.Limits[0]), int(node.Limits[1])
    if "/Nums" in node:
        nums = node.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        if keys != sorted(keys):
            fail(msgs, path, "parent tree keys out of order")
        if "/Limits" in node and keys and (keys[0] != a or keys[-1] != b):
            fail(msgs, path, "parent tree leaf /Limits %d..%d but keys %d..%d" % (a, b, keys[0], keys[-1]))
        for i in range(0, len(nums), 2):
            out[int(nums[i])] = nums[i + 1]
    for kid in node.get("/Kids", []):
        number_tree(kid, out=out, depth=depth + 1, path=path, msgs=msgs)
    return out


def walk_tree(pdf, path, msgs):
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return fail(msgs, path, "no structure tree")
    counts = {}
    stack = [(root, None, None)]
    n = 0
    while stack:
        elem, parent, page = stack.pop()
        kids = elem.get("/K")
        if parent is not None:
            n += 1
            s = elem.get("/S")
            if s is None:
                fail(msgs, path, "a structure element without /S")
                continue
            counts[str(s)] = counts.get(str(s), 0) + 1
            if elem.get("/P") is None or elem.P.objgen != parent.objgen:
                fail(msgs, path, "%s element whose /P is not its parent" % s)
            page = elem.get("/Pg", page)
        if kids is None:
            continue
        for k in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            if isinstance(k, int) or (isinstance(k, pikepdf.Object) and k._type_code == pikepdf.ObjectType.integer):
                if page is None:
                    fail(msgs, path, "marked content id %s without a page" % k)
            elif isinstance(k, pikepdf.Dictionary) and k.get("/Type") in ("/MCR", "/OBJR"):
                if k.get("/Pg", page) is None:
                    fail(msgs, path, "%s without a page" % k.Type)
            elif isinstance(k, pikepdf.Dictionary):
                stack.append((k, elem, page))
            else:
                fail(msgs, path, "a structure kid of an unknown kind")
    keys = number_tree(root.ParentTree, path=path, msgs=msgs)
    for i, page in enumerate(pdf.pages):
        sp = page.obj.get("/StructParents")
        if sp is not None and int(sp) not in keys:
            fail(msgs, path, "page %d's /StructParents %d is not in the parent tree" % (i + 1, sp))
        for a in page.obj.get("/Annots", []):
            sp = a.get("/StructParent")
            if sp is None:
                fail(msgs, path, "an annotation on page %d is not in the structure tree" % (i + 1))
            elif int(sp) not in keys:
                fail(msgs, path, "annotation key %d is not in the parent tree" % sp)
    if int(root.ParentTreeNextKey) != (max(keys) + 1 if keys else 0):
        fail(msgs, path, "/ParentTreeNextKey is not one past the last key")
    return n, counts


def main():
    args = sys.argv[1:]
    big = args[:1] == ["--big"]
    if big:
        args = args[1:]
    if not args:
        sys.exit(__doc__)
    bad = 0
    for path in args:
        msgs = []
        data = open(path, "rb").read()
        revs = check_revisions(data, path, msgs)
        pdf = pikepdf.open(path)
        if big:
            keys = number_tree(pdf.Root.StructTreeRoot.ParentTree, path=path, msgs=msgs)
            summary = "%d pages, %d parent tree keys" % (len(pdf.pages), len(keys))
        else:
            streams = 0
            objs = [o for o in pdf.objects if isinstance(o, pikepdf.Object)]
            for o in objs:
                if isinstance(o, pikepdf.Stream):
                    streams += 1
                    if "/Filter" in o and len(o.read_raw_bytes()) == 0:
                        fail(msgs, path, "object %d is an empty compressed stream" % o.objgen[0])
            reached = reach(pdf)
            size = int(pdf.trailer.Size)
            for o in objs:
                if not o.is_indirect or o.objgen in reached:
                    continue
                # qpdf's own: an inherited /MediaBox it moved onto the
                # pages of a tree whose /Pages nodes give it (a print file)
                if o.objgen[0] >= size:
                    continue
                if isinstance(o, pikepdf.Stream) and o.get("/Type") in ("/ObjStm", "/XRef"):
                    continue
                if o._type_code == pikepdf.ObjectType.null:
                    continue
                fail(msgs, path, "object %d is referred to by nothing" % o.objgen[0])
            n, counts = walk_tree(pdf, path, msgs)
            summary = "%d pages, %d structure elements, %d streams" % (len(pdf.pages), n, streams)
        for m in msgs:
            print("FAIL:", m)
        if msgs:
            bad += 1
        else:
            print("%s: ok (%d revisions, %s)" % (path, revs, summary))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
