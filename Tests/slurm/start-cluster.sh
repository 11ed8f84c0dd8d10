#!/usr/bin/env bash
# Starts a single-node Slurm cluster for the tests, without systemd: munged, slurmctld and slurmd with a
# minimal slurm.conf in DIR (this host, CPUs and memory as `slurmd -C` reports them). Needs root and
# Debian's slurmctld slurmd slurm-client munge (.ci/deps installs them). Prints the slurm.conf path once
# the node is idle; reuses a cluster this script already started in DIR.
#   Tests/slurm/start-cluster.sh DIR
set -euo pipefail
dir=${1:?usage: start-cluster.sh DIR}
mkdir -p "$dir/state" "$dir/spool" "$dir/log"
conf="$dir/slurm.conf"
export SLURM_CONF="$conf"
idle() { sinfo -h -o %T 2>/dev/null | grep -qx idle; }
if [ -f "$conf" ] && idle; then echo "$conf"; exit 0; fi
[ "$(id -u)" -eq 0 ] || { echo "start-cluster.sh: needs root" >&2; exit 3; }
for tool in munged slurmctld slurmd sinfo sbatch; do
    command -v "$tool" >/dev/null || { echo "start-cluster.sh: $tool is not installed" >&2; exit 3; }
done
host=$(hostname -s)
cpus=$(slurmd -C | sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' | head -1)
memory=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' | head -1)
cat > "$conf" <<CONF
ClusterName=xsnstest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmdSpoolDir=$dir/spool
StateSaveLocation=$dir/state
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
MpiDefault=none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$((memory * 9 / 10)) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
# munge: a key, and the daemon as the munge user.
if ! pgrep -x munged >/dev/null; then
    [ -s /etc/munge/munge.key ] || mungekey --create --force 2>/dev/null || /usr/sbin/create-munge-key -f
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge /etc/munge/munge.key
    runuser -u munge -- /usr/sbin/munged
fi
# Only daemons this script started (their pid files are in DIR): never a real cluster's.
for daemon in slurmctld slurmd; do
    pid=$(cat "$dir/$daemon.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$daemon" ]; then kill "$pid"; fi
done
sleep 0.5
slurmctld -c
slurmd
for _ in $(seq 60); do
    if idle; then echo "$conf"; exit 0; fi
    sleep 0.5
done
echo "start-cluster.sh: the node did not become idle; see $dir/log" >&2
exit 1
