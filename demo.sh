#!/usr/bin/env bash
# Builds what it needs and runs the fairness demo: CPU-hog processes preempted by the agent while a
# probe is served, then the same workload on JDK virtual threads, where the probe starves.
# Extra arguments go to the sample (hog counts, --samples N, --no-vthreads).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/env.sh
echo "Using $JAVA_HOME ($("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)); building..."
$MVN -q -DskipTests -pl agent,samples -am install
exec "$JAVA_HOME/bin/java" -javaagent:agent/target/preempt-agent.jar \
    -cp samples/target/classes dev.preempt.samples.Fairness "$@"
