#!/bin/bash
# Regenerates the golden "Transition Summary" sections CrmSimulateSummaryTest compares `crm simulate`
# with: for every CIB of ../shared/conformance (cases/ and more/cases/), what Debian's crm_simulate
# (pacemaker-cli-utils) prints between "Transition Summary:" and the next blank line for
# `crm_simulate -S -x cib.xml`. Run from anywhere; takes ~1.5 min for 448 CIBs.
#   usage: regenerate.sh [SHARED_DIR]   (default: ../shared beside the repository)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../../.." && pwd)
shared=${1:-$root/../shared}
command -v crm_simulate >/dev/null || { echo "crm_simulate not installed (apt-get install pacemaker-cli-utils)" >&2; exit 1; }
for set in cases more/cases; do
    out="$here/${set//\//-}"
    mkdir -p "$out"
    for d in "$shared/conformance/$set"/*/; do
        name=$(basename "$d")
        crm_simulate -S -x "$d/cib.xml" 2>/dev/null \
            | awk '/^Transition Summary:/{on=1;next} on&&/^$/{exit} on{print}' > "$out/$name.txt" || true
    done
done
echo "crm_simulate $(crm_simulate --version | head -1): $(ls "$here"/cases/*.txt "$here"/more-cases/*.txt | wc -l) summaries in $here"
