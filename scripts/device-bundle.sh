#!/usr/bin/env bash
# Packs a release `s1` and the shared libraries it needs into one archive that travels to the lent GPU machine.
#
# Why: that machine has CUDA, PyTorch and a newer glibc, but no Swift toolchain and none of this machine's Debian
# packages (libyaml, libarchive with its ICU/xml/zstd/... dependencies, OpenBLAS with libgfortran). So the Swift
# runtime is linked statically and every other non-glibc library `ldd` resolves is copied next to the binary.
# The archive lands in .bundle/ (git-ignored); the device tool carries it with `carry: [".bundle"]`, and
# scripts/device-check.sh unpacks it there.
#
# Usage: scripts/device-bundle.sh [--skip-build]
#   --skip-build   reuse the binary already in .build-device (re-stage and re-pack only)
# Environment: BUNDLE_DIR (default .bundle), SWIFT_CPU (default haswell, as the Makefile).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUNDLE_DIR=${BUNDLE_DIR:-$ROOT/.bundle}
SWIFT_CPU=${SWIFT_CPU:-haswell}
# Its own build path, so the main .build (debug/release/tests) is not invalidated by --static-swift-stdlib.
BUILD_PATH=$ROOT/.build-device
# gzip is preferred; when it does not fit, xz (not zstd): the device may lack both a zstd binary and python's
# zstandard, but its python3 unpacks .tar.xz with the standard library alone. Measured on the same stage here,
# xz -9e also beat zstd -19 (31.5 against 36.0 MB, the same minute of CPU).
GZIP_LIMIT_BYTES=$((40 * 1000 * 1000))

skip_build=0
for arg in "$@"; do
    case $arg in
        --skip-build) skip_build=1 ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "device-bundle: unknown argument '$arg' (expected --skip-build)" >&2; exit 2 ;;
    esac
done

SWIFT_ARGS=(-c release -Xswiftc -target-cpu -Xswiftc "$SWIFT_CPU" --static-swift-stdlib --product s1
            --build-path "$BUILD_PATH")
if [ "$skip_build" = 0 ]; then
    echo "== building s1 (release, static Swift runtime) into $BUILD_PATH"
    start=$(date +%s)
    swift build "${SWIFT_ARGS[@]}"
    echo "   built in $(( $(date +%s) - start )) s"
fi
BIN_PATH=$(swift build "${SWIFT_ARGS[@]}" --show-bin-path)
if [ ! -x "$BIN_PATH/s1" ]; then
    echo "device-bundle: no binary at $BIN_PATH/s1 (run without --skip-build first)" >&2
    exit 1
fi

STAGE=$(mktemp -d /tmp/s1-device-stage.XXXXXX)
SMOKE=$(mktemp -d /tmp/s1-device-smoke.XXXXXX)
trap 'rm -rf "$STAGE" "$SMOKE"' EXIT
mkdir -p "$STAGE/bin" "$STAGE/lib"

