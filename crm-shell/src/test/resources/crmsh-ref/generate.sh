#!/usr/bin/env bash
# Regenerates the crmsh reference XML for CrmshReferenceTest. Needs Debian's crmsh 4.4 and
# pacemaker-cli-utils (apt-get install -y crmsh pacemaker-cli-utils), which run offline on a file.
#
#   base.xml          cibadmin --empty, then base.crm applied with `crm -F -D plain -f`
#   cases/NAME.crm    a configure snippet (one command a line)
#   cases/NAME.xml    the <configuration> crmsh wrote after applying NAME.crm to base.xml with
#                     CIB_file=copy crm -F -D plain -f SCRIPT  (SCRIPT = "configure", the snippet, "commit")
#   cases/NAME.err    (only when crmsh refused) what crmsh printed; the test then expects an error too
#
# Run from this directory: ./generate.sh [NAME...]
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cibadmin --empty > base.xml
CIB_file=$PWD/base.xml crm -F -D plain -f base.crm >/dev/null 2>&1 || true
names=("$@"); [[ ${#names[@]} -gt 0 ]] || names=($(cd cases && ls *.crm | sed 's/\.crm$//'))
for n in "${names[@]}"; do
  cp base.xml "$work/cib.xml"
  { echo configure; cat "cases/$n.crm"; echo commit; } > "$work/script"
  rm -f "cases/$n.err"
  if ! CIB_file=$work/cib.xml crm -D plain -f "$work/script" > "$work/out" 2>&1 || grep -q '^ERROR' <(sed 's/\x1b\[[0-9;]*m//g' "$work/out" | grep -v 'cluster_status'); then
    sed 's/\x1b\[[0-9;]*m//g' "$work/out" > "cases/$n.err"
  fi
  python3 - "$work/cib.xml" "cases/$n.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
conf = root.find('configuration')
ET.indent(conf)
open(sys.argv[2], 'w').write(ET.tostring(conf, encoding='unicode') + '\n')
PY
done

# show/rich.xml is a CIB crmsh built from most of the cases above together; show/rich.show is
#   CIB_file=show/rich.xml crm -D plain configure show
# (ShowReferenceTest: our 'configure show' prints the same text).
