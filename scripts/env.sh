# Sourced by ./demo.sh, ./test.sh and .ci/run: finds a JDK 21+ and sets JAVA_HOME and PATH, or stops
# with a message saying what is missing. Preference: $JAVA_HOME if it is a JDK 21+, else Temurin 25.
preempt_java_major() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

preempt_find_jdk() {
    local candidate major
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64; do
        [ -n "$candidate" ] || continue
        [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
        major=$(preempt_java_major "$candidate")
        if [ -n "$major" ] && [ "$major" -ge 21 ]; then
            JAVA_HOME="$candidate"
            return 0
        fi
    done
    echo "error: Preempt needs a JDK 21 or newer (java and javac)." >&2
    echo "  JAVA_HOME=${JAVA_HOME:-<unset>} is not one, and /usr/lib/jvm/temurin-25-jdk-amd64 is not there." >&2
    echo "  Install a JDK 21+ and set JAVA_HOME to it." >&2
    return 1
}

preempt_find_jdk || exit 1
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
if ! command -v mvn >/dev/null 2>&1; then
    echo "error: Maven (mvn) is not on the PATH; install Maven 3.8+ (apt-get install -y maven)." >&2
    exit 1
fi
# Maven 3.8 on JDK 24+ warns about sun.misc.Unsafe on every run; the flag is unknown before JDK 23.
if [ "$(preempt_java_major "$JAVA_HOME")" -ge 23 ]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
MVN="mvn -B -ntp -Dstyle.color=never"
