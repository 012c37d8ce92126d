import Foundation
import Logging

/// The library's log lines (in English, for whoever debugs a store) go to stderr only when asked
/// for with `TEJIDO_LOG=debug|info|notice|warning|error`; by default only errors are logged, so a
/// user sees the catalog's messages in their own language and nothing else.
enum Diagnostics {
    private static let once: Void = {
        let env = ProcessInfo.processInfo.environment["TEJIDO_LOG"]
        let level = env.flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .error
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }()

    static func bootstrap() { _ = once }
}
