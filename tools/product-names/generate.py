#!/usr/bin/env python3
"""Rebuilds tally's product catalog (crates/model/src/catalog/products.tsv) from Microsoft's
"Product names and service plan identifiers for licensing" table.

    tools/product-names/generate.py --git-dir REPO.git docs/identity/users/licensing-service-plan-reference.md \
        > crates/model/src/catalog/products.tsv
    tools/product-names/generate.py SOURCE.md --date 2025-10-29 [--commit SHA] > products.tsv

SOURCE is the markdown page of MicrosoftDocs/entra-docs (its first table: Product name |
String ID | GUID | Service plans included | Service plans included (friendly names)) or the CSV
that Microsoft publishes beside it (Product_Display_Name, String_Id, GUID, Service_Plan_Name,
Service_Plan_Id, ...; one row per plan). With --git-dir the file is read from that repository's
HEAD, and its commit and date are taken from git. Python 3 standard library only.

The output: a header (a `# source` line: the source's path, repository, the commit that last
changed it and that commit's date, tab-separated), then
one product a line, sorted by part number then skuId, tab-separated: skuId, String ID (the
skuPartNumber), product name, then one `servicePlanId:servicePlanName` field per plan, in the
source's order. A row whose GUIDs are malformed is skipped and reported on stderr, as is a
second row for a skuId already seen; a plan listed twice in one product is kept once.
"""

import argparse
import csv
import html
import io
import re
import subprocess
import sys

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
MARKDOWN_HEADER = ["product name", "string id", "guid", "service plans included"]
CSV_HEADER = ["Product_Display_Name", "String_Id", "GUID", "Service_Plan_Name", "Service_Plan_Id"]
LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
# A plan in the markdown: its name, then its id in the last parentheses.
PLAN_ITEM = re.compile(r"^(?P<name>.*)\((?P<id>[^()]*)\)\s*$", re.DOTALL)
MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")


class Skipped(Exception):
    """A source row that cannot be a product."""


def clean(text):
    """One line of text: entities and markdown escapes resolved, any run of whitespace (tabs
    and no-break spaces included) made one space, none at either end."""
    text = MARKDOWN_ESCAPE.sub(r"\1", html.unescape(text))
    return " ".join(text.split())


def guid(text, what):
    text = clean(text)
    if not GUID.match(text):
        raise Skipped(f"{what} is not a GUID: {text!r}")
    return text.lower()


def field(text, what):
    """A name for the output: not empty, and without the tab that separates fields."""
    text = clean(text)
    if not text:
        raise Skipped(f"{what} is empty")
    return text


class Catalog:
    def __init__(self):
        self.products = {}  # skuId -> [part number, name, [(plan id, plan name)]]

    def add_product(self, sku_id, part_number, name):
        if sku_id in self.products:
            raise Skipped(f"skuId {sku_id} was listed before; the first row is kept")
        self.products[sku_id] = [part_number, name, []]

    def add_plan(self, where, sku_id, plan_id, plan_name):
        plans = self.products[sku_id][2]
        if any(known == plan_id for known, _ in plans):
            report(where, f"plan {plan_id} is listed twice for skuId {sku_id}; kept once")
            return
        plans.append((plan_id, plan_name))

    def lines(self):
        order = sorted(self.products.items(), key=lambda item: (item[1][0].lower(), item[0]))
        for sku_id, (part_number, name, plans) in order:
            fields = [sku_id, part_number, name] + [f"{pid}:{pname}" for pid, pname in plans]
            yield "\t".join(fields)


def report(where, message):
    print(f"{where}: {message}", file=sys.stderr)


def split_row(line):
    """The cells of a markdown table row."""
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [cell.strip() for cell in line.split("|")]


def markdown_plans(cell):
    plans = []
    for item in LINE_BREAK.split(cell):
        if not item.strip():
            continue
        match = PLAN_ITEM.match(item.strip())
        if not match:
            raise Skipped(f"a service plan without an id in parentheses: {clean(item)!r}")
        plan_id = guid(match["id"], "a service plan id")
        plans.append((plan_id, field(match["name"], "a service plan name")))
    return plans


