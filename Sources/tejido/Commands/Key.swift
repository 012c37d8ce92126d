import ArgumentParser
import TejidoCore
import TejidoCrypto
import TejidoStore

struct Key: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "key", abstract: Msg.helpKey.localized, subcommands: [Show.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: Msg.helpKeyShow.localized)

        @OptionGroup var options: GlobalOptions

        func run() throws {
            try options.withStore { store, console in
                let key = store.nodeKey.publicKey
                if console.json {
                    console.out(json: .object([
                        ("key", .string(KeyText.key(key))), ("fingerprint", .string(KeyText.fingerprint(key.bytes))),
                    ]))
                } else {
                    console.out(console.t(.keyLine, KeyText.key(key)))
                    console.out(console.t(.fingerprintLine, KeyText.fingerprint(key.bytes)))
                }
            }
        }
    }
}
