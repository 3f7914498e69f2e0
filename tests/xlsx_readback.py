#!/usr/bin/env python3
"""Reads an XLSX workbook with openpyxl and prints it as JSON:
{"sheets": [{"name": ..., "max_row": n, "max_column": n, "rows": [[cell, ...], ...]}]}
Empty cells are "". Used by the ledger tests to check a real reader's view."""
import json
import sys

import openpyxl


def main():
    wb = openpyxl.load_workbook(sys.argv[1], read_only=False)
    out = {"sheets": []}
    for ws in wb.worksheets:
        rows = []
        for row in ws.iter_rows(values_only=True):
            rows.append(["" if v is None else str(v) for v in row])
        out["sheets"].append({"name": ws.title, "max_row": ws.max_row, "max_column": ws.max_column,
                              "freeze": str(ws.freeze_panes or ""), "rows": rows})
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
