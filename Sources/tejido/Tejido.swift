import ArgumentParser

@main
struct Tejido: ParsableCommand {
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
