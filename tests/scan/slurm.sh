#!/bin/sh
# aedlc scan --on slurm on a real single-node Slurm that this test starts
# (munged, slurmctld, slurmd from Debian's packages, all in the work folder, on
# their own ports), then the same scan here: identical result rows.  The daemons
# are stopped by their PIDs on every exit path.
. tests/scan/common.sh

for p in munged slurmctld slurmd sbatch scontrol sinfo; do
  command -v $p > /dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
done
missing=""
for p in munged mungekey slurmctld slurmd sbatch scontrol sinfo; do command -v $p > /dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  fail scan/slurm-installed "missing:$missing (Debian packages munge, slurmctld, slurmd, slurm-client; .ci/deps installs them)"
  exit 0
fi

C="$W/cluster"
mkdir -p "$C/state" "$C/spool" "$C/log"
HOST=$(hostname -s)
# ports of our own: a base from this process' id, away from Slurm's 6817/6818
PORT=$((20000 + ($$ % 20000) * 2))
mungekey -c -k "$C/munge.key" -b 1024 > /dev/null 2>&1 || head -c 1024 /dev/urandom > "$C/munge.key"
chmod 0400 "$C/munge.key"
cat > "$C/slurm.conf" <<EOF2
ClusterName=aedltest
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=$(id -un)
SlurmdUser=$(id -un)
AuthType=auth/munge
AuthInfo=socket=$C/munge.sock
CredType=cred/munge
StateSaveLocation=$C/state
SlurmdSpoolDir=$C/spool
SlurmctldPidFile=$C/slurmctld.pid
SlurmdPidFile=$C/slurmd.pid
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmctldLogFile=$C/log/slurmctld.log
SlurmdLogFile=$C/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0
JobCompType=jobcomp/filetxt
JobCompLoc=$C/jobcomp.txt
ReturnToService=2
MpiDefault=none
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=2 RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF2
export SLURM_CONF="$C/slurm.conf"

PIDS=""
stop_cluster() {
  scancel --full $(squeue -h -o %i 2>/dev/null) > /dev/null 2>&1
  for p in $PIDS; do kill -TERM "$p" 2> /dev/null; done
  # a daemon that ignores SIGTERM is killed after a generous bound
  for p in $PIDS; do
    n=0
    while kill -0 "$p" 2> /dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
    kill -KILL "$p" 2> /dev/null
    wait "$p" 2> /dev/null
  done
  PIDS=""
}
trap 'stop_cluster; rm -rf "$W"' EXIT INT TERM

# wait_for_quiet CMD...: until CMD succeeds (the daemons report their state), at most 30 s; false then
wait_for_quiet() {
  _n=0
  until "$@" > /dev/null 2>&1; do
    _n=$((_n + 1)); [ $_n -gt 300 ] && return 1
    sleep 0.1
  done
}
# wait_for NAME CMD...: until CMD succeeds (the daemons report their state), at most 30 s
wait_for() {
  _n=0; _name=$1; shift
  until "$@" > /dev/null 2>&1; do
    _n=$((_n + 1))
    [ $_n -gt 300 ] && { fail "scan/slurm-$_name" "not ready after 30 s: $(tail -n 12 "$C"/log/slurmd.* "$C"/log/slurmctld.out 2>/dev/null)"; exit 0; }
    sleep 0.1
  done
}

munged -F -f --key-file="$C/munge.key" --socket="$C/munge.sock" --pid-file="$C/munged.pid" \
  --log-file="$C/log/munged.log" --seed-file="$C/munge.seed" > "$C/log/munged.out" 2>&1 &
PIDS="$PIDS $!"
wait_for munge sh -c "munge -n -S '$C/munge.sock' | unmunge -S '$C/munge.sock'"
slurmctld -D -f "$SLURM_CONF" > "$C/log/slurmctld.out" 2>&1 &
PIDS="$! $PIDS"
slurmd -D -N "$HOST" -f "$SLURM_CONF" > "$C/log/slurmd.out" 2>&1 &
PIDS="$! $PIDS"
if ! wait_for_quiet sh -c "sinfo -h -o %T | grep -qx idle"; then
  # slurmd (22.05) needs the cgroup filesystem even with proctrack/linuxproc and task/none
  if grep -q 'No filesystem mounted on /sys/fs/cgroup' "$C/log/slurmd.log" 2>/dev/null; then
    fail scan/slurm-node-idle "slurmd needs a cgroup filesystem at /sys/fs/cgroup (any Debian 12 machine has one; in a chroot, mount --rbind /sys): $(tail -n 3 "$C/log/slurmd.log")"
  else
    fail scan/slurm-node-idle "not ready after 30 s: $(tail -n 12 "$C"/log/slurmd.* "$C"/log/slurmctld.out 2>/dev/null)"
  fi
  exit 0
