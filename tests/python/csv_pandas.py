"""pandas' side of the trials.csv interop tests (pandas 1.5, as Python AxoPy uses it).

Usage:
  csv_pandas.py write SPEC.json OUTDIR   write OUTDIR/<name>.csv for each trial sequence in SPEC
                                         as AxoPy's TrialWriter would; print {name: {stable}}
  csv_pandas.py read FILE...             print {FILE: {columns, dtypes, values} | {error}}

Cells travel as tagged JSON: {"i": "123"} int, {"f": "0.1"} float (Python repr, inf, nan),
{"b": true} bool, {"s": "text"} str, null None. A trial is a list of [column, cell] pairs
(a list keeps integer-like column names in order).
"""
import io
import json
import math
import sys
import warnings

import pandas


def from_tag(cell):
    if cell is None:
        return None
    (tag, value), = cell.items()
    return {"i": int, "f": float, "b": bool, "s": str}[tag](value)


def to_tag(value):
    if isinstance(value, bool):
        return {"b": value}
    if isinstance(value, int):
        return {"i": str(value)}
    if isinstance(value, float):
        return {"f": repr(value)}
    if isinstance(value, str):
        return {"s": value}
    raise TypeError(f"unexpected cell {value!r} of type {type(value)}")


def union_frame(trials):
    """AxoPy's dict of column lists; a trial lacking a column holds None there (AxoPy itself
    raises when trials differ; this is the frame FORMAT.md says this project writes)."""
    columns = {}
    for trial in trials:
        for name, _ in trial:
            columns.setdefault(name, [])
    for trial in trials:
        cells = {name: from_tag(cell) for name, cell in trial}
        for name, values in columns.items():
            values.append(cells.get(name))
    return pandas.DataFrame(columns)


def csv_text(frame):
    return frame.to_csv(index=False)


def write(spec_path, outdir):
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    report = {}
    for name, trials in spec.items():
        final = csv_text(union_frame(trials))
        with open(f"{outdir}/{name}.csv", "w", encoding="utf-8", newline="") as f:
            f.write(final)
        # Stable: AxoPy's rewrite after each trial never changes an earlier row (the frame of
        # each prefix, over the final columns, writes the same lines as the final file).
        final_lines = final.split("\n")
        final_columns = union_frame(trials).columns
        stable = True
        for k in range(1, len(trials)):
            frame = union_frame(trials[:k]).reindex(columns=final_columns)
            lines = csv_text(frame).split("\n")
            if lines[1:k + 1] != final_lines[1:k + 1]:
                stable = False
                break
        report[name] = {"stable": stable}
    print(json.dumps(report))


def read(paths):
    warnings.simplefilter("ignore")
    out = {}
    for path in paths:
        try:
            frame = pandas.read_csv(path)
        except Exception as error:  # reported to the test, which expects some files to fail
            out[path] = {"error": f"{type(error).__name__}: {error}"}
            continue
        out[path] = {
            "columns": [str(c) for c in frame.columns],
            "dtypes": [str(t) for t in frame.dtypes],
            "values": [[to_tag(v) for v in frame[c].tolist()] for c in frame.columns],
        }
    print(json.dumps(out))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "write":
        write(*args)
    elif command == "read":
        read(args)
    else:
        sys.exit(f"unknown command {command}")
