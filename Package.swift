// swift-tools-version:6.2
import PackageDescription

/// Our own code builds in Swift 6 language mode (strict concurrency is part of it).
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "switchboard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "switchboard", targets: ["switchboard"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
    ],
    targets: [
        // Wire types of the contract (shared/design/protocol.md). Foundation only.
        .target(name: "SwitchboardProtocol", swiftSettings: strict),
        // The customer web page (HTML, CSS, JavaScript modules; no build step), its bytes compiled
        // into the binary so that `switchboard serve` needs no files beside it.
        .target(
            name: "SwitchboardWeb",
            resources: [
                .embedInCode("Page/api.js"),
                .embedInCode("Page/app.js"),
                .embedInCode("Page/chat.js"),
                .embedInCode("Page/desk.js"),
                .embedInCode("Page/dom.js"),
                .embedInCode("Page/icon.svg"),
                .embedInCode("Page/index.html"),
                .embedInCode("Page/notify.js"),
                .embedInCode("Page/outbox.js"),
                .embedInCode("Page/realtime.js"),
                .embedInCode("Page/style.css"),
                .embedInCode("Page/sw.js"),
                .embedInCode("Page/widget.js"),
            ],
            swiftSettings: strict),
        // The support server: REST, the realtime hub, storage (SQLite, PostgreSQL), auth.
        .target(
            name: "SwitchboardServer",
            dependencies: [
                "SwitchboardProtocol",
                "SwitchboardWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                // Our own WebSocket upgrade and frame handling (Realtime/RealtimeChannel.swift).
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HeapModule", package: "swift-collections"),
                // The web page's files, gzipped once at start.
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        // Talking to the server: REST client, the realtime connection with its durable outbox,
        // and the local timelines. No UI in it.
        .target(
            name: "SwitchboardClient",
            dependencies: [
                "SwitchboardProtocol",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // The terminal toolkit: cells, styles, text width, sanitising, widgets. No ncurses in it.
        .target(name: "TerminalKit", dependencies: ["SwitchboardThemes"], swiftSettings: strict),
        // The theme files in Themes/, shipped as resources.
        .target(
            name: "SwitchboardThemes", path: "Themes", exclude: ["README.md"],
            resources: [
                .copy("default.theme"), .copy("light.theme"), .copy("solarized-dark.theme"),
                .copy("high-contrast.theme"), .copy("monochrome.theme"),
            ],
            swiftSettings: strict),
        // The three modes (customer, agent console, tester) and what they share: state, update,
        // view. No ncurses in it: tested headless.
        .target(
            name: "SwitchboardApp", dependencies: ["TerminalKit", "SwitchboardClient", "SwitchboardProtocol"],
            swiftSettings: strict),
        // The C side of the ncurses back end (ncursesw has macros Swift cannot call).
        .target(name: "CNCurses", linkerSettings: [.linkedLibrary("ncursesw")]),
        // The only code that talks to ncurses: draws Screens, reads keys.
        .target(name: "CursesTerminal", dependencies: ["CNCurses", "TerminalKit", "ChildProcess"], swiftSettings: strict),
        // Starting other programs (the editor; the tests' servers and tools) without Foundation's Process.
        .target(name: "ChildProcess", dependencies: ["CChildProcess"], swiftSettings: strict),
        .target(name: "CChildProcess"),
        .executableTarget(
            name: "switchboard",
            dependencies: [
                "SwitchboardServer",
                "SwitchboardProtocol",
                "SwitchboardClient",
                "TerminalKit",
                "CursesTerminal",
                "SwitchboardApp",
                "ChildProcess",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SwitchboardProtocolTests",
            dependencies: ["SwitchboardProtocol"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SwitchboardServerTests",
            dependencies: [
                "SwitchboardServer",
                "SwitchboardProtocol",
                "ChildProcess",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SwitchboardClientTests",
            dependencies: [
                "SwitchboardClient", "SwitchboardServer", "SwitchboardProtocol",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TerminalKitTests",
            dependencies: ["TerminalKit", "CursesTerminal", "CNCurses"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SwitchboardAppTests",
            dependencies: ["SwitchboardApp", "TerminalKit", "SwitchboardClient", "SwitchboardProtocol"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SwitchboardCommandTests",
            dependencies: [
                "switchboard", "SwitchboardServer", "SwitchboardClient", "ChildProcess",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ],
            swiftSettings: strict
        ),
    ]
)
