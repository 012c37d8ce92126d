import Foundation
import Testing

/// Help in Spanish is Spanish throughout: the catalog's texts, and the parser's own headings,
/// help flag and default values put into Spanish. Options every command takes may come before a
/// subcommand.
@Suite("Help text")
struct HelpTextTests {
    static let commands: [[String]] = [
        [], ["init"], ["key"], ["key", "show"], ["namespace"], ["namespace", "create"], ["namespace", "list"],
        ["namespace", "petname"], ["namespace", "export-root"], ["namespace", "import-root"], ["grant"], ["revoke"],
        ["put"], ["get"], ["list"], ["delete"], ["inc"], ["tag"], ["tag", "add"], ["tag", "remove"], ["import"],
        ["query"], ["log"], ["blame"], ["verify"], ["members"], ["peer"], ["peer", "add"], ["peer", "list"],
        ["peer", "remove"], ["sync"], ["serve"], ["status"], ["bundle"], ["bundle", "create"], ["bundle", "apply"],
        ["bundle", "inspect"],
    ]

    /// Words that only English help would hold (option names and URLs aside).
    static let english = ["USAGE:", "OPTIONS:", "ARGUMENTS:", "OVERVIEW:", "SUBCOMMANDS:", "Show help information",
                          "(default:", "for detailed help", " the ", "The ", " of ", " this ", " to "]

    @Test("every command's help under --lang es holds no English text")
    func spanishHelpEverywhere() throws {
        try withTemporaryDirectory { tmp in
            for path in Self.commands {
                let r = CLI.run(path + ["--help", "--lang", "es"], store: tmp, env: ["LANG": "en_US.UTF-8"])
                #expect(r.status == 0, "\(path): \(r.stderr)")
                #expect(r.stdout.contains("USO:") && r.stdout.contains("OPCIONES:"), "\(path)")
                for word in Self.english {
                    #expect(!r.stdout.contains(word), "\(path): \(word)\n\(r.stdout)")
                }
            }
        }
    }

    @Test("Spanish help shows option texts, default values and the help flag in Spanish")
    func spanishOptionTexts() throws {
        try withTemporaryDirectory { tmp in
            let grant = CLI.run(["grant", "--help"], store: tmp, env: ["LANG": "es_MX.UTF-8"])
            #expect(grant.status == 0)
            #expect(grant.stdout.contains("(predeterminado: writer)"))
            #expect(grant.stdout.contains("Muestra esta ayuda."))
            #expect(grant.stdout.contains("La llave a la que se da el rol"))
            #expect(grant.stdout.contains("ARGUMENTOS:"))
            let namespace = CLI.run(["help", "namespace", "--lang", "es"], store: tmp)
            #expect(namespace.status == 0, "\(namespace.stderr)")
            #expect(namespace.stdout.contains("SUBCOMANDOS:"))
            #expect(namespace.stdout.contains("Consulta 'tejido help namespace <subcomando>' para más detalle."))
        }
    }

    @Test("English help is the parser's own, with the catalog's English texts")
    func englishHelp() throws {
        try withTemporaryDirectory { tmp in
            let r = CLI.run(["put", "--help"], store: tmp, env: ["LANG": "C"])
            #expect(r.status == 0)
            #expect(r.stdout.contains("USAGE: tejido put"))
            #expect(r.stdout.contains("A note kept in the changeset."))
            #expect(r.stdout.contains("Show help information."))
            #expect(!r.stdout.contains("cambio"))
        }
    }

    @Test("an unknown command with --help is a usage error naming it, not the top-level help")
    func unknownCommandWithHelp() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            for args in [["histroy", "--help"], ["--lang", "es", "histroy", "-h"], ["namespace", "crear", "--help"], ["help", "histroy"],
                         ["help", "namespace", "crear"]] {
                let r = s.run(args)
                #expect(r.status == 64, "\(args): \(r.stdout) \(r.stderr)")
                #expect(r.stderr.contains(args.contains("crear") ? "'crear'" : "'histroy'"), "\(args): \(r.stderr)")
                #expect(r.stderr.contains(args.contains("es") ? "Orden desconocida" : "Unknown command"), "\(args): \(r.stderr)")
            }
            // Under --json, the parser's code.
            let json = s.run(["histroy", "--json"])
            #expect(json.status == 64 && json.stderr.contains(#""error":"usage""#), "\(json.stderr)")
            // Real help still works, before and after global options, and through `help`.
            for args in [["--help"], ["log", "--help"], ["--lang", "es", "namespace", "create", "-h"], ["help", "sync"]] {
                let r = s.run(args)
                #expect(r.status == 0, "\(args): \(r.stderr)")
                #expect(r.stdout.contains("USAGE:") || r.stdout.contains("USO:"), "\(args): \(r.stdout)")
            }
        }
    }

    @Test("--lang, --json and --store may come before a subcommand, or with a group alone")
    func globalOptionsBeforeSubcommand() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            // A group with only such options shows its help (the parser used to refuse them).
            let group = s.run(["tag", "--lang", "es"])
            #expect(group.status == 0, "\(group.stderr)")
            #expect(group.stdout.contains("SUBCOMANDOS:") && group.stdout.contains("Agrega un elemento a un campo conjunto."))
            let root = s.run(["--lang", "es"])
            #expect(root.status == 0, "\(root.stderr)")
            #expect(root.stdout.contains("Sincronización sin conexión"))
            #expect(s.run(["namespace", "--json"]).status == 0)
            // Before a subcommand they reach it.
            let add = s.run(["tag", "--lang", "es", "--json", "add", "chiapas/events/e1", "etiquetas", "rojo"])
            #expect(add.status == 0, "\(add.stderr)")
            #expect(add.stdout.hasPrefix("{"), "--json reached tag add: \(add.stdout)")
            let get = CLI.run(["--store", s.directory.path, "get", "chiapas/events/e1", "--json"], store: s.directory)
            #expect(get.status == 0, "\(get.stderr)")
            #expect(get.stdout.contains("rojo"))
            // Anything else before a subcommand is still refused, in the chosen language.
            let bogus = s.run(["tag", "--lang", "es", "--bogus", "add"])
            #expect(bogus.status == 64)
            #expect(bogus.stderr.contains("Consulta"))
        }
    }
}
