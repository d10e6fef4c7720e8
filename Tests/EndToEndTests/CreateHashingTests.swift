import Foundation
import XCTest

/// btx hashes every format itself (two pieces or two v2 leaves at a time on
/// the SHA extensions, a portable path without them): the info-hashes must
/// be the ones libtorrent's own create_torrent gives for the same files and
/// piece size, at every edge of a 64-byte block, a 16 KiB leaf and a piece.
final class CreateHashingTests: XCTestCase {
    private let compare = """
        import json, os, random, subprocess, sys, libtorrent as lt
        btx, root = sys.argv[1], sys.argv[2]
        random.seed(17)
        edges = [1, 63, 64, 65, 16383, 16384, 16385, 65535, 65536, 65537, 1 << 20, (1 << 20) + 1, 1_500_013]
        layouts = [[s] for s in edges] + [[random.choice(edges) for _ in range(random.randint(2, 7))] + [0]
                                          for _ in range(4)]

        def write(index, sizes):
            top = os.path.join(root, "layout%d" % index)
            if len(sizes) == 1:
                os.makedirs(top)
                path = os.path.join(top, "one.bin")
                open(path, "wb").write(os.urandom(sizes[0]))
                return path
            path = os.path.join(top, "tree")
            for i, size in enumerate(sizes):
                d = os.path.join(path, "d%d" % (i % 3))
                os.makedirs(d, exist_ok=True)
                open(os.path.join(d, "f%02d" % i), "wb").write(os.urandom(size))
            return path

        def libtorrent_hashes(path, piece, fmt):
            fs = lt.file_storage()
            base = os.path.dirname(path)
            if os.path.isdir(path):  # in btx's (bytewise sorted) order
                for d, dirs, names in os.walk(path):
                    dirs.sort()
                    for n in sorted(names):
                        full = os.path.join(d, n)
                        fs.add_file(os.path.relpath(full, base), os.path.getsize(full))
            else:
                fs.add_file(os.path.basename(path), os.path.getsize(path))
            flags = {"v1": lt.create_torrent.v1_only, "v2": lt.create_torrent.v2_only, "hybrid": 0}[fmt]
            t = lt.create_torrent(fs, piece, flags=flags)
            lt.set_piece_hashes(t, base)
            h = lt.torrent_info(t.generate()).info_hashes()
            return [str(h.v1), str(h.v2)]

        mismatches, count = [], 0
        for index, sizes in enumerate(layouts):
            path = write(index, sizes)
            for piece in (16384, 65536, 1 << 20):
                for fmt in ("v1", "v2", "hybrid"):
                    want = libtorrent_hashes(path, piece, fmt)
                    for portable in (False, True):
                        env = dict(os.environ, BTX_NO_SHA_NI="1") if portable else None
                        out = os.path.join(root, "out.torrent")
                        subprocess.run([btx, "create", path, "-o", out, "--force", "-q", "--no-date",
                                        "--piece-size", str(piece), "--" + fmt], check=True, env=env,
                                       stdout=subprocess.DEVNULL)
                        h = lt.torrent_info(out).info_hashes()
                        count += 1
                        if [str(h.v1), str(h.v2)] != want:
                            mismatches.append({"sizes": sizes, "piece": piece, "format": fmt, "portable": portable})
        print(json.dumps({"count": count, "mismatches": mismatches}))
        """

    func testInfoHashesMatchLibtorrentsOwnCreateAtEveryEdge() throws {
        let scratch = try Scratch()
        let result = try python(compare, [btxPath, scratch.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let report = try result.json()
        XCTAssertEqual(report["count"] as? Int, 17 * 3 * 3 * 2)
        XCTAssertEqual((report["mismatches"] as? [Any])?.count, 0, result.text)
    }
}
