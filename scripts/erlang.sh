# Sourced by ./test.sh: the distribution tests (dist/) run against a real Erlang/OTP node, so make sure
# erl and epmd are there (installing erlang-base with apt when they are missing: as root, or through
# sudo when it needs no password), and that epmd runs. Stops with a message saying what to do otherwise.
if ! command -v erl >/dev/null 2>&1 || ! command -v epmd >/dev/null 2>&1; then
    echo "Erlang/OTP (erl, epmd) is missing: installing erlang-base with apt-get for the distribution tests"
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq erlang-base
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq erlang-base
    fi
    if ! command -v erl >/dev/null 2>&1; then
        echo "error: the distribution tests need Erlang/OTP 23+ (erl and epmd on the PATH)." >&2
        echo "  Install it (Debian/Ubuntu: apt-get install -y erlang-base) and run ./test.sh again." >&2
        exit 1
    fi
fi
epmd -daemon
