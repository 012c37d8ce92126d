// swift-tools-version:6.0
import Foundation
import PackageDescription

// Shared settings: Swift 6 language mode everywhere, strict concurrency included; in CI
// (CI set in the environment) warnings in this package's own targets are errors.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
] + (ProcessInfo.processInfo.environment["CI"] != nil ? [.unsafeFlags(["-warnings-as-errors"])] : [])

let package = Package(
    name: "tejido",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tejido", targets: ["tejido"]),
        .executable(name: "tejido-bench", targets: ["tejido-bench"]),
        .library(name: "TejidoStore", targets: ["TejidoStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // MARK: C libraries of the system
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]),
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]),

        // The C library's GNU extensions (headers only, nothing to link).
        .systemLibrary(name: "CSystem"),

        // MARK: Library layers (dependencies point down)
        .target(name: "TejidoSystem", dependencies: ["CSystem"], swiftSettings: swiftSettings),
        .target(name: "TejidoCrypto", dependencies: ["COpenSSL"], swiftSettings: swiftSettings),
        .target(name: "TejidoCore", dependencies: ["TejidoCrypto"], swiftSettings: swiftSettings),
        .target(name: "TejidoSQLite", dependencies: ["CSQLite", "TejidoSystem"], swiftSettings: swiftSettings),
        .target(
            name: "TejidoStore",
            dependencies: ["TejidoCore", "TejidoCrypto", "TejidoSQLite", "TejidoSystem", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),

        .target(
            name: "TejidoSync",
            dependencies: ["TejidoStore", "TejidoCore", "TejidoCrypto", "TejidoSystem", "CSystem", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),

        // MARK: Programs
        .executableTarget(
            name: "tejido",
            dependencies: [
                "TejidoSync", "TejidoStore", "TejidoCore", "TejidoCrypto", "TejidoSQLite", "TejidoSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "tejido-bench",
            dependencies: ["TejidoSync", "TejidoStore", "TejidoSQLite", "TejidoCrypto"],
            swiftSettings: swiftSettings),

        // MARK: Tests
        .target(
            name: "TejidoTestSupport", dependencies: ["TejidoSync", "TejidoStore", "TejidoCore", "TejidoCrypto"],
            swiftSettings: swiftSettings),
        .testTarget(name: "TejidoSystemTests", dependencies: ["TejidoSystem"], swiftSettings: swiftSettings),
        .testTarget(name: "TejidoCryptoTests", dependencies: ["TejidoCrypto"], swiftSettings: swiftSettings),
        .testTarget(name: "TejidoSQLiteTests", dependencies: ["TejidoSQLite", "TejidoTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "TejidoCoreTests", dependencies: ["TejidoCore", "TejidoCrypto", "TejidoTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TejidoStoreTests",
            dependencies: ["TejidoStore", "TejidoSQLite", "TejidoTestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "TejidoSyncTests", dependencies: ["TejidoSync", "TejidoStore", "TejidoTestSupport"], swiftSettings: swiftSettings),
        // Depends on the executable so that `swift test` builds `tejido`; the tests run it as a child process.
        .testTarget(
            name: "TejidoCLITests", dependencies: ["tejido", "TejidoTestSupport", "TejidoSQLite"], swiftSettings: swiftSettings),
    ]
)