def read_markdown(text, path, catalog):
    lines = text.splitlines()
    start = None
    for index, line in enumerate(lines):
        cells = [clean(cell).lower() for cell in split_row(line)] if line.lstrip().startswith("|") else []
        if cells[: len(MARKDOWN_HEADER)] == MARKDOWN_HEADER:
            start = index + 2  # past the header and its --- row
            break
    if start is None:
        sys.exit(f"{path}: no table whose header is {' | '.join(MARKDOWN_HEADER)}")
    for index in range(start, len(lines)):
        line = lines[index]
        if not line.lstrip().startswith("|"):
            break  # the table ends at its first line that is not a row
        where = f"{path}:{index + 1}"
        try:
            cells = split_row(line)
            if len(cells) < 4:
                raise Skipped(f"{len(cells)} cells, not 5")
            sku_id = guid(cells[2], "the GUID")
            part_number = field(cells[1], "the String ID")
            name = field(cells[0], "the product name")
            plans = markdown_plans(cells[3])
            catalog.add_product(sku_id, part_number, name)
        except Skipped as skipped:
            report(where, f"row skipped: {skipped}")
            continue
        for plan_id, plan_name in plans:
            catalog.add_plan(where, sku_id, plan_id, plan_name)


def read_csv(text, path, catalog):
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = next(rows, [])
    if [clean(cell) for cell in header[: len(CSV_HEADER)]] != CSV_HEADER:
        sys.exit(f"{path}: the CSV's header is not {','.join(CSV_HEADER)}")
    seen_rows = {}  # skuId -> whether its first row was taken
    for number, row in enumerate(rows, start=2):
        where = f"{path}:{number}"
        try:
            if len(row) < len(CSV_HEADER):
                raise Skipped(f"{len(row)} cells, not {len(CSV_HEADER)}")
            sku_id = guid(row[2], "the GUID")
            plan_id = guid(row[4], "the Service_Plan_Id")
            plan_name = field(row[3], "the Service_Plan_Name")
            if sku_id not in seen_rows:
                catalog.add_product(sku_id, field(row[1], "the String_Id"), field(row[0], "the product name"))
                seen_rows[sku_id] = True
        except Skipped as skipped:
            report(where, f"row skipped: {skipped}")
            continue
        catalog.add_plan(where, sku_id, plan_id, plan_name)


def git(git_dir, *args):
    return subprocess.run(["git", "--git-dir", git_dir, *args], check=True, capture_output=True, text=True).stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="the markdown page or Microsoft's CSV (a path in --git-dir's repository)")
    parser.add_argument("--git-dir", help="read SOURCE from this repository's HEAD, with its commit and date")
    parser.add_argument("--repo", default="MicrosoftDocs/entra-docs", help="the repository named in the header")
    parser.add_argument("--commit", help="the source's commit, without --git-dir")
    parser.add_argument("--date", help="the source's date (YYYY-MM-DD), without --git-dir")
    args = parser.parse_args()

    if args.git_dir:
        text = git(args.git_dir, "show", f"HEAD:{args.source}")
        # The commit that last changed the file, and its date.
        commit, date = git(args.git_dir, "log", "-1", "--format=%H %cs", "--", args.source).split()
    else:
        with open(args.source, encoding="utf-8") as source:
            text = source.read()
        commit, date = args.commit or "-", args.date
        if not date:
            parser.error("--date is required without --git-dir")
    path = args.source
    catalog = Catalog()
    if text.lstrip("\ufeff").startswith(CSV_HEADER[0]):
        read_csv(text, path, catalog)
    else:
        read_markdown(text, path, catalog)
    if not catalog.products:
        sys.exit(f"{path}: no product read")

    out = sys.stdout
    out.write("# tally's product catalog: Microsoft's \"Product names and service plan identifiers for licensing\".\n")
    out.write("# Generated by tools/product-names/generate.py (see its README); do not edit by hand.\n")
    out.write("# Fields, tab-separated: skuId, skuPartNumber, product name, then servicePlanId:servicePlanName per plan.\n")
    out.write("\t".join(["# source", path, args.repo, commit, date]) + "\n")
    for line in catalog.lines():
        out.write(line + "\n")
    plans = sum(len(product[2]) for product in catalog.products.values())
    print(f"{len(catalog.products)} products, {plans} plans", file=sys.stderr)


if __name__ == "__main__":
    main()
