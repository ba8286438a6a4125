#!/usr/bin/env python3
"""Draw SYNTHETIC signature images for the signatories of every area.

These are not anyone's real signature: each is a random-looking squiggle,
deterministic for a given name (the name seeds the generator), so re-running
the script rewrites byte-identical files.  Real signatures must never be
committed to this repository.

For every areas/<id>/signatories.csv, each row whose `signature` column names
a .png file gets that file written next to the CSV: 270x90 pixels, 8-bit
RGBA, dark blue ink on a transparent background.

Usage: scripts/make-signatures.py [AREAS_DIR]   (default: areas/ beside scripts/)

Python 3 standard library only (the PNG is written with zlib + struct).
"""

import csv
import hashlib
import math
import os
import random
import struct
import sys
import zlib

# about 150 pixels to the inch at the 15 mm height the letter prints them
WIDTH, HEIGHT = 270, 90
MARGIN = 8
INK = (22, 38, 112)  # dark blue


def png_bytes(width, height, rgba_rows):
    """Encode rows of RGBA bytes (each width*4 long) as a PNG file."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rgba_rows)  # filter type 0 on every row
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def squiggle(rng):
    """Points (x, y, pen radius) of one cursive-looking stroke plus a flourish."""
    letters = rng.randint(6, 10)
    n = 1600
    xa = [(rng.uniform(0.25, 0.45), letters * rng.uniform(0.95, 1.05), rng.uniform(0, 2 * math.pi))]
    ya = [(rng.uniform(0.8, 1.0), letters * rng.uniform(0.95, 1.05), rng.uniform(0, 2 * math.pi)),
          (rng.uniform(0.15, 0.35), rng.uniform(1.0, 3.0), rng.uniform(0, 2 * math.pi))]
    tall = [rng.uniform(0.5, 1.6) for _ in range(letters + 2)]  # per-letter height
    slope = rng.uniform(-0.15, 0.1)
    pts = []
    for i in range(n):
        t = i / (n - 1)
        step = 1.0 / letters
        x = t + sum(a * step * math.sin(2 * math.pi * f * t + p) for a, f, p in xa)
        k = min(int(t * letters), letters)
        amp = tall[k] + (tall[k + 1] - tall[k]) * (t * letters - k)
        y = amp * ya[0][0] * math.sin(2 * math.pi * ya[0][1] * t + ya[0][2])
        y += ya[1][0] * math.sin(2 * math.pi * ya[1][1] * t + ya[1][2]) + slope * t * 4
        pts.append((x, y))
    # a flourish under the name, from near the end back towards the start
    x0 = rng.uniform(0.05, 0.3)
    x1 = rng.uniform(0.75, 1.0)
    base = min(y for _, y in pts) - rng.uniform(0.2, 0.5)
    sag = rng.uniform(-0.3, 0.3)
    flourish = []
    for i in range(500):
        u = i / 499
        flourish.append((x1 + (x0 - x1) * u, base + sag * math.sin(math.pi * u)))
    # scale both into the image, keeping the aspect ratio roughly natural
    allp = pts + flourish
    minx = min(p[0] for p in allp); maxx = max(p[0] for p in allp)
    miny = min(p[1] for p in allp); maxy = max(p[1] for p in allp)
    sx = (WIDTH - 2 * MARGIN) / (maxx - minx)
    sy = (HEIGHT - 2 * MARGIN) / (maxy - miny)
    shear = rng.uniform(0.15, 0.35)  # slant to the right

    def place(p):
        y = HEIGHT - MARGIN - (p[1] - miny) * sy  # image y grows downwards
        x = MARGIN + (p[0] - minx) * sx + shear * (y - HEIGHT / 2)
        return x, y

    stroke = [place(p) for p in pts]
    under = [place(p) for p in flourish]
    # keep the slant inside the frame
    lo = min(x for x, _ in stroke + under); hi = max(x for x, _ in stroke + under)
    fit = (WIDTH - 2 * MARGIN) / (hi - lo)
    out = []
    for line, width in ((stroke, rng.uniform(1.0, 1.35)), (under, rng.uniform(0.7, 1.0))):
        for j, (x, y) in enumerate(line):
            pressure = 0.75 + 0.25 * math.sin(j / len(line) * math.pi)
            out.append(((x - lo) * fit + MARGIN, y, width * pressure, j == 0))
    return out


def rasterise(points):
    """Alpha coverage (0..1) of round pen stamps along the polylines."""
    alpha = [0.0] * (WIDTH * HEIGHT)

    def stamp(cx, cy, r):
        for py in range(max(0, int(cy - r - 1)), min(HEIGHT, int(cy + r + 2))):
            for px in range(max(0, int(cx - r - 1)), min(WIDTH, int(cx + r + 2))):
                d = math.hypot(px + 0.5 - cx, py + 0.5 - cy)
                c = r + 0.5 - d
                if c > 0:
                    i = py * WIDTH + px
                    c = 1.0 if c > 1 else c
                    if c > alpha[i]:
                        alpha[i] = c

    prev = None
    for x, y, r, start in points:
        if prev is None or start:
            stamp(x, y, r)
        else:
            px, py, pr = prev
            steps = max(1, int(math.hypot(x - px, y - py) / 0.4))
            for s in range(1, steps + 1):
                u = s / steps
                stamp(px + (x - px) * u, py + (y - py) * u, pr + (r - pr) * u)
        prev = (x, y, r)
    return alpha


def signature_png(name):
    seed = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big")
    alpha = rasterise(squiggle(random.Random(seed)))
    rows = []
    for y in range(HEIGHT):
        row = bytearray()
        for x in range(WIDTH):
            a = int(round(alpha[y * WIDTH + x] * 255))
            row += bytes(INK) + bytes([a]) if a else b"\x00\x00\x00\x00"
        rows.append(bytes(row))
    return png_bytes(WIDTH, HEIGHT, rows)


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    areas = argv[1] if len(argv) > 1 else os.path.normpath(os.path.join(here, "..", "areas"))
    written = 0
    for area in sorted(os.listdir(areas)):
        path = os.path.join(areas, area, "signatories.csv")
        if not os.path.isfile(path):
            continue
        with open(path, newline="", encoding="utf-8-sig") as f:
            for row in csv.DictReader(f):
                sig = (row.get("signature") or "").strip()
                if not sig.lower().endswith(".png"):
                    continue
                out = os.path.join(areas, area, sig)
                with open(out, "wb") as g:
                    g.write(signature_png(row["name"]))
                print(f"{out}: synthetic signature for {row['name']}")
                written += 1
    if not written:
        print("no signatories with a .png signature found", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
