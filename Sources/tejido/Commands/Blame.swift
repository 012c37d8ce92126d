import ArgumentParser
import TejidoCore
import TejidoCrypto
import TejidoStore

struct Blame: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "blame", abstract: Msg.helpBlame.localized)

    @OptionGroup var options: GlobalOptions
    @Argument(help: Msg.argRecordPath.help) var path: String

    func run() throws {
        try options.withStore { store, console in
            guard let target = RecordPath(path) else { throw console.fail(.errBadPath, path, code: Console.usage) }
            guard try store.get(namespace: target.namespace, record: target.record) != nil else { throw StoreError.recordNotFound(path) }
            let entries = try store.blame(namespace: target.namespace, record: target.record)
            if console.json {
                console.out(json: .array(entries.map { e in
                    .object([
                        ("field", .string(e.field)), ("value", Rendering.json(e.value)), ("author", .string(Rendering.key(e.author))),
                        ("fingerprint", .string(KeyText.fingerprint(e.author))), ("hlc", .number(e.hlc.rawValue)),
                        ("time", .string(e.hlc.description)), ("changeset", .string(e.changeset.hex)), ("superseded", .int(Int64(e.superseded))),
                    ])
                }))
            } else {
                console.out(Rendering.table(
                    header: console.t(.blameHeader),
                    rows: entries.map {
                        [$0.field, Rendering.text($0.value), KeyText.fingerprint($0.author), $0.hlc.description, String($0.changeset.hex.prefix(16)),
                         String($0.superseded)]
                    }))
            }
        }
    }
}
