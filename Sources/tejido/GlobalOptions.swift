import ArgumentParser
import Foundation
import TejidoStore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: Msg.optStore.help)
    var store: String?

    @Flag(name: .long, help: Msg.optJSON.help)
    var json = false

    @Option(name: .long, help: Msg.optLang.help)
    var lang: String?

    /// A parser error, so that `--help` still wins and the message goes out once, through `Tejido.main`.
    func validate() throws {
        if let lang, Language(flag: lang) == nil {
            throw ValidationError(Console(lang: .environment, json: json).t(.errBadLang, lang))
        }
        // `--store "$DIR"` with DIR unset: the current directory is not what was meant.
        if let store, store.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError(console.t(.errEmptyStore))
        }
    }

    var storeURL: URL {
        // An empty TEJIDO_STORE counts as unset, as the shell treats an empty variable.
        let fromEnvironment = ProcessInfo.processInfo.environment["TEJIDO_STORE"].flatMap { $0.isEmpty ? nil : $0 }
        let path = store ?? fromEnvironment ?? FileManager.default.currentDirectoryPath
        return URL(fileURLWithPath: path, isDirectory: true)
    }

    var console: Console { Console(lang: Language.resolve(flag: lang), json: json) }

    /// Opens the store and runs `body`, turning every failure into a message in the user's language
    /// on stderr and a non-zero exit code.
    func withStore(_ body: (Store, Console) throws -> Void) throws {
        Diagnostics.bootstrap()
        let console = self.console
        try console.guarding {
            let store = try Store.open(at: storeURL)
            try body(store, console)
        }
    }
}
