#!/bin/bash
# Unpacks Debian trixie's Erlang/OTP 27 (erlang-base) into DIR, with trixie's libc beside it, on a
# Debian bookworm machine whose own erlang-base is OTP 25: the binaries are pointed at that libc with
# patchelf (installed with apt if missing). Nothing is installed system-wide but patchelf.
# Then run the distribution tests against OTP 27 with it first on the PATH:
#   scripts/otp27.sh /tmp/otp27
#   PATH=/tmp/otp27/usr/lib/erlang/bin:$PATH mvn -pl dist test      (after an install of the other modules)
set -euo pipefail
DIR=${1:?usage: scripts/otp27.sh DIR}
DIR=$(mkdir -p "$DIR" && cd "$DIR" && pwd)
APT="$DIR/.apt"
mkdir -p "$APT/parts" "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/debs"
cat > "$APT/parts/trixie.sources" <<SOURCES
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
OPTS=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$APT/parts" -o Dir::State::Lists="$APT/lists" -o Dir::Cache="$APT/cache")
apt-get "${OPTS[@]}" update -qq 2>/dev/null
(cd "$APT/debs" && for p in erlang-base libc6 libstdc++6 libgcc-s1 libtinfo6 zlib1g libsystemd0 libcap2; do
    apt-get "${OPTS[@]}" download -qq "$p/trixie" 2>/dev/null
done)
for d in "$APT"/debs/*.deb; do dpkg -x "$d" "$DIR"; done
command -v patchelf >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq patchelf
LD="$DIR/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
ROOT="$DIR/usr/lib/erlang"
for b in "$ROOT"/erts-*/bin/*; do
    if patchelf --print-interpreter "$b" >/dev/null 2>&1; then # a dynamically linked ELF file
        patchelf --set-interpreter "$LD" --set-rpath "$DIR/usr/lib/x86_64-linux-gnu:$DIR/lib/x86_64-linux-gnu" "$b"
    fi
done
for f in "$ROOT"/bin/erl "$ROOT"/erts-*/bin/erl; do sed -i "s|ROOTDIR=/usr/lib/erlang|ROOTDIR=$ROOT|g" "$f"; done
echo "OTP $("$ROOT/bin/erl" -noshell -eval 'io:format("~s", [erlang:system_info(otp_release)]), halt().') in $ROOT/bin"
