"""``sporttrack project metrics PROJECT [--sequence S] [--evaluate] [--json]``: the GUI's
metrics table (Plots ▸ Metrics) on the command line -- MOTA, IDF1, Prec, Rec, IDSW, FP,
FN, MT, ML, Frag with the delta against the raw run, stale runs flagged -- from the same
``eval.project_metrics`` functions. ``--evaluate`` first (re)scores every tracker or
corrected run whose metrics are missing or stale against its sequence's gt and stores
them, as Run ▸ Evaluate does."""

from __future__ import annotations

import sys
from typing import Any

from sporttrack_gui.cli.common import emit

USAGE = "sporttrack project metrics PROJECT [--sequence S] [--evaluate] [--rules R] [--json]"
SCORED_KINDS = ("tracker", "manual")


def show(project_path: str, sequence: str | None, evaluate: bool, rules: str,
         as_json: bool) -> int:
    from sporttrack_gui.eval import project_metrics as pm
    from sporttrack_gui.eval.mot import check_rules
    from sporttrack_gui.project import Project

    check_rules(rules)
    with Project.open(project_path, readonly=not evaluate) as project:
        seqs = project.sequences()
        if sequence is not None:
            seqs = [project.sequence(int(sequence) if sequence.isdigit() and not any(
                s["name"] == sequence for s in seqs) else sequence)]
        scored: list[str] = []
        tables: list[dict[str, Any]] = []
        for seq in seqs:
            if evaluate:
                runs = project.runs(seq["id"])
                states = pm.edit_state(project)
                todo = [r for r in runs if r["kind"] in SCORED_KINDS and not pm.is_sot(r) and (
                    not pm.has_mot_metrics(r) or pm.is_stale(r, runs, states))]
                for r in todo:
                    if pm.evaluate_and_store(project, int(r["id"]), rules) is not None:
                        scored.append(f"{seq['name']}/{r['name']}")
            rows = pm.table_rows(project.runs(seq["id"]), pm.edit_state(project))
            tables.append({"sequence": seq["name"], "rows": rows})
    if as_json:
        emit({"project": str(project_path), "evaluated": scored, "sequences": tables}, True)
        return 0
    out = sys.stdout
    if scored:
        out.write(f"evaluated: {', '.join(scored)}\n")
    heads = ["Run", *(h for _, h, _ in pm.MOT_COLUMNS)]
    for t in tables:
        out.write(f"sequence {t['sequence']}\n")
        lines = [heads] + [[r["name"] + (" (stale)" if r["stale"] else ""),
                            *(r["cells"][k] for k, _, _ in pm.MOT_COLUMNS)] for r in t["rows"]]
        widths = [max(len(str(line[i])) for line in lines) for i in range(len(heads))]
        for line, row in zip(lines, [None, *t["rows"]], strict=True):
            text = "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                             for i, (c, w) in enumerate(zip(line, widths, strict=True)))
            note = f"  {row['note']}" if row is not None and row["note"] and not row["stale"] \
                else ""
            out.write(f"  {text}{note}\n")
    return 0
