import ArgumentParser
import TejidoCore
import TejidoStore

struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: Msg.helpGet.localized)

    @OptionGroup var options: GlobalOptions
    @Argument(help: Msg.argRecordPath.help) var path: String

    func run() throws {
        try options.withStore { store, console in
            guard let target = RecordPath(path) else { throw console.fail(.errBadPath, path, code: Console.usage) }
            guard let record = try store.get(namespace: target.namespace, record: target.record) else {
                throw StoreError.recordNotFound(path)
            }
            if console.json {
                console.out(json: Rendering.json(record))
            } else {
                console.out("\(record.namespace)/\(record.collection)/\(Rendering.visible(record.id))")
                let width = record.fields.keys.map(\.count).max() ?? 0
                for (k, v) in record.fields.sorted(by: { $0.key < $1.key }) {
                    console.out("  " + k + String(repeating: " ", count: width - k.count) + "  " + Rendering.text(v))
                }
            }
        }
    }
}
