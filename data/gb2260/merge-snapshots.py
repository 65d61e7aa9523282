#!/usr/bin/env python3
"""Merge GB/T 2260 snapshots (MCA lists in the cn/GB2260 "mca/YYYYMM.tsv" layout:
Source<TAB>Revision<TAB>Code<TAB>Name) into data/gb2260/regions.tsv.

For every code seen in any snapshot the output keeps
  code, full name, first_seen (year), last_seen (year)
The code's own name is the newest one. The full name joins province + prefecture +
county; the province and prefecture names are taken from the snapshot in which the code
was last seen (so a county retired in 1995 is shown under the prefecture it belonged
to then), falling back to the newest name of that code. Placeholder names such as
市辖区 / 县 / 省直辖县级行政区划 are skipped.

usage: merge-snapshots.py OUT.tsv SNAPSHOT.tsv...
"""
import os
import re
import sys

PLACEHOLDERS = {
    "市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划",
    "省直辖行政单位", "直辖县级行政区划",
}


def read_snapshot(path):
    year = int(re.match(r"(\d{4})", os.path.basename(path)).group(1))
    names = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\r\n").split("\t")
            if len(cols) < 4 or not cols[2].isdigit() or len(cols[2]) != 6:
                continue
            names.setdefault(cols[2], cols[3].strip())
    return year, names


def main():
    out_path, paths = sys.argv[1], sys.argv[2:]
    snaps = sorted((read_snapshot(p) for p in paths), key=lambda s: s[0])
    seen = {}
    for year, names in snaps:
        for code in names:
            first, last = seen.get(code, (year, year))
            seen[code] = (min(first, year), max(last, year))
    newest = {}
    for year, names in snaps:  # later snapshots overwrite earlier names
        newest.update(names)
    by_year = dict(snaps)

    def name_at(code, year):
        n = by_year[year].get(code) or newest.get(code)
        return None if n is None or n in PLACEHOLDERS else n

    rows = []
    for code in sorted(seen):
        first, last = seen[code]
        prov, pref = code[:2] + "0000", code[:4] + "00"
        parts = []
        if code != prov:
            p = name_at(prov, last)
            if p:
                parts.append(p)
            if code != pref and pref != prov:
                q = name_at(pref, last)
                if q:
                    parts.append(q)
        parts.append(newest[code])
        rows.append((code, "".join(parts), first, last))
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("code\tname\tfirst_seen\tlast_seen\n")
        for r in rows:
            f.write("%s\t%s\t%d\t%d\n" % r)
    print("%s: %d codes from %d snapshots" % (out_path, len(rows), len(snaps)))


if __name__ == "__main__":
    main()
