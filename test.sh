#!/usr/bin/env bash
# Builds everything and runs the whole test suite (runtime unit tests, the agent's forked-JVM tests, and
# the distribution tests against a real Erlang node: installs erlang-base when erl is missing).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/env.sh
. scripts/erlang.sh
echo "Using $JAVA_HOME ($("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1))"
exec $MVN verify "$@"
