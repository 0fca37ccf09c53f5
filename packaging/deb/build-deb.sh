#!/usr/bin/env bash
# Builds pulse_VERSION_all.deb from a built source tree (crmd and crm-shell packaged: their jars
# and target/lib), with dpkg-deb. Maven runs it in the tests module's package phase; by hand:
#   packaging/deb/build-deb.sh REPO_ROOT OUT_DIR MAVEN_VERSION
# Prints the .deb's path. Without dpkg-deb it says so and builds nothing (exit 0).
# File layout and naming: README.md, "Install from the package".
set -euo pipefail
if [[ $# -ne 3 ]]; then
  echo "usage: build-deb.sh REPO_ROOT OUT_DIR MAVEN_VERSION" >&2
  exit 2
fi
repo="$(cd "$1" && pwd)"; out="$2"; mvn_version="$3"
here="$repo/packaging/deb"
if ! command -v dpkg-deb >/dev/null 2>&1; then
  echo "pulse .deb skipped: dpkg-deb is not installed (apt-get install dpkg-dev, or build on Debian)" >&2
  exit 0
fi
# Debian orders ~ before anything: 0.1.0~SNAPSHOT comes before the release 0.1.0.
version="${mvn_version//-/\~}"

module_jar() {
  local m="$1" jar
  jar=$(ls "$repo/$m"/target/"$m"-*.jar 2>/dev/null | grep -v -E -e '-(sources|tests)\.jar$' | head -n 1 || true)
  if [[ -z "$jar" || ! -d "$repo/$m/target/lib" ]]; then
    echo "build-deb: $m is not packaged yet; run (cd $repo && mvn -B -q -DskipTests package) first" >&2
    exit 3
  fi
  echo "$jar"
}
crmd_jar=$(module_jar crmd)
shell_jar=$(module_jar crm-shell)

mkdir -p "$out"
root="$out/pulse-deb-root"
rm -rf "$root"
install -d -m 0755 "$root/DEBIAN" "$root/usr/lib/pulse/bin" "$root/usr/lib/pulse/lib" "$root/usr/bin" \
  "$root/usr/sbin" "$root/usr/lib/ocf/resource.d/pulse" "$root/usr/lib/ocf/lib/pulse" "$root/etc/pulse" \
  "$root/lib/systemd/system" "$root/usr/lib/tmpfiles.d" "$root/usr/share/doc/pulse"
install -d -m 0750 "$root/var/lib/pulse" "$root/var/log/pulse"

# Jars: one directory for both programs (same parent POM, so the same dependency versions);
# bin/pulse-launch recognises this layout by lib/MODULE.jar.
install -m 0644 "$crmd_jar" "$root/usr/lib/pulse/lib/crmd.jar"
install -m 0644 "$shell_jar" "$root/usr/lib/pulse/lib/crm-shell.jar"
for jar in "$repo"/crmd/target/lib/*.jar "$repo"/crm-shell/target/lib/*.jar; do
  install -m 0644 "$jar" "$root/usr/lib/pulse/lib/"
done
dups=$(ls "$root/usr/lib/pulse/lib" | sed -E 's/-[0-9][^-]*(-SNAPSHOT|\.Final)?\.jar$//' | sort | uniq -d)
if [[ -n "$dups" ]]; then
  echo "build-deb: crmd and crm-shell use different versions of: $dups (align them in the parent POM)" >&2
  exit 3
fi

# Launchers and Pacemaker-named shims: under /usr/lib/pulse/bin, off the PATH (crmd puts this
# directory first on its agents' PATH, found beside lib/crmd.jar).
for f in crmd crmd-priority-opts crm pulse-launch pulse-cds pulse-shim pulse-watchdog-sim pulse-arbitrator pulse-remoted crm_attribute crm_master crm_node attrd_updater; do
  install -m 0755 "$repo/bin/$f" "$root/usr/lib/pulse/bin/$f"
done
ln -s ../lib/pulse/bin/crmd "$root/usr/sbin/pulse-crmd"
ln -s ../lib/pulse/bin/crm "$root/usr/bin/pulse-crm"
# The arbitrator runs on a third machine with this package installed and no crmd running.
ln -s ../lib/pulse/bin/pulse-arbitrator "$root/usr/sbin/pulse-arbitrator"
# A remote node runs only pulse-remoted (crmd stays stopped there): the cluster's connection reaches it.
ln -s ../lib/pulse/bin/pulse-remoted "$root/usr/sbin/pulse-remoted"
install -m 0755 "$repo/crmd/src/main/fence/fence_pulse_sim" "$root/usr/sbin/fence_pulse_sim"
install -m 0755 "$repo/crmd/src/main/fence/fence_pulse_sbd" "$root/usr/sbin/fence_pulse_sbd"
for f in "$repo"/resource-agents/src/main/ocf/resource.d/pulse/*; do
  install -m 0755 "$f" "$root/usr/lib/ocf/resource.d/pulse/"
done
for f in "$repo"/resource-agents/src/main/ocf/lib/pulse/*; do
  install -m 0644 "$f" "$root/usr/lib/ocf/lib/pulse/"
done

install -m 0644 "$here/crmd.conf" "$root/etc/pulse/crmd.conf"
install -m 0644 "$here/pulse.service" "$root/lib/systemd/system/pulse.service"
install -m 0644 "$here/tmpfiles.conf" "$root/usr/lib/tmpfiles.d/pulse.conf"
install -m 0644 "$repo/README.md" "$root/usr/share/doc/pulse/README.md"
install -m 0644 "$repo/crmd/README.md" "$root/usr/share/doc/pulse/crmd-README.md"
install -m 0644 "$here/copyright" "$root/usr/share/doc/pulse/copyright"

install -m 0644 "$here/conffiles" "$root/DEBIAN/conffiles"
for s in postinst prerm postrm; do
  install -m 0755 "$here/$s" "$root/DEBIAN/$s"
done
size_kb=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size_kb/" "$here/control.in" > "$root/DEBIAN/control"
chmod 0644 "$root/DEBIAN/control"

deb="$out/pulse_${version}_all.deb"
dpkg-deb --root-owner-group -Zgzip --build "$root" "$deb" >/dev/null
rm -rf "$root"
echo "$deb"
