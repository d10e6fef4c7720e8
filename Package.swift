// swift-tools-version:5.9
import PackageDescription

// SwiftPM drops the -D flags that `pkg-config --cflags libtorrent-rasterbar`
// prints, and libtorrent's struct layouts depend on them: declare them here.
let libtorrentDefines: [CXXSetting] = [
    "TORRENT_LINKING_SHARED", "TORRENT_USE_OPENSSL", "TORRENT_USE_LIBCRYPTO",
    "TORRENT_SSL_PEERS", "BOOST_ASIO_ENABLE_CANCELIO", "BOOST_ASIO_NO_DEPRECATED",
    "OPENSSL_NO_SSL2", "BOOST_ALL_NO_LIB",
].map { .define($0) }

let package = Package(
    name: "btx",
    products: [
        .executable(name: "btx", targets: ["btx"]),
        .library(name: "TorrentKit", targets: ["TorrentKit"]),
    ],
    targets: [
        .target(
            name: "CBTX",
            path: "shim",
            sources: ["src"],
            publicHeadersPath: "include",
            cxxSettings: libtorrentDefines,
            linkerSettings: [
                .linkedLibrary("torrent-rasterbar"),
                .linkedLibrary("ssl"),
                .linkedLibrary("crypto"),
                .linkedLibrary("pthread"),
                // Blocklists come gzipped (btx_gunzip).
                .linkedLibrary("z"),
            ]
        ),
        .target(name: "TorrentKit", dependencies: ["CBTX"]),
        // System calls Glibc's Swift module leaves out (pipe2).
        .target(name: "CSyscall"),
        // The long-running session: host, control protocol, saved state.
        .target(name: "BTXSession", dependencies: ["TorrentKit", "CSyscall"]),
        // Other programs' protocols (Transmission RPC) over the session's control socket.
        .target(name: "BTXRPC", dependencies: ["BTXSession", "TorrentKit"]),
        .target(name: "BTXCLI", dependencies: ["BTXRPC", "BTXSession", "TorrentKit"]),
        .executableTarget(name: "btx", dependencies: ["BTXCLI"]),
        // What the test targets share: polling with a deadline, loopback
        // ports, scratch folders, and a swarm of libtorrent sessions.
        .target(name: "TestSupport", dependencies: ["TorrentKit"], path: "Tests/TestSupport"),
        .testTarget(name: "TorrentKitTests", dependencies: ["TorrentKit", "CBTX", "TestSupport"]),
        .testTarget(name: "BTXSessionTests", dependencies: ["BTXSession", "BTXRPC", "TorrentKit", "TestSupport"]),
        .testTarget(name: "BTXCLITests", dependencies: ["BTXCLI", "BTXSession", "TorrentKit", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["btx", "TestSupport", "TorrentKit"]),
    ],
    cxxLanguageStandard: .cxx17
)
