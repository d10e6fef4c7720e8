#!/bin/sh
# Fails when make test-sanitize collected any sanitizer report, but for one
# kind: leaks in the XCTest runner process that no code of btx allocated.
#
# XCTest keeps its test cases and their runs in reference cycles, and
# swift-foundation's readBytesFromFile drops a 4 KiB buffer when it reads a
# file of unknown size (the damaged-state tests' FIFOs): LeakSanitizer reports
# both when the runner exits. A suppression cannot single them out, as every
# stack in the runner passes through XCTest, a leak of ours under a unit test
# too. So a runner's report is let through only when it holds nothing but
# leaks and no frame of btx: Sources/, shim/, TorrentKit, BTXCLI, btx_*.
# Every report of a btx process fails.
# Usage: sanitize/check-reports.sh REPORT_DIR SOURCE_ROOT
set -eu
reports=$1 root=$2
failed=0
for report in "$reports"/report.*; do
    [ -e "$report" ] || continue
    case $report in
    *.xctest.*)
        if ! grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error:' -e "$root/Sources/" -e "$root/shim/" \
            -e '$s10TorrentKit' -e '$s6BTXCLI' -e 'btx_' "$report"; then
            echo "test-sanitize: let through $(basename "$report"): XCTest's and Foundation's own leaks ($(grep -m1 '^SUMMARY' "$report" | cut -d: -f3 | sed 's/^ //'))"
            continue
        fi ;;
    esac
    cat "$report"
    failed=$((failed + 1))
done
if [ "$failed" -gt 0 ]; then
    echo "test-sanitize: $failed sanitizer reports (in $reports)"
    exit 1
fi
