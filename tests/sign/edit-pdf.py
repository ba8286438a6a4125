#!/usr/bin/python3
"""edit-pdf.py MODE IN.pdf OUT.pdf - a forger's edit, for the tamper tests.

Appends to IN.pdf one incremental update with a classic cross-reference
table (the bytes of IN.pdf are kept unchanged in front), as a tool that
edits a signed letter "in place" would:

  append-content   page 1 gets a second content stream (a red box)
  replace-content  page 1's first content stream is replaced (same object
                   number) by its text plus a red box
  add-annot        a text comment is added to page 1
  strip-signature  page 1's content replaced, and every signature field
                   taken out of the form and page 1 (to pass the letter off
                   as signed only by whoever signs it next)

pikepdf (Debian python3-pikepdf) only reads the file: it cannot write an
incremental update, so the update is written here as plain bytes.
"""
import re
import sys

import pikepdf

BOX = b"\nq 1 0 0 rg 60 60 120 30 re f Q\n"


def unparse(v):
    if isinstance(v, bytes):
        return v
    if isinstance(v, pikepdf.Object):
        return v.unparse()
    if isinstance(v, bool):
        return b"true" if v else b"false"
    return str(v).encode()


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("append-content", "replace-content", "add-annot",
                                                  "strip-signature"):
        sys.exit(__doc__)
    mode, src, dst = sys.argv[1:]
    data = open(src, "rb").read()
    prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    pdf = pikepdf.open(src)
    # the first leaf of the page tree, read as it is (pdf.pages would copy
    # inherited attributes such as /MediaBox into the page)
    page = pdf.Root.Pages
    while "/Kids" in page:
        page = page.Kids[0]
    size = size0 = int(pdf.trailer.Size)
    objs = {}  # number -> bytes of "N 0 obj ... endobj"

    def stream_obj(num, body):
        return b"%d 0 obj\n<< /Length %d >>\nstream\n" % (num, len(body)) + body + b"\nendstream\nendobj\n"

    def dict_with(obj, key, value):
        # qpdf copies inherited attributes into pages as new objects: not ours
        d = {k: v for k, v in obj.items()
             if not (isinstance(v, pikepdf.Object) and v.is_indirect and v.objgen[0] >= size0)}
        d[key] = value
        parts = [b"<<"]
        for k, v in d.items():
            parts.append(k.encode() + b" " + unparse(v))
        parts.append(b">>")
        return b"%d 0 obj\n" % obj.objgen[0] + b" ".join(parts) + b"\nendobj\n"

    def page_with(key, value):
        return dict_with(page, key, value)

    if mode == "append-content":
        new = size
        size += 1
        objs[new] = stream_obj(new, BOX)
        old = page.Contents
        refs = [c.objgen[0] for c in old] if isinstance(old, pikepdf.Array) else [old.objgen[0]]
        arr = b"[" + b" ".join(b"%d 0 R" % r for r in refs + [new]) + b"]"
        objs[page.objgen[0]] = page_with("/Contents", arr)
    elif mode == "replace-content":
        c = page.Contents
        first = c[0] if isinstance(c, pikepdf.Array) else c
        objs[first.objgen[0]] = stream_obj(first.objgen[0], first.read_bytes() + BOX)
    elif mode == "strip-signature":
        c = page.Contents
        first = c[0] if isinstance(c, pikepdf.Array) else c
        objs[first.objgen[0]] = stream_obj(first.objgen[0], first.read_bytes() + BOX)
        keep = [a.objgen[0] for a in page.get("/Annots", []) if a.get("/FT") != "/Sig"]
        objs[page.objgen[0]] = page_with("/Annots", b"[" + b" ".join(b"%d 0 R" % r for r in keep) + b"]")
        form = pdf.Root.AcroForm
        if form.is_indirect:
            objs[form.objgen[0]] = dict_with(form, "/Fields", b"[]")
        else:
            objs[pdf.Root.objgen[0]] = dict_with(pdf.Root, "/AcroForm", b"<< /Fields [] >>")
    else:
        new = size
        size += 1
        objs[new] = (b"%d 0 obj\n<< /Type /Annot /Subtype /Text /Rect [60 60 80 80] "
                     b"/Contents (Approved) /P %d 0 R >>\nendobj\n" % (new, page.objgen[0]))
        old = page.get("/Annots")
        refs = [a.objgen[0] for a in old] if old is not None else []
        arr = b"[" + b" ".join(b"%d 0 R" % r for r in refs + [new]) + b"]"
        objs[page.objgen[0]] = page_with("/Annots", arr)

    out = bytearray(data)
    if not out.endswith(b"\n"):
        out += b"\n"
    offsets = {}
    for num in sorted(objs):
        offsets[num] = len(out)
        out += objs[num]
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for num in sorted(objs):
        out += b"%d 1\n%010d 00000 n \n" % (num, offsets[num])
    trailer = b"<< /Size %d /Root %d 0 R /Prev %d" % (size, pdf.Root.objgen[0], prev)
    if "/Info" in pdf.trailer:
        trailer += b" /Info %d 0 R" % pdf.trailer.Info.objgen[0]
    if "/ID" in pdf.trailer:
        trailer += b" /ID " + pdf.trailer.ID.unparse()
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    open(dst, "wb").write(out)


main()