fi
pass scan/slurm-cluster-up

# a cluster that refuses the job: its message is shown
"$AEDLC" scan "$AEDL" -o "$W/refused" --on slurm --sbatch "--partition=nosuch" > "$W/refused.log" 2>&1; st=$?
check scan/slurm-refused "status $st; $(head -3 "$W/refused.log")" \
  sh -c "test $st -eq 1 && grep -q 'sbatch failed' '$W/refused.log' && grep -qi 'partition' '$W/refused.log'"

# the scan as a job array, gathered by a job after it (--wait: until the gather ends)
"$AEDLC" scan "$AEDL" -o "$W/slurm" --on slurm --wait > "$W/slurm.log" 2>&1; st=$?
check scan/slurm-submitted "status $st: $(cat "$W/slurm.log" | head -5)" \
  sh -c "test $st -eq 0 && grep -q 'submitted job array [0-9]*: 4 point(s) (0,1,2,3)' '$W/slurm.log' && grep -q 'gather job [0-9]*' '$W/slurm.log'"
A=$(sed -n 's/^array //p' "$W/slurm/scan/slurm/jobs.txt")
G=$(sed -n 's/^gather //p' "$W/slurm/scan/slurm/jobs.txt")
# the gather job completed and started only after every array task had ended
last_end=$(grep "ArrayJobId=$A " "$C/jobcomp.txt" | sed -n 's/.* EndTime=\([^ ]*\).*/\1/p' | sort | tail -1)
g_start=$(grep "^JobId=$G " "$C/jobcomp.txt" | sed -n 's/.* StartTime=\([^ ]*\).*/\1/p')
check scan/slurm-gather-after-array "gather job $G started $g_start, array $A ended $last_end" \
  sh -c "grep '^JobId=$G ' '$C/jobcomp.txt' | grep -q 'JobState=COMPLETED' && test -n '$last_end' &&
         test \"\$(printf '%s\n%s\n' '$last_end' '$g_start' | sort | tail -1)\" = '$g_start' &&
         grep -q -- '--gather' '$W/slurm/scan/slurm/gather.sh'"
check scan/slurm-array-ran "4 array tasks of job $A completed: $(grep -c "ArrayJobId=$A " "$C/jobcomp.txt")" \
  test "$(grep "ArrayJobId=$A " "$C/jobcomp.txt" | grep -c 'JobState=COMPLETED')" -eq 4
check scan/slurm-results "results.csv of the Slurm scan: 4 rows of status ok" \
  test "$(grep -c ',ok,' "$W/slurm/scan/results.csv" 2>/dev/null)" -eq 4

# the same scan here, one training thread per point as the array tasks had
"$AEDLC" scan "$AEDL" -o "$W/local" -j 2 > "$W/local.log" 2>&1; st=$?
rows "$W/slurm/scan/results.csv" > "$W/slurm.rows" 2>/dev/null
rows "$W/local/scan/results.csv" > "$W/local.rows" 2>/dev/null
check scan/slurm-equals-local "status $st; rows differ: $(diff "$W/slurm.rows" "$W/local.rows" | head -4 | tr '\n' ' ')" \
  sh -c "test $st -eq 0 && test -s '$W/local.rows' && cmp -s '$W/slurm.rows' '$W/local.rows'"

# a point that fails on the cluster does not stop the gather step (afterany)
cat > "$W/broken.aedl" <<'AEDL'
import "ae.aedl"
scan broken {
  adc2021.train = [hdf5("data/background_for_training.h5", "Particles"), hdf5("data/nosuch.h5", "Particles")]
}
AEDL
"$AEDLC" scan "$W/broken.aedl" -o "$W/sbroken" --on slurm --wait > "$W/sbroken.log" 2>&1; st=$?
R="$W/sbroken/scan/results.csv"
check scan/slurm-failed-point-gathered "status $st; results: $(cut -c1-80 "$R" 2>/dev/null | tr '\n' ' ')" \
  sh -c "grep -q '^0,.*,ok,' '$R' && grep '^1,' '$R' | grep -q ',failed,.*nosuch.h5'"
