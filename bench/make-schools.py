#!/usr/bin/env python3
"""Writes N synthetic schools (urn, name, address lines, postcode) as CSV.

The names and streets are made up from word lists; postcodes follow the
UK format but are not real addresses.  Deterministic for a given N."""
import csv
import random
import sys

n = int(sys.argv[1])
out = sys.argv[2] if len(sys.argv) > 2 else "-"
rng = random.Random(n)
saints = ["St Mary's", "St John's", "Holy Cross", "St Anne's", "Christ Church", "St Paul's"]
places = ["Anfield", "Walton", "Everton", "Kirkdale", "Wavertree", "Garston", "Allerton",
          "Speke", "Woolton", "Childwall", "Norris Green", "Croxteth", "Fazakerley"]
kinds = ["Primary School", "C of E Primary", "Catholic Primary", "Academy", "High School",
         "Junior School", "Infant School"]
streets = ["Church Lane", "Park Road", "Mill Street", "School Lane", "Queens Drive",
           "Green Lane", "Station Road", "Victoria Street", "Manor Road"]
fp = sys.stdout if out == "-" else open(out, "w", newline="", encoding="utf-8")
w = csv.writer(fp)
w.writerow(["urn", "name", "address_line_1", "address_line_2", "address_line_3",
            "address_line_4", "postcode"])
for i in range(n):
    place = rng.choice(places)
    name = (rng.choice(saints) + " " if rng.random() < 0.3 else place + " ") + rng.choice(kinds)
    street = f"{rng.randint(1, 250)} {rng.choice(streets)}"
    pc = f"L{rng.randint(1, 36)} {rng.randint(0, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
    w.writerow([100000 + i, name, "The Headteacher", name, street, f"{place}, Liverpool", pc])
