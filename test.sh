#!/usr/bin/env bash
# Builds everything and runs the whole test suite (runtime unit tests and the agent's forked-JVM tests).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/env.sh
echo "Using $JAVA_HOME ($("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1))"
exec $MVN verify "$@"
