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

    /// The parser's account of a usage error (`Missing expected argument '<ruta>'`), in Spanish.
    /// The quoted parts are what the user typed or the usage's own names, and stay as they are.
    static func spanishUsageError(_ text: String) -> String {
        var out = text
        for (en, es) in usagePhrases { out = out.replacingOccurrences(of: en, with: es) }
        if let range = out.range(of: #"^(\d+) unexpected arguments: "#, options: .regularExpression) {
            out.replaceSubrange(range, with: out[range].replacingOccurrences(of: " unexpected arguments: ", with: " argumentos inesperados: "))
        }
        return out
    }

    /// The texts of swift-argument-parser's usage errors (its `UsageGenerator`), each replaced wherever it occurs.
    private static let usagePhrases: [(String, String)] = [
        ("Missing expected argument ", "Falta el argumento "),
        ("Missing required subcommand.", "Falta el subcomando."),
        ("Missing one of: ", "Falta uno de: "),
        ("Missing value for ", "Falta el valor de "),
        ("Unknown option ", "Opción desconocida: "),
        ("Unexpected argument ", "Argumento inesperado: "),
        ("Invalid option: ", "Opción no válida: "),
        ("The value ", "El valor "),
        (" is invalid for ", " no es válido para "),
        (" is invalid.", " no es válido."),
        (" does not take any value, but ", " no lleva ningún valor, pero se dio "),
        (" was specified.", "."),
        ("The option ", "La opción "),
        (". Did you mean ", ". ¿Quisiste decir "),
        ("Value to be set with ", "El valor que da "),
        (" had already been set with ", " ya lo había dado "),
    ]

    /// Line starts.
    private static let headings: [(String, String)] = [
        ("OVERVIEW:", "DESCRIPCIÓN:"), ("USAGE:", "USO:"), ("ARGUMENTS:", "ARGUMENTOS:"),
        ("OPTIONS:", "OPCIONES:"), ("SUBCOMMANDS:", "SUBCOMANDOS:"),
    ]

    /// Anywhere in a line.
    private static let phrases: [(String, String)] = [
        ("Show help information.", "Muestra esta ayuda."),
        ("(default:", "(predeterminado:"),
        ("(values:", "(valores:"),
        ("See 'tejido help ", "Consulta 'tejido help "),
        (" <subcommand>' for detailed help.", " <subcomando>' para más detalle."),
        ("<subcommand>", "<subcomando>"),
    ]
}
