/// The parts of help that swift-argument-parser writes itself (headings, the help flag, default
/// values), put into Spanish. Every abstract and option text comes from the catalog already.
enum HelpText {
    static func spanish(_ text: String) -> String {
        var lines = text.components(separatedBy: "\n").map { line -> String in
            for (en, es) in headings where line.hasPrefix(en) { return es + line.dropFirst(en.count) }
            return line
        }
        for i in lines.indices {
            for (en, es) in phrases { lines[i] = lines[i].replacingOccurrences(of: en, with: es) }
        }
        return lines.joined(separator: "\n")
    }

    /// Line starts.
    private static let headings: [(String, String)] = [
        ("OVERVIEW:", "DESCRIPCIÓN:"), ("USAGE:", "USO:"), ("ARGUMENTS:", "ARGUMENTOS:"),
        ("OPTIONS:", "OPCIONES:"), ("SUBCOMMANDS:", "SUBCOMANDOS:"),
    ]

    /// Anywhere in a line.
    private static let phrases: [(String, String)] = [
        ("Show help information.", "Muestra esta ayuda."),
        ("(default: ", "(predeterminado: "),
        ("(values: ", "(valores: "),
        ("See 'tejido help ", "Consulta 'tejido help "),
        (" <subcommand>' for detailed help.", " <subcomando>' para más detalle."),
        ("<subcommand>", "<subcomando>"),
    ]
}
