# ocf-pulse.sh: the small shared library of Pulse's own OCF agents (provider "pulse").
#
# POSIX sh (dash). Sourced by every agent in ../../resource.d/pulse/. It needs nothing from the
# ClusterLabs resource-agents package and no OCF_ROOT: agents find it relative to their own
# real path, so resource.d/pulse may be symlinked anywhere.
#
# What it gives an agent: the OCF exit codes, exit reasons on stderr, logging on stderr (which
# the LRM captures), a state directory (HA_RSCTMP), a millisecond clock that needs no fork,
# the action's deadline from OCF_RESKEY_CRM_meta_timeout, and a process liveness test that
# treats zombies as dead (PID 1 does not reap orphans everywhere; a zombie answers kill -0).

# The directory of this library (agents set _lib to its path before sourcing it): helpers such
# as send-garp.pl live beside it.
PULSE_LIB_DIR=${_lib%/*}

OCF_SUCCESS=0
OCF_ERR_GENERIC=1
OCF_ERR_ARGS=2
OCF_ERR_UNIMPLEMENTED=3
OCF_ERR_PERM=4
OCF_ERR_INSTALLED=5
OCF_ERR_CONFIGURED=6
OCF_NOT_RUNNING=7
OCF_RUNNING_PROMOTED=8
OCF_FAILED_PROMOTED=9

: "${OCF_RESOURCE_TYPE:=${0##*/}}"
: "${OCF_RESOURCE_INSTANCE:=$OCF_RESOURCE_TYPE}"
: "${OCF_EXIT_REASON_PREFIX:=ocf-exit-reason:}"
# HA_RSCTMP is where agents keep state that must vanish at reboot; per node when several
# simulated nodes share one machine.
: "${HA_RSCTMP:=/run/resource-agents}"
export OCF_RESOURCE_INSTANCE OCF_RESOURCE_TYPE HA_RSCTMP

# Where the library's messages go: the LRM's stderr (fd 8 while a trace takes fd 2, below).
PULSE_ERR_FD=2

# The one-line reason the cluster shows the operator; the LRM keeps the last one.
ocf_exit_reason() {
	printf '%s%s\n' "$OCF_EXIT_REASON_PREFIX" "$*" >&"$PULSE_ERR_FD"
}

# ocf_log LEVEL MESSAGE...: stderr, which the LRM logs with the operation.
ocf_log() {
	_lvl=$1
	shift
	printf '%s: %s(%s): %s\n' "$_lvl" "$OCF_RESOURCE_TYPE" "$OCF_RESOURCE_INSTANCE" "$*" >&"$PULSE_ERR_FD"
}

# Fail with a reason: pulse_fail RC MESSAGE...
pulse_fail() {
	_rc=$1
	shift
	ocf_exit_reason "$*"
	exit "$_rc"
}

ocf_is_true() {
	case "$1" in
	[Yy][Ee][Ss] | [Tt][Rr][Uu][Ee] | 1 | [Oo][Nn] | [Yy]) return 0 ;;
	esac
	return 1
}

pulse_is_int() {
	case "$1" in
	'' | *[!0-9]*) return 1 ;;
	esac
	return 0
}

# A probe is a monitor without an interval: the cluster asks "is it running here?" and
# expects 7 for "no" rather than an error.
pulse_is_probe() {
	[ "$__OCF_ACTION" = monitor ] && [ "${OCF_RESKEY_CRM_meta_interval:-0}" = 0 ]
}

