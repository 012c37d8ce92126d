import ArgumentParser
import Foundation
import TejidoCore

@main
struct Tejido: ParsableCommand {
    /// Refuses arguments that are not UTF-8 before parsing them: Swift would turn each bad byte
    /// into U+FFFD, and `put` would then store text the user never typed.
    static func main() {
        let valid = (0..<Int(CommandLine.argc)).map { i -> Bool in
            guard let p = CommandLine.unsafeArgv[i] else { return true }
            return String(validating: UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p)),
                          as: UTF8.self) != nil
        }
        if let bad = valid.indices.dropFirst().first(where: { !valid[$0] }) {
            let text = Msg.errArgumentNotUTF8.localized.replacingOccurrences(of: "{0}", with: String(bad))
            // Under --json, stderr holds JSON objects only.
            let json = (1..<Int(CommandLine.argc)).contains { CommandLine.unsafeArgv[$0].map { strcmp($0, "--json") == 0 } ?? false }
            let line = json
                ? JSONValue.object([("error", .string(Msg.errArgumentNotUTF8.errorCode)), ("message", .string(text))]).serialized()
                : "tejido: \(text)"
            FileHandle.standardError.write(Data((line + "\n").utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "tejido",
        abstract: Msg.helpRoot.localized,
        subcommands: [
            Init.self, Key.self, Namespace.self, Grant.self, Revoke.self, Put.self, Get.self, List.self, Delete.self, Inc.self, Tag.self,
            Import.self, Query.self, Log.self, Blame.self, Verify.self, Members.self, Peer.self, Sync.self, Serve.self, Status.self, Bundle.self,
        ])
}

extension Msg {
    /// The message in the environment's language, for help text built before options are parsed.
    var localized: String { Language.environment == .es ? text.es : text.en }
}
