#!/usr/bin/env python3
"""Pacemaker side of Pulse's differential fuzzer: one long-lived process per fuzzing thread, so
Python starts once per campaign, not once per CIB.

Reads one JSON request per line on stdin and answers one JSON line on stdout:
  {"cmds": [[argv...], ...],            run in order (crm_simulate to settle or inject); stop at
                                        the first that exits non-zero
   "verify": F,                         crm_verify -x F: a CIB with errors is not a case (warnings
                                        about the state it sees, e.g. a node to fence, are fine)
   "canon": F}                          the canonical form of F (canon.py, crm_simulate -S)
answer: {"ok": true, "canonical": "..."} or {"ok": false, "stage": "cmd|verify|canon", "error": "..."}
argv[1]: the directory holding canon.py (../shared/conformance/tools).
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, sys.argv[1])
import canon  # noqa: E402

ENV = dict(os.environ, LC_ALL="C")
if "CIB_shadow_dir" not in ENV:
    ENV["CIB_shadow_dir"] = tempfile.mkdtemp(prefix="pulse-fuzz-shadow-")


def run(argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, timeout=60)
    return p.returncode, (p.stderr + p.stdout).decode(errors="replace")


def handle(req):
    for argv in req.get("cmds", []):
        rc, out = run(argv)
        if rc != 0:
            return {"ok": False, "stage": "cmd", "error": "%s: rc=%d %s" % (" ".join(argv), rc, out[-2000:])}
    if req.get("verify"):
        rc, out = run(["crm_verify", "-x", req["verify"]])
        # crm_verify also warns about the state it sees (a node to fence, a stop that cannot run):
        # that is the scheduler's business, not an invalid CIB. Errors are.
        if rc != 0 and "Warnings found" not in out:
            # again, verbosely: the warnings say what Pacemaker objects to
            _, out = run(["crm_verify", "-V", "-x", req["verify"]])
            why = [l for l in out.splitlines() if "warning" in l or "error" in l]
            keep = os.environ.get("FUZZ_KEEP_DISCARDS")
            if keep:
                import shutil
                os.makedirs(keep, exist_ok=True)
                shutil.copy(req["verify"], os.path.join(keep, "discard-%d.xml" % len(os.listdir(keep))))
            return {"ok": False, "stage": "verify", "error": "; ".join(why)[-2000:] or out[-2000:]}
    if req.get("canon"):
        try:
            acts, pl = canon.canon(req["canon"])
        except (Exception, SystemExit) as e:  # a crash of crm_simulate is an answer, not our end
            return {"ok": False, "stage": "canon", "error": str(e)[-2000:]}
        return {"ok": True, "canonical": canon.render(acts, pl)}
    return {"ok": True}


for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    try:
        ans = handle(json.loads(line))
    except Exception as e:  # never die on one request: the Java side would wait for an answer
        ans = {"ok": False, "stage": "worker", "error": repr(e)}
    sys.stdout.write(json.dumps(ans) + "\n")
    sys.stdout.flush()
