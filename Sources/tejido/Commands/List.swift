import ArgumentParser
import TejidoCore
import TejidoStore

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: Msg.helpList.localized)

    @OptionGroup var options: GlobalOptions
    @Argument(help: Msg.argCollectionPath.help) var path: String

    func run() throws {
        try options.withStore { store, console in
            let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw console.fail(.errBadCollectionPath, path, code: Console.usage) }
            let records = try store.list(namespace: parts[0], collection: parts[1])
            if console.json {
                console.out(json: .array(records.map(Rendering.json)))
            } else if records.isEmpty {
                console.out(console.t(.noRecords))
            } else {
                for r in records {
                    let fields = r.fields.sorted { $0.key < $1.key }.map { "\($0.key)=\(Rendering.text($0.value))" }
                    console.out(([Rendering.visible(r.id)] + fields).joined(separator: "  "))
                }
            }
        }
    }
}