echo "== staging into $STAGE"
# Stripped: the symbol and DWARF sections are a third of the binary and nothing on the device reads them (the
# unstripped binary stays in .build-device with the same build id, for symbolicating a crash there).
strip -o "$STAGE/bin/s1" "$BIN_PATH/s1"
# Foundation's Bundle.module looks for <package>_<target>.resources next to the executable (the CUDA kernels live in
# s1_S1CUDA.resources). Test bundles are not needed on the device: the fixtures travel with the repository.
shopt -s nullglob
resources=0
for res in "$BIN_PATH"/*.resources; do
    case $(basename "$res") in *Tests.resources) continue ;; esac
    cp -R "$res" "$STAGE/bin/"
    resources=$((resources + 1))
done
shopt -u nullglob
if [ ! -d "$STAGE/bin/s1_S1CUDA.resources" ]; then
    echo "device-bundle: $BIN_PATH/s1_S1CUDA.resources is missing (the CUDA kernels would not travel)" >&2
    exit 1
fi

# glibc's own pieces and the C++/gcc runtimes must come from the device (they are tied to its loader and newer there).
is_system_lib() {
    case $1 in
        linux-vdso.so*|ld-linux*|libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|libmvec.so*|libresolv.so*|\
        libutil.so*|libanl.so*|libstdc++.so*|libgcc_s.so*) return 0 ;;
    esac
    return 1
}

# `ldd` lines look like "\tlibyaml-0.so.2 => /lib/x86_64-linux-gnu/libyaml-0.so.2 (0x...)"; ldd already lists the
# transitive closure, so one pass suffices. cp -L follows symlinks so each file is the real library under its soname.
missing=0
while read -r soname arrow path _; do
    [ "$arrow" = "=>" ] || continue
    is_system_lib "$soname" && continue
    if [ "$path" = "not" ]; then
        echo "device-bundle: ldd cannot resolve $soname here" >&2
        missing=1
        continue
    fi
    cp -L "$path" "$STAGE/lib/$soname"
done < <(ldd "$STAGE/bin/s1")
[ "$missing" = 0 ] || exit 1

# Every library that is not the device's own must now resolve inside the stage.
echo "== checking that every bundled library resolves into the stage"
leaks=$(LD_LIBRARY_PATH="$STAGE/lib" ldd "$STAGE/bin/s1" | while read -r soname arrow path _; do
    [ "$arrow" = "=>" ] || continue
    is_system_lib "$soname" && continue
    case $path in "$STAGE"/lib/*) ;; *) echo "$soname => $path" ;; esac
done)
if [ -n "$leaks" ]; then
    echo "device-bundle: these libraries resolve outside the stage:" >&2
    echo "$leaks" >&2
    exit 1
fi

# The device's glibc must be at least the newest symbol version anything here asks for.
glibc_needed=$(cat "$STAGE/bin/s1" "$STAGE"/lib/* | grep -aoE 'GLIBC_2\.[0-9]+' | sort -uV | tail -1)
glibcxx_needed=$(cat "$STAGE/bin/s1" "$STAGE"/lib/* | grep -aoE 'GLIBCXX_3\.4\.[0-9]+' | sort -uV | tail -1 || true)

commit=$(git rev-parse HEAD)
dirty=""
[ -z "$(git status --porcelain --untracked-files=no)" ] || dirty=" (with uncommitted changes)"
{
    echo "s1 device bundle"
    echo "source: $commit$dirty"
    echo "swift: $(swift --version 2>&1 | head -1)"
    echo "target-cpu: $SWIFT_CPU"
    echo "needs on the device: glibc >= ${glibc_needed#GLIBC_}, libstdc++ with ${glibcxx_needed:-no GLIBCXX symbols}"
    echo "run: LD_LIBRARY_PATH=<unpacked>/lib <unpacked>/bin/s1 --help"
    echo "files (sha256):"
    (cd "$STAGE" && find bin lib -type f | LC_ALL=C sort | xargs sha256sum)
} > "$STAGE/BUNDLE-INFO.txt"

raw_bytes=$(du -sb "$STAGE" | cut -f1)
echo "   $(ls "$STAGE/lib" | wc -l) libraries, $resources resource bundle(s); raw size $((raw_bytes / 1000000)) MB"
echo "   needs glibc >= ${glibc_needed#GLIBC_} and ${glibcxx_needed:-no GLIBCXX} on the device"

# A deterministic tar stream: sorted names, fixed times and owners.
tar_stage() {
    tar -C "$STAGE" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - BUNDLE-INFO.txt bin lib
}
mkdir -p "$BUNDLE_DIR"
rm -f "$BUNDLE_DIR"/s1-device.tar.*
echo "== packing"
tar_stage | gzip -9 -n > "$BUNDLE_DIR/s1-device.tar.gz"
gz_bytes=$(stat -c %s "$BUNDLE_DIR/s1-device.tar.gz")
echo "   gzip -9:  $gz_bytes bytes"
if [ "$gz_bytes" -le "$GZIP_LIMIT_BYTES" ]; then
    ARCHIVE=$BUNDLE_DIR/s1-device.tar.gz
else
    tar_stage | xz -9e -T0 -c > "$BUNDLE_DIR/s1-device.tar.xz"
    rm -f "$BUNDLE_DIR/s1-device.tar.gz"
    ARCHIVE=$BUNDLE_DIR/s1-device.tar.xz
    echo "   xz -9e:   $(stat -c %s "$ARCHIVE") bytes (gzip was over $GZIP_LIMIT_BYTES)"
fi

# Smoke test from the archive, the way the device will run it.
echo "== smoke test from $ARCHIVE"
case $ARCHIVE in
    *.gz) tar -C "$SMOKE" -xzf "$ARCHIVE" ;;
    *.xz) python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1], "r:xz").extractall(sys.argv[2], filter="tar")' \
              "$ARCHIVE" "$SMOKE" ;;
esac
LD_LIBRARY_PATH="$SMOKE/lib" "$SMOKE/bin/s1" --help > "$SMOKE/help.txt"
echo "   s1 --help: $(wc -l < "$SMOKE/help.txt") lines"
LD_LIBRARY_PATH="$SMOKE/lib" "$SMOKE/bin/s1" plan experiments/s1-mini.yaml --store "$SMOKE/store" > "$SMOKE/plan.txt"
echo "   s1 plan experiments/s1-mini.yaml: $(wc -l < "$SMOKE/plan.txt") lines"

# What travels: the repository's tracked and untracked-not-ignored files, plus the carried .bundle.
repo_bytes=$(git ls-files -z --cached --others --exclude-standard | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
bundle_bytes=$(du -sb "$BUNDLE_DIR" | cut -f1)
total=$((repo_bytes + bundle_bytes))
echo "== sizes"
printf '   %-34s %10d bytes (%d MB)\n' "raw stage (bin + lib)" "$raw_bytes" $((raw_bytes / 1000000))
printf '   %-34s %10d bytes (%d MB)\n' "$(basename "$ARCHIVE")" "$(stat -c %s "$ARCHIVE")" $(($(stat -c %s "$ARCHIVE") / 1000000))
printf '   %-34s %10d bytes (%d MB)\n' "repository files that travel" "$repo_bytes" $((repo_bytes / 1000000))
printf '   %-34s %10d bytes (%.1f MiB of 64 MiB)\n' "repository + $(basename "$BUNDLE_DIR")" "$total" \
    "$(echo "$total" | awk '{print $1 / 1048576}')"
if [ "$total" -gt $((56 * 1024 * 1024)) ]; then
    echo "device-bundle: repository + bundle is over 56 MiB; the device tool refuses more than 64 MiB" >&2
    exit 1
fi
echo "ok: $ARCHIVE (carry \".bundle\"; scripts/device-check.sh unpacks it)"
