import ArgumentParser
import TejidoCore
import TejidoStore

struct Put: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "put", abstract: Msg.helpPut.localized)

    @OptionGroup var options: GlobalOptions
    @Argument(help: Msg.argRecordPath.help) var path: String
    @Argument(help: Msg.argAssignments.help) var assignments: [String]
    @Option(name: [.short, .customLong("message")], help: Msg.optMessage.help) var message: String?

    func run() throws {
        // The arguments are checked before the store is opened: a usage error is one wherever the store is.
        let console = options.console
        guard RecordPath(path) != nil else { throw console.fail(.errBadPath, path, code: Console.usage) }
        guard !assignments.isEmpty else { throw console.fail(.errBadAssignment, "", code: Console.usage) }
        var fields: [(String, Value)] = []
        for a in assignments { fields.append(try Self.parse(a, console: console)) }
        let target = try RecordPath.forWriting(path, fields: fields.map(\.0), console: console)
        try options.withStore { store, console in
            let id = try store.put(namespace: target.namespace, record: target.record, fields: fields, message: message)
            Committed.print(id, console)
        }
    }

    /// `FIELD=TEXT` sets text; `FIELD:=JSON` sets a typed scalar, as httpie reads them.
    static func parse(_ a: String, console: Console) throws -> (String, Value) {
        if let r = a.range(of: ":=") , !a[..<r.lowerBound].contains("=") {
            let field = String(a[..<r.lowerBound])
            let raw = String(a[r.upperBound...])
            let json: JSONValue
            do { json = try JSONValue.parse(raw) } catch {
                // Quotes typed on the command line are the shell's: text is written with `=`.
                if error.reason == .integerOutOfRange {
                    throw console.fail(.errPutIntegerRange, a, field + "=" + raw, code: Console.usage)
                }
                throw console.fail(.errBadJSONValue, a, DetailText.text(error, console), code: Console.usage)
            }
            switch json {
            case .null: return (field, .null)
            case .bool(let b): return (field, .bool(b))
            case .int(let i): return (field, .int(i))
            case .double(let d): return (field, .float(d))
            case .string(let s): return (field, .text(s))
            default: throw console.fail(.errBadJSONValue, a, console.t(.detailArrayOrObject), code: Console.usage)
            }
        }
        guard let eq = a.firstIndex(of: "="), eq != a.startIndex else { throw console.fail(.errBadAssignment, a, code: Console.usage) }
        return (String(a[..<eq]), .text(String(a[a.index(after: eq)...])))
    }
}

/// Prints the id of a committed changeset.
enum Committed {
    static func print(_ id: ChangesetID, _ console: Console) {
        if console.json {
            console.out(json: .object([("changeset", .string(id.hex))]))
        } else {
            console.out(console.t(.committed, id.hex))
        }
    }
}
