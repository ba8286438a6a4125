#!/usr/bin/env python3
"""Makes the body-image fixtures (committed; run again only to change them):
letters/hubs.png, a 450x225 opaque map-like picture (3 x 1.5 in at 150 dpi),
and letters/rule.png, a 600x12 decorative band."""
import struct, zlib, os

def png(path, w, h, pixel):
    raw = b''.join(b'\0' + b''.join(bytes(pixel(x, y)) for x in range(w)) for y in range(h))
    def chunk(t, d):
        c = t + d
        return struct.pack('>I', len(d)) + c + struct.pack('>I', zlib.crc32(c) & 0xffffffff)
    data = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
    data += chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
    open(path, 'wb').write(data)

here = os.path.dirname(os.path.abspath(__file__))
def hubs(x, y):
    # pale green land, a blue river, three red dots (the hubs)
    if abs(y - 110 - (x - 225) // 6) < 9:
        return (40, 90, 200)
    for cx, cy in ((90, 60), (300, 70), (380, 170)):
        if (x - cx) ** 2 + (y - cy) ** 2 < 220:
            return (200, 30, 30)
    return (200, 230, 190)
png(os.path.join(here, 'letters', 'hubs.png'), 450, 225, hubs)
png(os.path.join(here, 'letters', 'rule.png'), 600, 12, lambda x, y: (31, 58, 96) if 3 <= y < 9 else (255, 255, 255))
