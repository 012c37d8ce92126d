import Foundation
import Testing

/// Runs the built `tejido` executable as a child process, the way a user would.
enum CLI {
    /// The `tejido` binary next to the test bundle: SwiftPM puts both in the same build directory.
    /// Searches the bundle's directory, then each parent, for an executable file named `tejido`.
    static let executable: Result<URL, LookupError> = {
        var searched: [String] = []
        var dir = Bundle.main.bundleURL.standardizedFileURL
        var bundleIsDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: dir.path, isDirectory: &bundleIsDir) || !bundleIsDir.boolValue {
            dir.deleteLastPathComponent()
        }
        // The bundle URL may be the test runner itself or its directory; look there and above.
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("tejido")
            searched.append(candidate.path)
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate.path)
            {
                return .success(candidate)
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        return .failure(LookupError(searched: searched))
    }()

    struct LookupError: Error, CustomStringConvertible {
        let searched: [String]
        var description: String {
            "the tejido executable was not found (is \"tejido\" a dependency of TejidoCLITests?); looked at: "
                + searched.joined(separator: ", ")
        }
    }

    /// The environment every run starts from: the test's own, without the variables that would
    /// change what tejido does (language and default store), so each test states what it needs.
    static func baseEnvironment() -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for name in ["LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE", "TEJIDO_STORE"] { env[name] = nil }
        return env
    }

    /// `args` with `--store DIR` added before a `--` separator if there is one, else at the end.
    static func arguments(_ args: [String], store: URL) -> [String] {
        let storeArgs = ["--store", store.path]
        if let dashes = args.firstIndex(of: "--") {
            return Array(args[..<dashes]) + storeArgs + Array(args[dashes...])
        }
        return args + storeArgs
    }

    /// Runs `tejido ARGS --store STORE`, feeding `stdin` (or nothing) and waiting for it to exit.
    /// stdout and stderr go to files, so a large output cannot block the child on a full pipe.
    /// A missing binary or a failed launch is recorded as a test failure and reported as status 127.
    static func run(_ args: [String], store: URL, stdin: Data? = nil, env: [String: String] = [:])
        -> (status: Int32, stdout: String, stderr: String)
    {
        let exe: URL
        switch executable {
        case .success(let url): exe = url
        case .failure(let error):
            Issue.record("\(error)")
            return (127, "", "\(error)")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tejido-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            let outURL = scratch.appendingPathComponent("stdout")
            let errURL = scratch.appendingPathComponent("stderr")
            let inURL = scratch.appendingPathComponent("stdin")
            for url in [outURL, errURL] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
            try (stdin ?? Data()).write(to: inURL)

            let process = Process()
            process.executableURL = exe
            process.arguments = arguments(args, store: store)
            process.environment = baseEnvironment().merging(env) { _, new in new }
            let outHandle = try FileHandle(forWritingTo: outURL)
            let errHandle = try FileHandle(forWritingTo: errURL)
            let inHandle = try FileHandle(forReadingFrom: inURL)
            defer {
                try? outHandle.close()
                try? errHandle.close()
                try? inHandle.close()
            }
            process.standardOutput = outHandle
            process.standardError = errHandle
            process.standardInput = inHandle
            try process.run()
            process.waitUntilExit()
            let out = String(decoding: try Data(contentsOf: outURL), as: UTF8.self)
            let err = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
            let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
            return (status, out, err)
        } catch {
            Issue.record("could not run tejido \(args): \(error)")
            return (127, "", "\(error)")
        }
    }

    /// Runs a command that must succeed and print JSON; returns the parsed output.
    /// The text of an error: the "message" of a `--json` error object, else stderr as it is.
    static func errorMessage(_ stderr: String) -> String {
        let trimmed = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("{"), let message = (try? JSON.parse(trimmed))?["message"]?.string else { return stderr }
        return message
    }

    static func json(
        _ args: [String], store: URL, env: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> JSON {
        let r = run(args + ["--json"], store: store, env: env)
        try #require(r.status == 0, "tejido \(args.joined(separator: " ")) exited \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        return try JSON.parse(r.stdout)
    }

    /// Runs a command that must succeed; returns its stdout.
    @discardableResult
    static func ok(_ args: [String], store: URL, env: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation)
        throws -> String
    {
        let r = run(args, store: store, env: env)
        try #require(r.status == 0, "tejido \(args.joined(separator: " ")) exited \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        return r.stdout
    }
}
