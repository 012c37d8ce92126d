import ArgumentParser
import Foundation

@main
struct Tejido: ParsableCommand {
    /// Refuses arguments that are not UTF-8 before parsing them: Swift would turn each bad byte
    /// into U+FFFD, and `put` would then store text the user never typed.
    static func main() {
        // Past a file size limit (`ulimit -f`) a write then fails with EFBIG, which every writer
        // here reports and cleans up after, instead of the process being killed mid-write.
        signal(SIGXFSZ, SIG_IGN)
        let valid = (0..<Int(CommandLine.argc)).map { i -> Bool in
            guard let p = CommandLine.unsafeArgv[i] else { return true }
            return String(validating: UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p)),
                          as: UTF8.self) != nil
        }
        if let bad = valid.indices.dropFirst().first(where: { !valid[$0] }) {
            // Under --json, stderr holds JSON objects only.
            let json = (1..<Int(CommandLine.argc)).contains { CommandLine.unsafeArgv[$0].map { strcmp($0, "--json") == 0 } ?? false }
            Console(lang: .environment, json: json).report(.errArgumentNotUTF8, [String(bad)])
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        if let (word, path) = unknownCommand(Array(CommandLine.arguments.dropFirst())) {
            let json = CommandLine.arguments.dropFirst().contains("--json")
            Console(lang: .environment, json: json).report(.errUnknownCommand, [word, (["tejido"] + path).joined(separator: " ")])
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        do {
            var command = try parseAsRoot(argumentsForParsing())
            try command.run()
        } catch {
            exit(withUsageError: error)
        }
    }

    /// Exits for an error out of parsing or running a command. Help, and errors that already
    /// reported themselves (`ExitCode`), go as the parser would; the parser's own errors get a
    /// pointer to the command's help in the user's language, and are JSON under `--json`.
    private static func exit(withUsageError error: any Error) -> Never {
        let code = exitCode(for: error)
        if code == .success, !(error is ExitCode), Language.environment == .es {
            // Help: the parser writes its own headings in English; the texts are already Spanish.
            print(HelpText.spanish(fullMessage(for: error)))
            Foundation.exit(code.rawValue)
        }
        if error is ExitCode || code == .success { exit(withError: error) }
        let args = Array(CommandLine.arguments.dropFirst())
        let command = (["tejido"] + commandPath(args)).joined(separator: " ")
        let parserText = message(for: error)
        var detail = parserText.replacingOccurrences(of: "\n", with: " ")
        if Language.environment == .es { detail = HelpText.spanishUsageError(detail) }
        if !detail.hasSuffix(".") && !detail.hasSuffix("?") { detail += "." }
        let console = Console(lang: .environment, json: args.contains("--json"))
        // A negative number the parser took for an option (`tejido inc ... -3`): say how to give it.
        func isNegativeNumber(_ a: String) -> Bool { a.count > 1 && a.hasPrefix("-") && Double(a) != nil }
        if let number = args.first(where: isNegativeNumber), detail.contains("'\(number)'") {
            console.report(.errUsageNegativeNumber, [detail, number, command])
        } else if parserText.hasPrefix("Missing value for "),
                  let i = args.indices.dropLast().first(where: {
                      args[$0].hasPrefix("-") && !isNegativeNumber(args[$0]) && isNegativeNumber(args[$0 + 1]) && parserText.contains("'\(args[$0])")
                  }) {
            // An option's negative value (`log --limit -1`): the parser took the value for an option.
            console.report(.errUsageNegativeValue, [detail, args[i], args[i + 1], command])
        } else if parserText.hasPrefix("Missing expected argument "), let option = unknownOption(args) {
            // `put --limti 3`: the parser takes `3` for the path and names the missing
            // assignments; the misspelt option is what the user needs to hear of.
            var unknown = "Unknown option '\(option)'."
            if Language.environment == .es { unknown = HelpText.spanishUsageError(unknown) }
            console.report(.errUsage, [unknown, command])
        } else {
            console.report(.errUsage, [detail, command])
        }
        Foundation.exit(code.rawValue)
    }

    /// The arguments, where the parser's own `help` subcommand keeps only the command it is asked
    /// about: it takes no options, and `--lang` (or `--store`, which commands take) would make it
    /// fail. The language was already read from them (`Language.environment`).
    private static func argumentsForParsing() -> [String] {
        let args = Array(CommandLine.arguments.dropFirst())
        guard args.first == "help" else { return movingGlobalOptions(args) }
        return ["help"] + args.dropFirst().prefix { !$0.hasPrefix("-") }
    }

    /// Options every command takes (`--lang es`, `--json`, `--store DIR`), given before a
    /// subcommand (`tejido tag --lang es add ...`) or to a group alone (`tejido tag --lang es`),
    /// where the parser would refuse them: moved after the subcommand, or dropped when there is
    /// none (the group's help then shows, in the language already read from them).
    static func movingGlobalOptions(_ args: [String]) -> [String] {
        var moved: [String] = []
        let walk = walkCommands(args) { i, _ in
            let a = args[i]
            if a == "--json" || a.hasPrefix("--lang=") || a.hasPrefix("--store=") {
                moved.append(a)
                return 1
            }
            if (a == "--lang" || a == "--store"), i + 1 < args.endIndex {
                moved += [a, args[i + 1]]
                return 2
            }
            return 0
        }
        guard !moved.isEmpty else { return args }
        let rest = args[walk.stop...]
        // A group (or `tejido` itself) with no subcommand after it: its help, without the
        // options it does not take.
        if walk.inGroup { return walk.path + rest }
        return walk.path + moved + rest
    }

    /// The first word where a command was expected that is none of them (`tejido histroy`),
    /// with the commands before it. The parser would name an option after it instead (`--store`
    /// is unknown to `tejido` itself), or with `--help` print the top-level help and succeed.
    static func unknownCommand(_ args: [String]) -> (word: String, path: [String])? {
        let walk = walkCommands(args) { i, path in
            let a = args[i]
            if a == "--lang" || a == "--store" { return 2 }
            if a.hasPrefix("-") { return 1 }
            // The parser's own `help` command takes command names after it: they must be ones.
            if a == "help" && path.isEmpty { return 1 }
            return 0
        }
        guard walk.inGroup, walk.stop < args.endIndex else { return nil }
        return (args[walk.stop], walk.path)
    }

    /// The subcommand names at the start of `args` (`["namespace", "create"]`), for a pointer to their help.
    /// The first `--name` in `args` (before a `--`) that the command they lead to does not take,
    /// going by the options its help lists.
    static func unknownOption(_ args: [String]) -> String? {
        var command: any ParsableCommand.Type = Tejido.self
        for word in commandPath(args) {
            guard let sub = command.configuration.subcommands.first(where: { $0.configuration.commandName == word }) else { return nil }
            command = sub
        }
        let help = helpMessage(for: command, includeHidden: true, columns: 10_000)
        let known = Set(help.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "-") }).filter { $0.hasPrefix("--") }.map(String.init))
        for a in args.prefix(while: { $0 != "--" }) where a.hasPrefix("--") && a.count > 2 {
            let name = String(a.prefix { $0 != "=" })
            if !known.contains(name) { return name }
        }
        return nil
    }

    private static func commandPath(_ args: [String]) -> [String] {
        walkCommands(args) { _, _ in 0 }.path
    }

    /// Walks the words at the start of `args` that lead to a command: a word naming a subcommand
    /// of the level reached goes down to it; any other is offered to `other`, which says how many
    /// words it takes (0 stops the walk), given the subcommand names so far. The walk also stops at a command with no subcommands.
    /// Returns the subcommand names, where the walk stopped, and whether it stopped in a group
    /// (a level that still has subcommands).
    private static func walkCommands(_ args: [String], other: (_ index: Int, _ path: [String]) -> Int) -> (path: [String], stop: Int, inGroup: Bool) {
        var path: [String] = []
        var level = configuration.subcommands
        var i = args.startIndex
        while i < args.endIndex, !level.isEmpty {
            if let sub = level.first(where: { $0.configuration.commandName == args[i] }) {
                path.append(args[i])
                level = sub.configuration.subcommands
                i += 1
                continue
            }
            let taken = other(i, path)
            if taken == 0 { break }
            i += taken
        }
        return (path, min(i, args.endIndex), !level.isEmpty)
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

    /// The message as an option's or argument's help, in the environment's language.
    var help: ArgumentHelp {
        Language.environment == .es ? ArgumentHelp(localized, valueName: spanishValueName) : ArgumentHelp(localized)
    }
}