# Milliseconds since boot, read from /proc/uptime with shell builtins only (no fork), 10 ms
# resolution: enough for deadlines and polling.
pulse_now_ms() {
	read -r _up _idle </proc/uptime
	_s=${_up%.*}
	_f=${_up#*.}
	_f=${_f%"${_f#??}"}
	echo $((_s * 1000 + ${_f#0} * 10))
}

# When this action must give up (ms on the pulse_now_ms clock): the LRM kills it at
# OCF_RESKEY_CRM_meta_timeout (ms; default $1), and the agent wants to report a clean result
# first. The margin is a tenth of the timeout, at least 500 ms (a loaded machine delays the
# last step) and at most 2 s, and never more than half the timeout.
pulse_deadline_ms() {
	_t=${OCF_RESKEY_CRM_meta_timeout:-$1}
	pulse_is_int "$_t" || _t=$1
	_margin=$((_t / 10))
	[ "$_margin" -lt 500 ] && _margin=500
	[ "$_margin" -gt 2000 ] && _margin=2000
	[ "$_margin" -gt $((_t / 2)) ] && _margin=$((_t / 2))
	echo $(($(pulse_now_ms) + _t - _margin))
}

# Milliseconds as seconds with a fraction, for sleep, curl --max-time and the like: 1500 → 1.500
pulse_ms_to_s() {
	echo "$(($1 / 1000)).$(printf '%03d' $(($1 % 1000)))"
}

# Sleep a number of milliseconds (GNU sleep accepts fractions).
pulse_sleep_ms() {
	sleep "$(pulse_ms_to_s "$1")"
}

# True when PID is a live process (not a zombie). Reads /proc so it needs no fork.
pulse_pid_alive() {
	pulse_is_int "$1" || return 1
	[ -r "/proc/$1/stat" ] || return 1
	read -r _stat <"/proc/$1/stat" 2>/dev/null || return 1
	_stat=${_stat##*) }
	case "$_stat" in
	Z* | X*) return 1 ;;
	esac
	return 0
}

# Make HA_RSCTMP (or fail with a reason saying what to fix).
pulse_rsctmp() {
	[ -d "$HA_RSCTMP" ] && return 0
	mkdir -p "$HA_RSCTMP" 2>/dev/null && return 0
	pulse_fail $OCF_ERR_PERM "cannot create the state directory HA_RSCTMP=$HA_RSCTMP: make it writable or set HA_RSCTMP"
}

# The command's path, or nothing. `command -v` is a builtin in dash and bash.
pulse_have() {
	command -v "$1" >/dev/null 2>&1
}

# Duration in seconds for parameters such as "5s", "2m", "500ms" or "5" → integer seconds
# (rounded up). Prints nothing and returns 1 for nonsense.
pulse_seconds() {
	case "$1" in
	*ms) _n=${1%ms}; pulse_is_int "$_n" || return 1; echo $(((_n + 999) / 1000)) ;;
	*s) _n=${1%s}; pulse_is_int "$_n" || return 1; echo "$_n" ;;
	*m) _n=${1%m}; pulse_is_int "$_n" || return 1; echo $((_n * 60)) ;;
	*h) _n=${1%h}; pulse_is_int "$_n" || return 1; echo $((_n * 3600)) ;;
	*) pulse_is_int "$1" || return 1; echo "$1" ;;
	esac
}

pulse_usage() {
	echo "usage: $0 {$1}" >&"$PULSE_ERR_FD"
}

# Checks that the state file path $1 (given as parameter $2) can be created on this node: an
# absolute path (else 6, wrong everywhere) whose nearest existing ancestor is a writable
# directory (else 2, wrong on this node).
pulse_check_state_path() {
	case "$1" in
	/*) ;;
	*) pulse_fail $OCF_ERR_CONFIGURED "$2 must be an absolute path, got '$1': set $2 to a file path such as $HA_RSCTMP/$OCF_RESOURCE_INSTANCE.state" ;;
	esac
	_d=${1%/*}
	while [ -n "$_d" ] && [ ! -e "$_d" ]; do _d=${_d%/*}; done
	_d=${_d:-/}
	[ -d "$_d" ] || pulse_fail $OCF_ERR_ARGS "$2=$1 cannot be created on this node: $_d is not a directory; choose another $2"
	[ -w "$_d" ] || pulse_fail $OCF_ERR_ARGS "$2=$1 cannot be created on this node: $_d is not writable; fix its permissions or choose another $2"
	return 0
}

# crm resource trace (the op's trace_ra=1, or OCF_TRACE_RA): as ClusterLabs' ocf-shellfuncs does it, the action's
# shell trace goes to $OCF_RESKEY_trace_dir/TYPE/RSC.ACTION.DATE (the LRM sets trace_dir to the node's own
# DATA_DIR/trace_ra). dash has no BASH_XTRACEFD, so stderr goes to the trace and the library's messages (exit
# reasons, logs) keep the LRM's stderr through fd 8. $1 is the agent's action: a sourced file sees its arguments.
: "${OCF_TRACE_RA:=${OCF_RESKEY_trace_ra:-}}"
if ocf_is_true "$OCF_TRACE_RA" && [ "${1:-}" != meta-data ]; then
	_trc_dir=${OCF_RESKEY_trace_dir:-/var/lib/pulse/trace_ra}/$OCF_RESOURCE_TYPE
	_trc=$_trc_dir/$OCF_RESOURCE_INSTANCE.${1:-none}.$(date +%F.%T)
	if mkdir -p "$_trc_dir" 2>/dev/null && { : >"$_trc"; } 2>/dev/null; then
		exec 8>&2 2>"$_trc"
		PULSE_ERR_FD=8
		set -x
	else
		ocf_log warn "cannot write the trace $_trc: no trace of this $1"
	fi
fi
