import ArgumentParser
import TejidoCore
import TejidoCrypto
import TejidoSQLite
import TejidoStore

struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "query", abstract: Msg.helpQuery.localized)

    @OptionGroup var options: GlobalOptions
    @Argument(help: Msg.argSQL.help) var sql: String
    @Option(name: .long, help: Msg.optQueryTimeout.help) var timeout: Double = Store.defaultQueryTimeout ?? 0

    func run() throws {
        try options.withStore { store, console in
            guard timeout.isFinite, timeout >= 0, timeout <= 86_400 else { throw console.fail(.errBadQueryTimeout, code: Console.usage) }
            let result = try store.query(sql, timeout: timeout == 0 ? nil : timeout)
            for c in result.skippedCollections {
                // Under --json, stderr holds JSON objects only.
                if console.json {
                    console.err(JSONValue.object([("warning", .string("skipped_view")), ("collection", .string(c)),
                                                  ("message", .string(console.t(.warnSkippedView, c)))]).serialized())
                } else {
                    console.err("tejido: " + console.t(.warnSkippedView, c))
                }
            }
            for (c, shown, omitted) in result.trimmedCollections {
                let message = console.t(.warnTrimmedView, c, String(omitted), String(shown))
                if console.json {
                    console.err(JSONValue.object([("warning", .string("trimmed_view")), ("collection", .string(c)),
                                                  ("omitted", .int(Int64(omitted))), ("message", .string(message))]).serialized())
                } else {
                    console.err("tejido: " + message)
                }
            }
            if console.json {
                console.out(json: .array(result.rows.map { row in
                    .object(zip(result.columns, row).map { ($0, Self.json($1)) })
                }))
            } else {
                let rows = result.rows.map { $0.map(Self.text) }
                console.out(Rendering.table(header: result.columns.joined(separator: "\t"), rows: rows))
                console.out(console.t(.queryRows, String(result.rows.count)))
            }
        }
    }

    static func json(_ v: SQLiteValue) -> JSONValue {
        switch v {
        case .null: .null
        case .integer(let i): .int(i)
        case .real(let d): .double(d)
        case .text(let s): .string(s)
        case .blob(let b): .object([("hex", .string(Hex.encode(b)))])
        }
    }

    static func text(_ v: SQLiteValue) -> String {
        switch v {
        case .null: "NULL"
        case .integer(let i): String(i)
        case .real(let d): String(d)
        case .text(let s): s
        case .blob(let b): "x'" + Hex.encode(b) + "'"
        }
    }
}
